#include "broker/service/trust_service.h"

#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "broker/service/call.h"
#include "broker/service/grpc_status.h"
#include "broker/service/key_ring.h"
#include "broker/service/revocations.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

using accord::v1::Revocation;
using accord::v1::WatchRevocationsResponse;

constexpr size_t kReplayPage = 1000;
constexpr size_t kMaxQueued = 10000;
constexpr absl::string_view kMethod =
    "/accord.v1.TrustService/WatchRevocations";

// One WatchRevocations stream: replays the stored revocations after the
// requested revision, then follows the hub. Deletes itself in OnDone.
class RevocationStream final
    : public grpc::ServerWriteReactor<WatchRevocationsResponse>,
      public RevocationHub::Subscriber {
 public:
  RevocationStream(const Env& env, grpc::CallbackServerContext* context,
                   uint64_t after)
      : env_(env), queued_up_to_(after) {
    absl::Status s = Start(*context, after);
    if (!s.ok()) Stop(s);
  }

  void Deliver(const std::vector<Revocation>& batch) override {
    absl::MutexLock l(&mu_);
    for (const Revocation& r : batch) Enqueue(r);
    WriteNextLocked();
  }

  void Closed() override {
    Stop(absl::UnavailableError("the broker is shutting down"));
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock l(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(absl::CancelledError("the stream broke"));
      return;
    }
    if (!finish_status_.ok() || stopping_) {
      FinishLocked(finish_status_);
      return;
    }
    WriteNextLocked();
  }

  void OnCancel() override {
    Stop(absl::CancelledError("cancelled by the caller"));
  }

  void OnDone() override {
    if (subscribed_ && env_.revocations != nullptr) {
      env_.revocations->Unsubscribe(this);
    }
    delete this;
  }

 private:
  absl::Status Start(const grpc::CallbackServerContext& context, uint64_t after)
      ABSL_LOCKS_EXCLUDED(mu_) {
    auto caller = env_.auth->Authenticate(context, kMethod);
    if (!caller.ok()) return caller.status();
    if (env_.revocations == nullptr) {
      return absl::UnavailableError("revocations are not followed");
    }
    // Subscribe before reading the store, so nothing committed in between
    // is missed; what both report is dropped by revision.
    if (!env_.revocations->Subscribe(this)) {
      return absl::UnavailableError("the broker is shutting down");
    }
    subscribed_ = true;
    uint64_t from = after;
    while (true) {
      auto page = env_.store->ListRevocationsAfter(from, kReplayPage);
      if (!page.ok()) return page.status();
      absl::MutexLock l(&mu_);
      for (const Revocation& r : *page) Enqueue(r);
      if (!finish_status_.ok()) return absl::OkStatus();
      WriteNextLocked();
      if (page->size() < kReplayPage) break;
      from = page->back().revision();
    }
    return absl::OkStatus();
  }

  // Queues `r` unless it was already queued or sent.
  void Enqueue(const Revocation& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (r.revision() <= queued_up_to_ || finished_ || stopping_) return;
    if (queue_.size() >= kMaxQueued) {
      StopLocked(absl::ResourceExhaustedError(
          "the caller is too far behind: resume after the last revision "
          "received"));
      return;
    }
    queue_.push_back(r);
    queued_up_to_ = r.revision();
  }

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || stopping_ || queue_.empty()) return;
    *response_.mutable_revocation() = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    StartWrite(&response_);
  }

  void Stop(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    StopLocked(status);
  }

  // Finishes now, or after the write in flight.
  void StopLocked(const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (stopping_ || finished_) return;
    stopping_ = true;
    finish_status_ = status;
    if (!writing_) FinishLocked(status);
  }

  void FinishLocked(const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(ToGrpc(status));
  }

  const Env& env_;
  bool subscribed_ = false;  // set before any callback can run
  absl::Mutex mu_;
  std::deque<Revocation> queue_ ABSL_GUARDED_BY(mu_);
  // The newest revision queued (or the one the caller resumes after).
  uint64_t queued_up_to_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status finish_status_ ABSL_GUARDED_BY(mu_);
  WatchRevocationsResponse response_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerUnaryReactor* TrustServiceImpl::GetVerificationKeys(
    grpc::CallbackServerContext* context,
    const accord::v1::GetVerificationKeysRequest*,
    accord::v1::GetVerificationKeysResponse* response) {
  Call call(env_, context, "/accord.v1.TrustService/GetVerificationKeys");
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  response->set_jwks(env_.keys->JwksJson());
  response->set_receipt_jwks(env_.receipt_keys->JwksJson());
  response->set_checkpoint_key(env_.checkpoint_verifier_key);
  return call.Finish(absl::OkStatus());
}

grpc::ServerWriteReactor<WatchRevocationsResponse>*
TrustServiceImpl::WatchRevocations(
    grpc::CallbackServerContext* context,
    const accord::v1::WatchRevocationsRequest* request) {
  return new RevocationStream(env_, context, request->after_revision());
}

}  // namespace accord::service
