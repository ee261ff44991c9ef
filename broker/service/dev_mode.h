#ifndef ACCORD_BROKER_SERVICE_DEV_MODE_H_
#define ACCORD_BROKER_SERVICE_DEV_MODE_H_

#include "absl/status/status.h"
#include "broker/service/config.h"
#include "broker/service/env.h"

namespace accord::service {

// True for 127.0.0.0/8, ::1 and localhost addresses ("host:port").
bool IsLoopbackAddress(absl::string_view address);

// Dev mode, step one: refuses non-loopback addresses, then creates once (and
// reuses afterwards) under `config.data_dir` the development PKI and the
// development citizen-token issuer, and points `config` at them.
absl::Status PrepareDevMode(BrokerConfig& config);

// Dev mode, step two: adds the development principals and the demo datasets
// with their policies, each only if missing, through the normal write path
// (so every change is in the audit log).
absl::Status SeedDevContent(const Env& env);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DEV_MODE_H_
