#include "broker/service/trust_service.h"

#include <algorithm>
#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/rpc/status.h"
#include "broker/service/call.h"
#include "broker/service/key_ring.h"
#include "broker/service/rate_limiter.h"
#include "broker/service/revocations.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

using accord::v1::Revocation;
using accord::v1::WatchRevocationsResponse;

// Revocations read from the store per step of a replay: each step is one
// bounded piece of work on a gRPC thread, never the whole replay.
constexpr size_t kReplayPage = 100;
constexpr size_t kMaxQueued = 10000;
constexpr absl::string_view kMethod =
    "/accord.v1.TrustService/WatchRevocations";

// Which revoked grants a watcher may see: a partner its own, a producer
// those on its datasets, the operator and auditors every one.
struct Scope {
  enum class Kind { kAll, kPartner, kProducer } kind;
  std::string principal;

  static Scope Of(const accord::v1::Principal& p) {
    switch (p.role()) {
      case accord::v1::ROLE_OPERATOR:
      case accord::v1::ROLE_AUDITOR:
        return {Kind::kAll, p.id()};
      case accord::v1::ROLE_PRODUCER:
        return {Kind::kProducer, p.id()};
      default:
        return {Kind::kPartner, p.id()};
    }
  }

  // Appends to `out` what this watcher may see of `in`. The operator and
  // auditors see the revocation as it is. A partner or a producer gets one
  // message per grant id in its scope, with the cause and no revision:
  // grants revoked together (one consent withdrawal revoking grants that
  // named the same subject) are never linked by one message nor by a
  // shared revision. Returns how many messages were appended.
  size_t Filter(const OwnedRevocation& in, std::vector<Revocation>* out) const {
    if (kind == Kind::kAll) {
      out->push_back(in.revocation);
      return 1;
    }
    size_t added = 0;
    for (int i = 0; i < in.revocation.grant_ids_size(); ++i) {
      const GrantOwner& owner = in.owners[i];
      const std::string& who =
          kind == Kind::kPartner ? owner.partner : owner.producer;
      if (who != principal) continue;
      Revocation& one = out->emplace_back();
      one.add_grant_ids(in.revocation.grant_ids(i));
      one.set_cause(in.revocation.cause());
      ++added;
    }
    return added;
  }

  // Orders the messages of one delivery (a replay page or a batch of the
  // hub) for this watcher. A partner's or a producer's are sorted by grant
  // id, so their order within the delivery does not show which were
  // revoked together, and only the last carries a revision, `revision`
  // (every grant revoked up to it is in the delivery or was sent before):
  // the point to resume after.
  void Seal(std::vector<Revocation>* messages, uint64_t revision) const {
    if (kind == Kind::kAll || messages->empty()) return;
    std::sort(messages->begin(), messages->end(),
              [](const Revocation& a, const Revocation& b) {
                return a.grant_ids(0) < b.grant_ids(0);
              });
    messages->back().set_revision(revision);
  }
};

// One WatchRevocations stream: replays the stored revocations after the
// requested revision a page at a time (each page read when the previous
// one is written), then follows the hub. Deletes itself in OnDone.
class RevocationStream final
    : public grpc::ServerWriteReactor<WatchRevocationsResponse>,
      public RevocationHub::Subscriber {
 public:
  RevocationStream(const Env& env, RevocationStreamSlots* slots,
                   grpc::CallbackServerContext* context, uint64_t after)
      : env_(env), slots_(slots), queued_up_to_(after), replayed_to_(after) {
    absl::Status s = Start(*context);
    if (!s.ok()) Stop(s);
  }

  void Deliver(const std::vector<OwnedRevocation>& batch) override {
    absl::MutexLock l(&mu_);
    if (replaying_) {
      // The replay reads these from the store; it must only know it has
      // more to read.
      if (!batch.empty()) {
        live_seen_ = std::max(live_seen_, batch.back().revocation.revision());
      }
      return;
    }
    Enqueue(batch);
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
    if (queue_.empty() && replaying_) ReplayStepLocked();
    WriteNextLocked();
  }

  void OnCancel() override {
    Stop(absl::CancelledError("cancelled by the caller"));
  }

  void OnDone() override {
    if (subscribed_ && env_.revocations != nullptr) {
      env_.revocations->Unsubscribe(this);
    }
    if (!slot_holder_.empty()) slots_->Release(slot_holder_);
    delete this;
  }

 private:
  absl::Status Start(const grpc::CallbackServerContext& context)
      ABSL_LOCKS_EXCLUDED(mu_) {
    RateLimiter* limiter = env_.rate_limiter;
    auto caller = env_.auth->Authenticate(
        context, kMethod, [limiter](absl::string_view key) {
          return limiter == nullptr ? absl::OkStatus() : limiter->Allow(key);
        });
    if (!caller.ok()) return caller.status();
    if (env_.revocations == nullptr) {
      return absl::UnavailableError("revocations are not followed");
    }
    if (absl::Status s = slots_->Take(caller->principal.id()); !s.ok()) {
      return s;
    }
    slot_holder_ = caller->principal.id();
    scope_ = Scope::Of(caller->principal);
    // Subscribe before reading the store, so nothing committed in between
    // is missed (Deliver notes it during the replay).
    if (!env_.revocations->Subscribe(this)) {
      return absl::UnavailableError("the broker is shutting down");
    }
    subscribed_ = true;
    absl::MutexLock l(&mu_);
    ReplayStepLocked();
    WriteNextLocked();
    return absl::OkStatus();
  }

  // Reads one page of stored revocations after replayed_to_ and queues
  // those in scope. Ends the replay once the store holds no more than
  // what was read and no delivery came past it meanwhile.
  void ReplayStepLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (replaying_ && queue_.empty() && !stopping_ && !finished_) {
      auto page = ReadOwnedRevocations(*env_.store, replayed_to_, kReplayPage);
      if (!page.ok()) {
        StopLocked(page.status());
        return;
      }
      Enqueue(*page);
      if (!page->empty()) replayed_to_ = page->back().revocation.revision();
      if (page->size() < kReplayPage && live_seen_ <= replayed_to_) {
        replaying_ = false;
      }
    }
  }

  // Queues what of `batch` is in scope, skipping the revocations already
  // queued or sent.
  void Enqueue(const std::vector<OwnedRevocation>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || stopping_) return;
    std::vector<Revocation> visible;
    for (const OwnedRevocation& r : batch) {
      if (r.revocation.revision() <= queued_up_to_) continue;
      queued_up_to_ = r.revocation.revision();
      scope_.Filter(r, &visible);
    }
    if (visible.empty()) return;
    scope_.Seal(&visible, queued_up_to_);
    // A delivery is always taken whole when nothing waits, so that one
    // revocation of more grants than the bound cannot end every resume.
    if (!queue_.empty() && queue_.size() + visible.size() > kMaxQueued) {
      StopLocked(absl::ResourceExhaustedError(
          "the caller is too far behind: resume after the last revision "
          "received"));
      return;
    }
    for (Revocation& m : visible) queue_.push_back(std::move(m));
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
    Finish(rpc::ToGrpc(status));
  }

  const Env& env_;
  RevocationStreamSlots* const slots_;
  // Set in Start, before any callback can run.
  bool subscribed_ = false;
  std::string slot_holder_;
  Scope scope_{Scope::Kind::kPartner, ""};
  absl::Mutex mu_;
  std::deque<Revocation> queue_ ABSL_GUARDED_BY(mu_);
  // The newest revision queued or filtered out (or the one the caller
  // resumes after).
  uint64_t queued_up_to_ ABSL_GUARDED_BY(mu_);
  // The replay: read from the store up to replayed_to_; the newest
  // revision the hub delivered meanwhile.
  bool replaying_ ABSL_GUARDED_BY(mu_) = true;
  uint64_t replayed_to_ ABSL_GUARDED_BY(mu_);
  uint64_t live_seen_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status finish_status_ ABSL_GUARDED_BY(mu_);
  WatchRevocationsResponse response_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::Status RevocationStreamSlots::Take(const std::string& principal) {
  absl::MutexLock l(&mu_);
  if (total_ >= max_total_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "revocation streams: ", max_total_, " are open on this broker"));
  }
  uint32_t& mine = per_principal_[principal];
  if (mine >= max_per_principal_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("revocation streams: principal '", principal, "' has ",
                     max_per_principal_, " open"));
  }
  ++mine;
  ++total_;
  return absl::OkStatus();
}

void RevocationStreamSlots::Release(const std::string& principal) {
  absl::MutexLock l(&mu_);
  auto it = per_principal_.find(principal);
  if (it == per_principal_.end()) return;
  if (--it->second == 0) per_principal_.erase(it);
  --total_;
}

grpc::ServerUnaryReactor* TrustServiceImpl::GetVerificationKeys(
    grpc::CallbackServerContext* context,
    const accord::v1::GetVerificationKeysRequest* request,
    accord::v1::GetVerificationKeysResponse* response) {
  Call call(env_, context, "/accord.v1.TrustService/GetVerificationKeys",
            *request);
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
  return new RevocationStream(env_, &slots_, context,
                              request->after_revision());
}

}  // namespace accord::service
