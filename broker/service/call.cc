#include "broker/service/call.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/rpc/status.h"
#include "broker/service/clock.h"
#include "broker/service/freshness.h"
#include "broker/service/limits.h"
#include "broker/service/rate_limiter.h"
#include "broker/service/readiness.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

// The peer's address without its port ("ipv4:10.0.0.1", "ipv6:[::1]"):
// the key of its rate limit, shared by its connections.
std::string PeerAddress(const grpc::CallbackServerContext& context) {
  std::string peer = context.peer();
  const size_t colon = peer.rfind(':');
  const size_t scheme = peer.find(':');
  if (colon != std::string::npos && colon != scheme &&
      peer.compare(0, 5, "unix:") != 0) {
    peer.resize(colon);
  }
  return peer;
}

}  // namespace

Call::Call(const Env& env, grpc::CallbackServerContext* context,
           absl::string_view method,
           const google::protobuf::MessageLite& request)
    : env_(&env),
      context_(context),
      reactor_(context->DefaultReactor()),
      method_(method),
      stats_(env.metrics->ForMethod(method)),
      start_(absl::Now()),
      request_bytes_(request.ByteSizeLong()) {
  if (env.readiness != nullptr) env.readiness->CallStarted();
}

absl::StatusOr<Caller> Call::Authenticate(uint32_t cost) const {
  // gRPC may still dispatch a call whose deadline passed while it waited;
  // its client has given up, so nothing is done for it.
  if (deadline() <= absl::Now()) {
    return absl::DeadlineExceededError("the call's deadline has passed");
  }
  if (const size_t max = MaxRequestBytes(method_); request_bytes_ > max) {
    return absl::ResourceExhaustedError(
        absl::StrCat("request: ", request_bytes_, " bytes, more than the ", max,
                     " its service takes"));
  }
  if (env_->peer_rate_limiter != nullptr) {
    if (absl::Status s = env_->peer_rate_limiter->Allow(PeerAddress(*context_));
        !s.ok()) {
      return s;
    }
  }
  RateLimiter* limiter = env_->rate_limiter;
  return env_->auth->Authenticate(
      *context_, method_, [limiter, cost](absl::string_view key) {
        return limiter == nullptr ? absl::OkStatus()
                                  : limiter->Allow(key, cost);
      });
}

absl::Time Call::deadline() const {
  const auto d = context_->deadline();
  if (d == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(d);
}

void Call::AfterFreshness(uint64_t revision,
                          absl::AnyInvocable<void()> then) const {
  WhenFresh(*env_->store, revision, deadline(),
            [call = *this, then = std::move(then)](absl::Status s) mutable {
              if (!s.ok()) return (void)call.Finish(s);
              then();
            });
}

grpc::ServerUnaryReactor* Call::Finish(const absl::Status& status) const {
  if (env_->readiness != nullptr) env_->readiness->CallFinished();
  stats_->Observe(static_cast<int>(status.code()),
                  absl::ToDoubleSeconds(absl::Now() - start_));
  reactor_->Finish(rpc::ToGrpc(status));
  return reactor_;
}

}  // namespace accord::service
