#ifndef ACCORD_BROKER_STORE_EVENT_INDEXER_H_
#define ACCORD_BROKER_STORE_EVENT_INDEXER_H_

// The query indexes of the audit log (keys::EventTerm, keys::EventTime) and
// the grant indexes (store/grant_index.h), kept off the commit path. Only
// store/*.cc include this header.
//
// Everything they hold is derived from committed log entries: a thread of
// its own reads the entries the writer made durable, in log order, and
// writes their terms (auditlog::TermsOf) and the index entries of the
// grants they issued (GrantIndexEntries) together with its progress
// (keys::kEventIndexState) in one batch, not synced: a crash loses at most
// the batches since the last synced commit, and the progress stored with
// them says where to start again. A store opened on data whose indexes
// are behind (a crash, an older broker, an offline tool) catches up in the
// background; readers see the indexed part through the stored progress
// and read the rest of the log in order (Store::FindEventCandidates,
// ScanGrantIndex).

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/store/db.h"

namespace accord::store {

// The stored progress of the indexes.
struct EventIndexState {
  // Entries [0, indexed) are in the indexes.
  uint64_t indexed = 0;
  // The largest event time among them (Unix seconds, 0 when none).
  int64_t max_time = 0;
  // The largest amount by which an entry's time was behind the largest
  // time of the entries before it: an entry of time t is at or before the
  // first entry whose running largest time passes t + max_lag.
  int64_t max_lag = 0;
};

// The progress stored in `db` at `snapshot` (if not null); all zero when
// nothing was indexed. DATA_LOSS for a malformed record.
absl::StatusOr<EventIndexState> ReadEventIndexState(
    const Db& db, const rocksdb::Snapshot* snapshot);

class EventIndexer {
 public:
  // Starts the thread, which indexes the stored log up to `log_size` and
  // then whatever Advance announces.
  EventIndexer(const Db& db, uint64_t log_size);
  ~EventIndexer();
  EventIndexer(const EventIndexer&) = delete;
  EventIndexer& operator=(const EventIndexer&) = delete;

  // The log has `size` durable entries. Cheap; never blocks on the disk.
  void Advance(uint64_t size) ABSL_LOCKS_EXCLUDED(mu_);
  // Entries indexed so far.
  uint64_t indexed() const ABSL_LOCKS_EXCLUDED(mu_);
  // OK, or why indexing stopped (a log entry that does not decode) or
  // last failed (an I/O error, retried every second).
  absl::Status health() const ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until indexed() >= size: OK, DEADLINE_EXCEEDED after `timeout`,
  // or health() once indexing has stopped. For tools and tests.
  absl::Status WaitFor(uint64_t size, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the thread after the batch it is writing. Idempotent.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

  // Held by the thread while it reads the records of one batch and writes
  // it. The writer holds it from the reads of an erasure or a purge to its
  // commit, so that no batch derives an entry from a record they rewrite
  // or delete and writes it after them.
  absl::Mutex& batch_mutex() const ABSL_LOCK_RETURNED(batch_mu_) {
    return batch_mu_;
  }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Indexes entries [state.indexed, end) in one batch and advances `state`.
  absl::Status IndexBatch(EventIndexState& state, uint64_t end) const;

  const Db& db_;
  mutable absl::Mutex batch_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  uint64_t target_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t indexed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status health_ ABSL_GUARDED_BY(mu_);
  // A log entry did not decode: indexing stopped for good.
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_EVENT_INDEXER_H_
