#include "broker/service/call.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/service/clock.h"
#include "broker/service/grpc_status.h"
#include "broker/service/rate_limiter.h"
#include "broker/store/store.h"

namespace accord::service {

Call::Call(const Env& env, grpc::CallbackServerContext* context,
           absl::string_view method)
    : env_(&env),
      context_(context),
      reactor_(context->DefaultReactor()),
      method_(method),
      stats_(env.metrics->ForMethod(method)),
      start_(absl::Now()) {}

absl::StatusOr<Caller> Call::Authenticate() const {
  // gRPC may still dispatch a call whose deadline passed while it waited;
  // its client has given up, so nothing is done for it.
  if (deadline() <= absl::Now()) {
    return absl::DeadlineExceededError("the call's deadline has passed");
  }
  absl::StatusOr<Caller> caller = env_->auth->Authenticate(*context_, method_);
  if (caller.ok() && env_->rate_limiter != nullptr) {
    if (absl::Status s = env_->rate_limiter->Allow(caller->principal.id());
        !s.ok()) {
      return s;
    }
  }
  return caller;
}

absl::Time Call::deadline() const {
  const auto d = context_->deadline();
  if (d == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(d);
}

absl::Status Call::AwaitFreshness(uint64_t revision) const {
  if (revision == 0) return absl::OkStatus();
  absl::Duration wait = absl::Seconds(1);
  wait = std::min(wait, deadline() - absl::Now());
  absl::Status s = env_->store->WaitForRevision(revision, wait);
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "at_least_as_fresh: revision ", revision, " is not reached (now ",
        env_->store->revision(), ")"));
  }
  return s;
}

grpc::ServerUnaryReactor* Call::Finish(const absl::Status& status) const {
  stats_->Observe(static_cast<int>(status.code()),
                  absl::ToDoubleSeconds(absl::Now() - start_));
  reactor_->Finish(ToGrpc(status));
  return reactor_;
}

}  // namespace accord::service
