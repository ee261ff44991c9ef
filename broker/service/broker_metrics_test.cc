#include "broker/service/broker_metrics.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/build_info.h"
#include "broker/dev/dev_pki.h"
#include "broker/service/clock.h"
#include "broker/testing/metrics_sample.h"
#include "broker/testing/temp_dir.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'700'000'000;

using Dir = ::accord::testing::TempDir;

using ::accord::testing::Sample;

TEST_CASE("the metrics page shows the broker's state and the process",
          "[broker-metrics]") {
  Dir dir;
  store::StoreOptions options;
  options.min_free_bytes = 1 << 20;
  auto store = store::Store::Open(dir.path() + "/db", options);
  REQUIRE(store.ok());
  Readiness readiness(store->get(), Readiness::Limits{});
  FakeClock clock(absl::FromUnixSeconds(kNow));
  auto grant_keys = KeyRing::Open(dir.path() + "/keys", kGrantKeys, true,
                                  KeySchedule{}, &clock);
  REQUIRE(grant_keys.ok());
  auto receipt_keys = KeyRing::Open(dir.path() + "/keys/receipts", kReceiptKeys,
                                    true, KeySchedule{}, &clock);
  REQUIRE(receipt_keys.ok());

  // A CA certificate expiring at a known time; tls_cert holds none.
  auto ca =
      dev::NewCertificateAuthority("metrics test CA", kNow - 60, kNow + 86400);
  REQUIRE(ca.ok());
  BrokerConfig config;
  config.tls_ca_file = dir.path() + "/ca.pem";
  std::ofstream(config.tls_ca_file) << ca->cert_pem;
  config.tls_cert_file = dir.path() + "/not-a-cert.pem";
  std::ofstream(config.tls_cert_file) << "nothing here\n";

  http::Metrics metrics;
  DomainMetrics domain_metrics;
  domain_metrics.RecordDecision(true, 2);
  SetStartupGauges(config, **store, &metrics);
  const std::string page =
      RenderMetricsPage({&metrics, &domain_metrics, store->get(), &readiness,
                         grant_keys->get(), receipt_keys->get()});
  INFO(page);
  CHECK(
      Sample(page, absl::StrCat("accord_build_info{version=\"", BuildVersion(),
                                "\",commit=\"", BuildCommit(), "\"}")) == 1);
  CHECK(Sample(page, "accord_store_reserve_bytes") == 1 << 20);
  CHECK(Sample(page, "accord_store_free_bytes") > 0);
  CHECK(Sample(page, "accord_ready") == 1);
  CHECK(Sample(page, "accord_store_revision") == 0);
  CHECK(Sample(page, "accord_log_size") == 0);
  CHECK(
      Sample(page,
             "accord_certificate_expiry_timestamp_seconds{cert=\"tls_ca\"}") ==
      kNow + 86400);
  CHECK_FALSE(absl::StrContains(page, "cert=\"tls_cert\""));
  CHECK_FALSE(absl::StrContains(page, "cert=\"http_tls_cert\""));
  CHECK(
      Sample(page,
             "accord_signing_key_created_timestamp_seconds{ring=\"grant\"}") ==
      kNow);
  CHECK(Sample(
            page,
            "accord_signing_key_created_timestamp_seconds{ring=\"receipt\"}") ==
        kNow);
  // The domain counters, between the registry and the process metrics.
  CHECK(Sample(page, "accord_decisions_total{outcome=\"permit\"}") == 1);
  CHECK(Sample(page, "accord_grants_issued_total") == 2);
  CHECK(Sample(page, "accord_consent_events_total{state=\"given\"}") == 0);
  CHECK(page.find("# TYPE accord_requests_total counter\n") <
        page.find("# TYPE accord_decisions_total counter\n"));
  CHECK(page.find("# TYPE accord_consent_events_total counter\n") <
        page.find("# TYPE process_cpu_seconds_total counter\n"));
  CHECK(Sample(page, "process_resident_memory_bytes") > 0);
  CHECK(Sample(page, "process_open_fds") > 0);
  CHECK(absl::StrContains(page, "# TYPE process_cpu_seconds_total counter\n"));

  // After a rotation, the new key is the one in use once promoted.
  clock.Advance(absl::Seconds(100));
  REQUIRE((*grant_keys)->Rotate(crypto::Algorithm::kEdDSA).ok());
  clock.Advance(absl::Seconds(KeySchedule{}.prepublish_seconds + 1));
  const std::string later =
      RenderMetricsPage({&metrics, &domain_metrics, store->get(), &readiness,
                         grant_keys->get(), receipt_keys->get()});
  CHECK(
      Sample(later,
             "accord_signing_key_created_timestamp_seconds{ring=\"grant\"}") ==
      kNow + 100);
}

}  // namespace
}  // namespace accord::service
