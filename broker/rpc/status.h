#ifndef ACCORD_BROKER_RPC_STATUS_H_
#define ACCORD_BROKER_RPC_STATUS_H_

// The one conversion between absl::Status and grpc::Status, both ways: the
// broker's services answer with ToGrpc, the clients read answers with
// FromGrpc. absl and gRPC share the canonical code numbering (OK = 0 ..
// UNAUTHENTICATED = 16); in either direction a code outside it becomes
// UNKNOWN and the message is kept. Only the code and the message cross:
// absl payloads and gRPC error details are dropped.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace accord::rpc {

// The canonical code numbered `code`, or kUnknown when `code` is outside
// 0..16 (a peer newer than us, or a corrupt value).
absl::StatusCode CanonicalCode(int code);

// Returns grpc::Status::OK for an OK status, otherwise the gRPC status with
// the same canonical code (CanonicalCode) and message.
grpc::Status ToGrpc(const absl::Status& status);

// Returns OK for an OK status, otherwise the absl::Status with the same
// canonical code (CanonicalCode) and message.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace accord::rpc

#endif  // ACCORD_BROKER_RPC_STATUS_H_
