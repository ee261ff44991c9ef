#ifndef ACCORD_BROKER_SERVICE_GRPC_STATUS_H_
#define ACCORD_BROKER_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace accord::service {

// The one conversion from our statuses to gRPC's: same code, same message.
grpc::Status ToGrpc(const absl::Status& status);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_GRPC_STATUS_H_
