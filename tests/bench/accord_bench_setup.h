#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_SETUP_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_SETUP_H_

// What accord-bench does before it measures: start a broker in dev mode (or
// attach to one), open mutual-TLS channels with the dev PKI, publish the
// benchmark's policy for the PERSONAL demo dataset, and have citizens give
// their consents.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/bench/accord_bench_load.h"
#include "tests/bench/accord_bench_workloads.h"
#include "tests/broker_harness.h"

namespace accord::bench {

inline constexpr char kOpenDataset[] = "rennes.mobility.bike-stations";
inline constexpr char kRestrictedDataset[] = "rennes.environment.air-quality";
inline constexpr char kPersonalDataset[] =
    "rennes.energy.household-consumption";
inline constexpr char kPartner[] = "partner-demo";
inline constexpr char kProducer[] = "producer-demo";
inline constexpr char kPurpose[] = "research-and-development";
inline constexpr char kAudience[] = "data.rennes.example";

// A broker to measure: one this process started, or one it attached to.
struct BrokerUnderTest {
  std::string data_dir;  // holds dev-pki/
  std::string grpc_address;
  std::string http_address;
  pid_t pid = -1;
  std::unique_ptr<testing::TempDir> temp_dir;  // when none was given
  std::unique_ptr<testing::BrokerProcess> process;
};

// Starts `broker_bin` (its file name must be accord-broker) with --dev
// `data_dir` (a fresh temporary directory when empty) on free loopback
// ports, plus `extra_flags`. Returns the broker once /readyz answers, or
// the start error (with the broker's log).
absl::StatusOr<BrokerUnderTest> StartBroker(
    const std::string& broker_bin, const std::string& data_dir,
    std::vector<std::string> extra_flags);

// `n` endpoints, each its own TLS connection to `address`, authenticated
// with the dev certificate of `principal` under `data_dir`. Errors: the
// certificate files' (NOT_FOUND naming the path).
absl::StatusOr<std::vector<std::unique_ptr<Endpoint>>> OpenEndpoints(
    const std::string& data_dir, const std::string& address,
    const std::string& principal, int n);

// Waits until every endpoint is connected. Errors: UNAVAILABLE.
absl::Status Connect(const std::vector<std::unique_ptr<Endpoint>>& endpoints);

// Publishes a new version of the PERSONAL dataset's policy, the demo policy
// with a quota large enough for any run (the demo's 1000 grants a day would
// turn a benchmark into a measure of quota denials). Errors: the call's.
absl::Status PutBenchPolicy(const Endpoint& producer);

// Dev citizen tokens for `names` ("Bearer <token>"), from the dev issuer key
// under `data_dir`. Errors: the key file's.
absl::StatusOr<std::vector<Citizen>> MintCitizens(
    const std::string& data_dir, const std::vector<std::string>& names);

// Each citizen gives consent to the benchmark's partner and purpose on the
// PERSONAL dataset (in parallel, `endpoints` round robin); returns their
// pseudonyms in order. Errors: the first failed call's.
absl::StatusOr<std::vector<std::string>> GiveConsents(
    const std::vector<std::unique_ptr<Endpoint>>& endpoints,
    const std::vector<Citizen>& citizens);

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_SETUP_H_
