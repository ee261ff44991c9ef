#ifndef ACCORD_BROKER_AUDITLOG_CHECKPOINTER_H_
#define ACCORD_BROKER_AUDITLOG_CHECKPOINTER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/log.h"
#include "broker/crypto/signed_note.h"

namespace accord::auditlog {

// A checkpoint with the signed note that publishes it.
struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;
};

// Signs and publishes checkpoints of a Log's committed tree: on demand, and
// from its own thread at least once per `interval` while the log grows.
// Checkpoints are published in increasing size order, one publish at a
// time; no lock is held while signing or persisting, so Latest answers
// meanwhile and the persist function may wait for a store commit.
// Thread-safe.
class Checkpointer {
 public:
  // Stores `checkpoint` durably (the broker writes it to the store). It is
  // published (Latest) only if this returns OK.
  using PersistFn = std::function<absl::Status(const SignedCheckpoint&)>;
  // The current time; tests pass a fake clock.
  using ClockFn = std::function<absl::Time()>;

  struct Options {
    std::string origin;
    absl::Duration interval = absl::Seconds(1);
  };

  // Returns a stopped checkpointer for `log` signing with `signer`; both
  // must outlive it.
  // `latest`, if set, is the last checkpoint persisted before a restart.
  // Errors: InvalidArgument if the origin fails ValidateOrigin, the interval
  // is not positive, a function is empty, or `latest` has another origin or
  // is larger than the log.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Create(
      const Log& log, Options options, const crypto::NoteSigner& signer,
      PersistFn persist, ClockFn clock,
      std::optional<SignedCheckpoint> latest = std::nullopt);

  // Stops the thread.
  ~Checkpointer() ABSL_LOCKS_EXCLUDED(mu_);

  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Starts the thread, which calls Tick about four times per interval.
  // Returns OK. Errors: FailedPrecondition if already started.
  absl::Status Start() ABSL_LOCKS_EXCLUDED(mu_);

  // Stops and joins the thread; does nothing if it is not running.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Signs, persists and publishes a checkpoint of the log's committed head.
  // Returns it, or the latest one unchanged if the log has not grown since.
  // Errors: the error of the signer or the persist function (nothing
  // published).
  // Waits while another publish is under way.
  absl::StatusOr<SignedCheckpoint> CheckpointNow() ABSL_LOCKS_EXCLUDED(mu_);

  // Publishes a new checkpoint if the log grew and the latest one is at
  // least half an interval old by the clock (or there is none). With the
  // thread ticking every quarter interval, growth is published within
  // three quarters of an interval, at most twice per interval. Returns OK when
  // there was nothing to do or the checkpoint was published; the error of
  // CheckpointNow otherwise.
  absl::Status Tick() ABSL_LOCKS_EXCLUDED(mu_);

  // Returns the latest published checkpoint, or nullopt before the first.
  std::optional<SignedCheckpoint> Latest() const ABSL_LOCKS_EXCLUDED(mu_);

  // Returns the error of the last failed attempt of the thread, or OK.
  absl::Status last_error() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Checkpointer(const Log& log, Options options,
               const crypto::NoteSigner& signer, PersistFn persist,
               ClockFn clock, std::optional<SignedCheckpoint> latest);
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits for the turn to publish (publishing_), publishes as
  // PublishInTurn says, and gives the turn back.
  absl::StatusOr<SignedCheckpoint> Publish(bool only_if_due)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The latest checkpoint when it covers the log's head (or, with
  // `only_if_due`, is under half an interval old); else signs, persists and
  // publishes the head. Called only by the holder of the turn.
  absl::StatusOr<SignedCheckpoint> PublishInTurn(bool only_if_due)
      ABSL_LOCKS_EXCLUDED(mu_);

  const Log& log_;
  const Options options_;
  const crypto::NoteSigner& signer_;
  const PersistFn persist_;
  const ClockFn clock_;

  mutable absl::Mutex mu_;
  // A publish is signing and persisting: the others wait for their turn
  // (with mu_ released), so checkpoints are persisted in size order.
  bool publishing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<SignedCheckpoint> latest_ ABSL_GUARDED_BY(mu_);
  absl::Time latest_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_CHECKPOINTER_H_
