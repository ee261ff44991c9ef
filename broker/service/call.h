#ifndef ACCORD_BROKER_SERVICE_CALL_H_
#define ACCORD_BROKER_SERVICE_CALL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/http/metrics.h"
#include "broker/service/caller.h"
#include "broker/service/claims.h"
#include "broker/service/env.h"
#include "google/protobuf/message_lite.h"

namespace accord::service {

// One unary RPC in flight: authenticates its caller, and finishes it once,
// recording the outcome and latency in the metrics. Cheap to copy into the
// store's commit callbacks.
class Call {
 public:
  // `request` is the call's; its size is checked against its service's
  // bound (limits.h, MaxRequestBytes) by Authenticate.
  Call(const Env& env, grpc::CallbackServerContext* context,
       absl::string_view method, const google::protobuf::MessageLite& request);

  // The first step of every handler, before any work. Returns the caller;
  // or DEADLINE_EXCEEDED when the call's deadline has already passed;
  // RESOURCE_EXHAUSTED naming `request` when the request is larger than
  // its service takes;
  // RESOURCE_EXHAUSTED when the peer's address is over its rate limit
  // (Env::peer_rate_limiter, checked first), or when the caller's principal
  // is over its limit (Env::rate_limiter, charged `cost` tokens as the
  // cost model of rate_limiter.h says, before any citizen token is
  // checked); the authentication/authorization error (UNAUTHENTICATED,
  // PERMISSION_DENIED).
  absl::StatusOr<Caller> Authenticate(uint32_t cost = 1) const;

  // The call's deadline (absl::InfiniteFuture() when it has none). Write
  // paths put it on their store::WriteSet, so a write still queued when it
  // passes is not committed.
  absl::Time deadline() const;

  // Runs `then` once the store has reached `revision` (freshness.h), at
  // once when it is 0 or reached; never blocks the calling thread. On an
  // error (INVALID_ARGUMENT for a revision too far ahead, UNAVAILABLE when
  // it is not reached in time) the call is finished with it instead and
  // `then` never runs. The handler returns reactor() after calling it.
  void AfterFreshness(uint64_t revision, absl::AnyInvocable<void()> then) const;

  // Finishes the call with `status` and returns its reactor.
  grpc::ServerUnaryReactor* Finish(const absl::Status& status) const;

  // Finish, releasing `claim` first, so that the caller's next change is
  // never refused as concurrent with this one.
  grpc::ServerUnaryReactor* FinishReleasing(KeyClaims::Claim& claim,
                                            const absl::Status& status) const {
    claim.Release();
    return Finish(status);
  }

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }

 private:
  const Env* env_;
  grpc::CallbackServerContext* context_;
  grpc::ServerUnaryReactor* reactor_;
  absl::string_view method_;
  http::MethodStats* stats_;
  absl::Time start_;
  size_t request_bytes_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CALL_H_
