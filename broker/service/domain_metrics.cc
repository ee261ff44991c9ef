#include "broker/service/domain_metrics.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "broker/http/prometheus_text.h"

namespace accord::service {
namespace {

// The labels of ConsentEvent, in its order.
constexpr std::array<const char*, 4> kConsentStates = {"given", "withdrawn",
                                                       "expired", "refused"};

}  // namespace

void DomainMetrics::RecordDecision(bool permit, uint64_t grants_issued) {
  (permit ? permits_ : denies_).fetch_add(1, std::memory_order_relaxed);
  grants_issued_.fetch_add(grants_issued, std::memory_order_relaxed);
}

void DomainMetrics::RecordConsentEvent(ConsentEvent event) {
  consent_events_[static_cast<size_t>(event)].fetch_add(
      1, std::memory_order_relaxed);
}

void DomainMetrics::AppendPrometheus(std::string* out) const {
  http::AppendPrometheusHeader(out, "accord_decisions_total", "counter",
                               "Access decisions, by outcome.");
  absl::StrAppend(out, "accord_decisions_total{outcome=\"permit\"} ",
                  permits_.load(std::memory_order_relaxed), "\n",
                  "accord_decisions_total{outcome=\"deny\"} ",
                  denies_.load(std::memory_order_relaxed), "\n");
  http::AppendPrometheusHeader(out, "accord_grants_issued_total", "counter",
                               "Access grants issued.");
  absl::StrAppend(out, "accord_grants_issued_total ",
                  grants_issued_.load(std::memory_order_relaxed), "\n");
  http::AppendPrometheusHeader(out, "accord_consent_events_total", "counter",
                               "Consent state changes, by new state.");
  for (size_t i = 0; i < kConsentStates.size(); ++i) {
    absl::StrAppend(out, "accord_consent_events_total{state=\"",
                    kConsentStates[i], "\"} ",
                    consent_events_[i].load(std::memory_order_relaxed), "\n");
  }
}

}  // namespace accord::service
