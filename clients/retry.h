#ifndef ACCORD_CLIENTS_RETRY_H_
#define ACCORD_CLIENTS_RETRY_H_

// Safe retries of write calls: each logical call gets a fresh random
// client request id, repeated on every attempt, so that the broker answers
// a retry with the first attempt's outcome and writes nothing more
// (broker/service/request_ids.h).

#include "absl/functional/function_ref.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

namespace accord::client {

// Attempts of one logical call, the first included.
inline constexpr int kMaxCallAttempts = 4;

// When `request` has a `client_request_id` field and it is empty, sets it
// to a fresh random id (22 base64url characters); for a batch (a repeated
// field of such requests, RequestGrants), sets each one's. Returns whether
// the request carries ids now: only then is it safe to retry.
bool SetClientRequestId(google::protobuf::Message* request);

// Whether an attempt that ended with `code` left the outcome unknown or
// unwritten, so that a retry with the same request id is the right thing:
// UNAVAILABLE and DEADLINE_EXCEEDED.
bool IsRetryable(grpc::StatusCode code);

// Runs `attempt` once; when `retryable` and it fails with a retryable
// code, again, up to kMaxCallAttempts in all, sleeping 100 ms, 200 ms,
// 400 ms between attempts. Returns the last attempt's status.
grpc::Status WithRetries(bool retryable,
                         absl::FunctionRef<grpc::Status()> attempt);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_RETRY_H_
