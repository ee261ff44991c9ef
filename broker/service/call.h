#ifndef ACCORD_BROKER_SERVICE_CALL_H_
#define ACCORD_BROKER_SERVICE_CALL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/http/metrics.h"
#include "broker/service/caller.h"
#include "broker/service/env.h"

namespace accord::service {

// One unary RPC in flight: authenticates its caller, and finishes it once,
// recording the outcome and latency in the metrics. Cheap to copy into the
// store's commit callbacks.
class Call {
 public:
  Call(const Env& env, grpc::CallbackServerContext* context,
       absl::string_view method);

  // The first step of every handler, before any work. Returns the caller;
  // or DEADLINE_EXCEEDED when the call's deadline has already passed;
  // the authentication/authorization error (UNAUTHENTICATED,
  // PERMISSION_DENIED); or RESOURCE_EXHAUSTED when the caller's principal
  // is over its rate limit (Env::rate_limiter).
  absl::StatusOr<Caller> Authenticate() const;

  // The call's deadline (absl::InfiniteFuture() when it has none). Write
  // paths put it on their store::WriteSet, so a write still queued when it
  // passes is not committed.
  absl::Time deadline() const;

  // Waits until the store has reached `revision` (0: no wait). UNAVAILABLE
  // when it does not within the call's deadline or one second.
  absl::Status AwaitFreshness(uint64_t revision) const;

  // Finishes the call with `status` and returns its reactor.
  grpc::ServerUnaryReactor* Finish(const absl::Status& status) const;

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }

 private:
  const Env* env_;
  grpc::CallbackServerContext* context_;
  grpc::ServerUnaryReactor* reactor_;
  absl::string_view method_;
  http::MethodStats* stats_;
  absl::Time start_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CALL_H_
