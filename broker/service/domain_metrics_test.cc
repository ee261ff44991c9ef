#include "broker/service/domain_metrics.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "broker/testing/metrics_sample.h"

namespace accord::service {
namespace {

using ::accord::testing::Sample;

TEST_CASE("domain metrics: decisions, grants and consent events render",
          "[domain-metrics]") {
  DomainMetrics metrics;
  metrics.RecordDecision(true, 3);
  metrics.RecordDecision(true, 1);
  metrics.RecordDecision(false, 0);
  metrics.RecordConsentEvent(ConsentEvent::kGiven);
  metrics.RecordConsentEvent(ConsentEvent::kGiven);
  metrics.RecordConsentEvent(ConsentEvent::kWithdrawn);
  std::string text;
  metrics.AppendPrometheus(&text);
  CHECK(Sample(text, "accord_decisions_total{outcome=\"permit\"}") == 2);
  CHECK(Sample(text, "accord_decisions_total{outcome=\"deny\"}") == 1);
  CHECK(Sample(text, "accord_grants_issued_total") == 4);
  CHECK(Sample(text, "accord_consent_events_total{state=\"given\"}") == 2);
  CHECK(Sample(text, "accord_consent_events_total{state=\"withdrawn\"}") == 1);
  CHECK(Sample(text, "accord_consent_events_total{state=\"expired\"}") == 0);
  CHECK(Sample(text, "accord_consent_events_total{state=\"refused\"}") == 0);
}

TEST_CASE(
    "domain metrics: the families, their HELP and TYPE lines and "
    "every series, in order",
    "[domain-metrics]") {
  DomainMetrics metrics;
  metrics.RecordConsentEvent(ConsentEvent::kExpired);
  metrics.RecordConsentEvent(ConsentEvent::kRefused);
  std::string text = "before\n";
  metrics.AppendPrometheus(&text);
  CHECK(text ==
        "before\n"
        "# HELP accord_decisions_total Access decisions, by outcome.\n"
        "# TYPE accord_decisions_total counter\n"
        "accord_decisions_total{outcome=\"permit\"} 0\n"
        "accord_decisions_total{outcome=\"deny\"} 0\n"
        "# HELP accord_grants_issued_total Access grants issued.\n"
        "# TYPE accord_grants_issued_total counter\n"
        "accord_grants_issued_total 0\n"
        "# HELP accord_consent_events_total Consent state changes, by new "
        "state.\n"
        "# TYPE accord_consent_events_total counter\n"
        "accord_consent_events_total{state=\"given\"} 0\n"
        "accord_consent_events_total{state=\"withdrawn\"} 0\n"
        "accord_consent_events_total{state=\"expired\"} 1\n"
        "accord_consent_events_total{state=\"refused\"} 1\n");
}

TEST_CASE("domain metrics: concurrent recording loses no count",
          "[domain-metrics]") {
  DomainMetrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.RecordDecision(i % 2 == 0, 1);
        metrics.RecordConsentEvent(ConsentEvent::kGiven);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::string text;
  metrics.AppendPrometheus(&text);
  CHECK(Sample(text, "accord_grants_issued_total") == kThreads * kPerThread);
  CHECK(Sample(text, "accord_decisions_total{outcome=\"deny\"}") ==
        kThreads * kPerThread / 2);
  CHECK(Sample(text, "accord_consent_events_total{state=\"given\"}") ==
        kThreads * kPerThread);
}

}  // namespace
}  // namespace accord::service
