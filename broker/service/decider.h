#ifndef ACCORD_BROKER_SERVICE_DECIDER_H_
#define ACCORD_BROKER_SERVICE_DECIDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "accord/v1/common.pb.h"
#include "broker/service/env.h"
#include "broker/service/policy_registry.h"
#include "policy/decide.h"

namespace accord::service {

// An access question, as asked by RequestGrant or ExplainAccess.
struct AccessQuestion {
  std::string partner;
  std::string dataset_id;
  std::string purpose;
  std::vector<std::string> fields;
  std::vector<std::string> subjects;
  uint32_t lifetime_seconds = 0;
  // The processing location the partner declares; empty means
  // policy::kDefaultLocation.
  std::string location;
};

// The decision with what it was made on.
struct AccessAnswer {
  std::shared_ptr<const DatasetPolicy> policy;
  policy::Decision decision;
  accord::v1::Decision proto;
  uint64_t revision = 0;  // store revision the decision read
};

// Runs the one decision path: dataset and policy, partner directory,
// consents of the requested subjects, the policy engine. A permit's lifetime
// is min(requested or the policy's maximum, the policy's maximum,
// max_grant_lifetime_seconds). Writes nothing.
// Errors: INVALID_ARGUMENT (unknown purpose or field, subjects on a
// non-PERSONAL dataset or none on a PERSONAL one, an invalid location,
// unknown partner), NOT_FOUND (dataset),
// FAILED_PRECONDITION (no policy), or a store error. A denial is not an
// error: it is in the answer.
absl::StatusOr<AccessAnswer> DecideAccess(const Env& env,
                                          const AccessQuestion& question);

// Converts an engine decision to the API message.
accord::v1::Decision ToProto(const policy::Decision& decision,
                             const accord::v1::PolicyRef& ref);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DECIDER_H_
