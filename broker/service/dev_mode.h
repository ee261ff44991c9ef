#ifndef ACCORD_BROKER_SERVICE_DEV_MODE_H_
#define ACCORD_BROKER_SERVICE_DEV_MODE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/common.pb.h"
#include "broker/service/config.h"
#include "broker/service/env.h"
#include "broker/service/policy_registry.h"
#include "broker/store/write_set.h"

namespace accord::service {

// True for 127.0.0.0/8, ::1 and localhost addresses ("host:port").
bool IsLoopbackAddress(absl::string_view address);

// Dev mode, step one: refuses non-loopback addresses, then creates once (and
// reuses afterwards) under `config.data_dir` the development PKI and the
// development citizen-token issuer, and points `config` at them.
absl::Status PrepareDevMode(BrokerConfig& config);

// The writes that publish `dataset` with `policy_yaml` (read from
// `policy_file`, for messages) as its first policy version, authored by the
// development producer at `now`, with their audit events. INVALID_ARGUMENT
// when the policy does not compile.
absl::StatusOr<store::WriteSet> DevDatasetWrites(PolicyRegistry& registry,
                                                 accord::v1::Dataset dataset,
                                                 absl::string_view policy_yaml,
                                                 absl::string_view policy_file,
                                                 int64_t now);

// Dev mode, step two: adds the development principals and the demo datasets
// with their policies, each only if missing, through the normal write path
// (so every change is in the audit log).
absl::Status SeedDevContent(const Env& env);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DEV_MODE_H_
