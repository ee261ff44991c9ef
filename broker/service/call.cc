#include "broker/service/call.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/service/clock.h"
#include "broker/service/grpc_status.h"
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
  return env_->auth->Authenticate(*context_, method_);
}

absl::Status Call::AwaitFreshness(uint64_t revision) const {
  if (revision == 0) return absl::OkStatus();
  absl::Duration wait = absl::Seconds(1);
  const absl::Time deadline = absl::FromChrono(context_->deadline());
  wait = std::min(wait, deadline - absl::Now());
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
