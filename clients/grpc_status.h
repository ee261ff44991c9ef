#ifndef ACCORD_CLIENTS_GRPC_STATUS_H_
#define ACCORD_CLIENTS_GRPC_STATUS_H_

// The one conversion from gRPC statuses to absl::Status in the client, and
// the one-line error text the CLI prints.

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace accord::client {

// Returns OK for an OK status, otherwise the absl::Status with the same
// canonical code and message.
absl::Status FromGrpc(const grpc::Status& status);

// Returns "accord: <CODE NAME>: <message>", e.g.
// "accord: PERMISSION_DENIED: caller may not call PutPolicy".
std::string ErrorLine(const absl::Status& status);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_GRPC_STATUS_H_
