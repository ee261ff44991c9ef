#include "clients/grpc_status.h"

#include "absl/strings/str_cat.h"

namespace accord::client {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  int code = static_cast<int>(status.error_code());
  if (code < 0 || code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    code = static_cast<int>(absl::StatusCode::kUnknown);
  }
  return absl::Status(static_cast<absl::StatusCode>(code),
                      status.error_message());
}

std::string ErrorLine(const absl::Status& status) {
  return absl::StrCat("accord: ", absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

}  // namespace accord::client
