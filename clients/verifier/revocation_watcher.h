#ifndef ACCORD_CLIENTS_VERIFIER_REVOCATION_WATCHER_H_
#define ACCORD_CLIENTS_VERIFIER_REVOCATION_WATCHER_H_

// Follows the broker's TrustService.WatchRevocations over mutual TLS into a
// RevokedGrants set that GrantVerifier consults (GrantVerifierOptions::
// revoked). When the stream breaks it resumes after the last revision it
// saw, after a backoff that doubles up to `max_backoff` (with jitter, so a
// fleet does not come back at once) and starts again once a stream was up.
//
// The broker shows a caller the revocations it may see: a data service
// should connect as the producer of the dataset it serves (or as the
// partner it serves).
//
//   auto watcher = RevocationWatcher::Start(endpoint, {});
//   options.revoked = (*watcher)->revoked();

#include <cstdint>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/verifier/broker_endpoint.h"
#include "clients/verifier/revoked_grants.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace accord::verifier {

// Thread-safe. Runs one thread until destroyed.
class RevocationWatcher {
 public:
  struct Options {
    // Bounds and staleness of the deny set.
    RevokedGrants::Options revoked;
    absl::Duration initial_backoff = absl::Milliseconds(200);
    absl::Duration max_backoff = absl::Seconds(10);
  };

  // Starts following (the first stream replays what the broker holds).
  // Returns the watcher, or the errors of ValidateBrokerEndpoint, NOT_FOUND
  // / FAILED_PRECONDITION naming a TLS file that cannot be read,
  // INVALID_ARGUMENT for a backoff that is not positive. An unreachable
  // broker is not an error here: the watcher keeps trying, and the set
  // refuses grants meanwhile (kRevocations).
  static absl::StatusOr<std::unique_ptr<RevocationWatcher>> Start(
      const BrokerEndpoint& endpoint, Options options);

  // Cancels the stream and joins the thread.
  ~RevocationWatcher();

  RevocationWatcher(const RevocationWatcher&) = delete;
  RevocationWatcher& operator=(const RevocationWatcher&) = delete;

  // The set this watcher fills. Never null.
  std::shared_ptr<const RevokedGrants> revoked() const { return revoked_; }

  // The newest revision received (0: none yet).
  uint64_t last_revision() const ABSL_LOCKS_EXCLUDED(mu_);
  // How many streams were opened so far.
  int64_t streams_opened() const ABSL_LOCKS_EXCLUDED(mu_);
  // How the last stream ended (OK while none has ended).
  absl::Status last_error() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  RevocationWatcher(std::shared_ptr<grpc::Channel> channel, Options options);

  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Follows one stream until it ends; returns how it ended.
  absl::Status FollowOnce() ABSL_LOCKS_EXCLUDED(mu_);

  const std::shared_ptr<grpc::Channel> channel_;
  const Options options_;
  const std::shared_ptr<RevokedGrants> revoked_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The call in flight, for the destructor to cancel.
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t last_revision_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t streams_opened_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_REVOCATION_WATCHER_H_
