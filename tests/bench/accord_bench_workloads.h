#ifndef ACCORD_TESTS_BENCH_ACCORD_BENCH_WORKLOADS_H_
#define ACCORD_TESTS_BENCH_ACCORD_BENCH_WORKLOADS_H_

// The calls accord-bench makes: the standard health check, RequestGrant on
// one dataset, GiveConsent (and WithdrawConsent) by a pool of citizens, and
// a weighted mix of these.

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "accord/v1/access.pb.h"
#include "tests/bench/accord_bench_load.h"

namespace accord::bench {

// Endpoint groups of CallPlan::group.
inline constexpr int kPartnerGroup = 0;     // partner-demo's certificate
inline constexpr int kCitizenAppGroup = 1;  // citizen-app's certificate

// grpc.health.v1.Health/Check with an empty service name; OK when the
// answer is SERVING.
std::unique_ptr<Workload> HealthWorkload();

// RequestGrant with `request`; OK when the decision is PERMIT and the
// grants name exactly `expected_subjects` subjects in all (0 for a dataset
// without subjects, which must get one grant).
std::unique_ptr<Workload> GrantWorkload(accord::v1::RequestGrantRequest request,
                                        size_t expected_subjects);

// A citizen of a pool: the bearer token of citizen-app calls.
struct Citizen {
  std::string authorization;  // "Bearer <token>"
};

// Each call takes a citizen of `citizens` that has no call in flight (the
// broker refuses concurrent changes of one citizen) and either gives the
// consent (`dataset_id`, `purpose`, recipient partner `partner`) or, when
// `withdraw_too` and the citizen's consent is given, withdraws it. OK when
// the consent comes back in the state asked for.
std::unique_ptr<Workload> ConsentWorkload(std::vector<Citizen> citizens,
                                          std::string dataset_id,
                                          std::string purpose,
                                          std::string partner,
                                          bool withdraw_too);

// Call seq goes to part i in proportion to `weights[i]` (spread evenly).
// Kinds are the parts' kinds, named "PART_NAME/KIND_NAME".
std::unique_ptr<Workload> MixedWorkload(
    std::vector<std::unique_ptr<Workload>> parts, std::vector<int> weights,
    std::vector<std::string> part_names);

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_ACCORD_BENCH_WORKLOADS_H_
