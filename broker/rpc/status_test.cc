#include "broker/rpc/status.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"

namespace accord::rpc {
namespace {

constexpr int kFirstCode = 0;  // OK
constexpr int kLastCode = 16;  // UNAUTHENTICATED

TEST_CASE(
    "rpc status: every canonical code keeps its number and message "
    "from absl to gRPC and back",
    "[rpc][status]") {
  for (int code = kFirstCode; code <= kLastCode; ++code) {
    INFO("code " << code);
    const std::string message = absl::StrCat("message of ", code);
    const absl::Status original(static_cast<absl::StatusCode>(code), message);
    const grpc::Status wire = ToGrpc(original);
    CHECK(static_cast<int>(wire.error_code()) == code);
    CHECK(wire.ok() == (code == 0));
    const absl::Status back = FromGrpc(wire);
    CHECK(back == original);  // an OK status carries no message
    CHECK(back.raw_code() == code);
  }
}

TEST_CASE(
    "rpc status: every canonical code keeps its number and message "
    "from gRPC to absl and back",
    "[rpc][status]") {
  for (int code = kFirstCode + 1; code <= kLastCode; ++code) {
    INFO("code " << code);
    const std::string message = absl::StrCat("message of ", code);
    const grpc::Status original(static_cast<grpc::StatusCode>(code), message);
    const absl::Status local = FromGrpc(original);
    CHECK(local.raw_code() == code);
    CHECK(local.message() == message);
    const grpc::Status back = ToGrpc(local);
    CHECK(back.error_code() == original.error_code());
    CHECK(back.error_message() == message);
  }
  CHECK(FromGrpc(grpc::Status::OK).ok());
  CHECK(ToGrpc(absl::OkStatus()).ok());
}

TEST_CASE(
    "rpc status: a code outside 0..16 becomes UNKNOWN both ways, "
    "message kept",
    "[rpc][status]") {
  // grpc::StatusCode has no fixed underlying type: only 0..31 are values
  // of it (a newer peer's code 17..31), anything else is undefined.
  for (int code : {17, 31}) {
    INFO("code " << code);
    const grpc::Status from_peer(static_cast<grpc::StatusCode>(code),
                                 "from a newer peer");
    const absl::Status local = FromGrpc(from_peer);
    CHECK(local.code() == absl::StatusCode::kUnknown);
    CHECK(local.message() == "from a newer peer");
  }
  // absl::StatusCode is an int: any value can reach ToGrpc.
  for (int code : {-1, 17, 42, 1000}) {
    INFO("code " << code);
    const absl::Status odd(static_cast<absl::StatusCode>(code), "odd code");
    const grpc::Status wire = ToGrpc(odd);
    CHECK(wire.error_code() == grpc::StatusCode::UNKNOWN);
    CHECK(wire.error_message() == "odd code");

    CHECK(CanonicalCode(code) == absl::StatusCode::kUnknown);
  }
  for (int code = kFirstCode; code <= kLastCode; ++code) {
    CHECK(static_cast<int>(CanonicalCode(code)) == code);
  }
}

}  // namespace
}  // namespace accord::rpc
