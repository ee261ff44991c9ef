#ifndef ACCORD_BROKER_SERVICE_SWEEPER_H_
#define ACCORD_BROKER_SERVICE_SWEEPER_H_

// Retention and the compaction after an erasure, on one background thread
// of their own (never a gRPC thread).
//
// Retention: consent records with their events and index entries are
// deleted once they have been withdrawn, expired or refused for longer
// than `consent_retention` (their tombstones likewise, counted from the
// consent's end), grant records once expired for longer than
// `grant_retention`; in write sets of at most `batch` records through the
// store's writer, with no audit event: the log is never touched. Client
// request records (service/request_ids.h) older than `request_id_window`
// go the same way.
// docs/privacy.md gives the defaults and why.

#include <cstddef>
#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/service/clock.h"
#include "broker/store/store.h"

namespace accord::service {

class Sweeper {
 public:
  struct Options {
    absl::Duration consent_retention = absl::Hours(24 * 1826);
    absl::Duration grant_retention = absl::Hours(24 * 365);
    absl::Duration request_id_window = absl::Hours(24);
    // Time between two sweeps (wall clock of the thread's waits); zero:
    // no periodic sweep (compactions still run).
    absl::Duration interval = absl::Hours(1);
    // Records per write set, 1..10000.
    size_t batch = 1000;
  };

  // `store` and `clock` are not owned and must outlive the sweeper.
  Sweeper(store::Store* store, const Clock* clock, Options options)
      : store_(store), clock_(clock), options_(options) {}
  ~Sweeper() { Stop(); }
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Starts the thread: a sweep at once, then every `interval`.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Runs a compaction still asked for, then stops the thread. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Asks the thread to compact the erased ranges (Store::CompactErased)
  // soon; returns at once. Several requests before it runs give one
  // compaction.
  void RequestCompaction() ABSL_LOCKS_EXCLUDED(mu_);

  // One sweep at clock->Now(), on the calling thread: deletes every record
  // past its retention, `batch` at a time, and returns how many it deleted.
  // Errors: the store's (a read, or a commit); what was committed before
  // stays deleted.
  absl::StatusOr<size_t> SweepOnce() const;

  // Compactions run so far.
  uint64_t compactions() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  void Compact() ABSL_LOCKS_EXCLUDED(mu_);

  store::Store* const store_;
  const Clock* const clock_;
  const Options options_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool compaction_wanted_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t compactions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_SWEEPER_H_
