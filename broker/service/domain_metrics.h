#ifndef ACCORD_BROKER_SERVICE_DOMAIN_METRICS_H_
#define ACCORD_BROKER_SERVICE_DOMAIN_METRICS_H_

// What the broker decided and what citizens did, counted for /metrics:
//   accord_decisions_total{outcome="permit"|"deny"}  counter
//   accord_grants_issued_total                       counter
//   accord_consent_events_total{state}               counter, state one of
//                                                    given, withdrawn,
//                                                    expired, refused
// The page (broker_metrics.h) renders them after the request metrics of
// http::Metrics.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace accord::service {

// The new state of a consent: the `state` label of
// accord_consent_events_total.
enum class ConsentEvent { kGiven, kWithdrawn, kExpired, kRefused };

// Thread-safe and lock-free: each recording is a relaxed atomic addition.
class DomainMetrics {
 public:
  DomainMetrics() = default;
  DomainMetrics(const DomainMetrics&) = delete;
  DomainMetrics& operator=(const DomainMetrics&) = delete;

  // Counts one access decision and the grants it issued.
  void RecordDecision(bool permit, uint64_t grants_issued);

  // Counts one consent state change.
  void RecordConsentEvent(ConsentEvent event);

  // Appends the three families above, in that order, each with its HELP
  // and TYPE lines and every series (zero included), in the Prometheus text
  // format 0.0.4.
  void AppendPrometheus(std::string* out) const;

 private:
  std::atomic<uint64_t> permits_{0};
  std::atomic<uint64_t> denies_{0};
  std::atomic<uint64_t> grants_issued_{0};
  std::array<std::atomic<uint64_t>, 4> consent_events_{};
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DOMAIN_METRICS_H_
