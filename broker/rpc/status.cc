#include "broker/rpc/status.h"

#include <string>

namespace accord::rpc {

absl::StatusCode CanonicalCode(int code) {
  if (code < static_cast<int>(absl::StatusCode::kOk) ||
      code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return absl::StatusCode::kUnknown;
  }
  return static_cast<absl::StatusCode>(code);
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(
      static_cast<grpc::StatusCode>(CanonicalCode(status.raw_code())),
      std::string(status.message()));
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(CanonicalCode(static_cast<int>(status.error_code())),
                      status.error_message());
}

}  // namespace accord::rpc
