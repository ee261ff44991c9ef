#ifndef ACCORD_BROKER_STORE_DB_H_
#define ACCORD_BROKER_STORE_DB_H_

// The store's internals: the RocksDB handles and the writer thread. Only
// store/*.cc include this header.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/store/log_appender.h"
#include "broker/store/revision_waiters.h"
#include "broker/store/store.h"
#include "broker/store/write_set.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/write_batch.h"

namespace accord::store {

// Column families, in the order they are opened.
enum Family : size_t {
  kDefault = 0,
  kDatasets,
  kPolicies,
  kConsents,
  kConsentEvents,
  kGrants,
  kIndex,
  kAuditLeaves,
  kAuditHashes,
  kCheckpoints,
  kPrincipals,
  kMeta,
  kFamilyCount,
};

// RocksDB status -> our status: NoSpace is RESOURCE_EXHAUSTED, corruption
// DATA_LOSS, other I/O errors UNAVAILABLE.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

class Db;
class EventIndexer;

// One batch under construction on the writer thread.
struct BatchState {
  const Db& db;
  LogAppender* appender;  // null: no write set of the batch has events
  rocksdb::WriteBatch* batch;
  uint64_t revision = 0;  // the last revision handed out
  uint64_t log_size = 0;  // the log size once the batch is durable
  // Principals as the batch leaves them (nullopt: deleted).
  absl::flat_hash_map<std::string, std::optional<accord::v1::Principal>>
      principals;

  // Consent lists as the batch leaves them, by key.
  absl::flat_hash_map<std::string, ConsentList> consent_lists;

  // Quota uses as the batch leaves them, by key.
  absl::flat_hash_map<std::string, uint64_t> quota_uses;

  // Subject commitment keys read or created by the batch, by subject, so
  // that two write sets of one batch naming a new subject share its key.
  absl::flat_hash_map<std::string, std::string> subject_keys;

  // The keys of `subjects` (each once, in first-seen order), read from the
  // index or, for a subject without one, created by the appender and put
  // in the batch. Errors: the store's read error; DATA_LOSS for a stored
  // key that is not 32 bytes.
  absl::StatusOr<std::vector<KeyedSubject>> KeysOf(
      const google::protobuf::RepeatedPtrField<std::string>& subjects);

  // The client request records (keys::ClientRequest) put by the batch.
  absl::flat_hash_set<std::string> client_requests;

  // OK when `ws` records no client request id, or one neither stored nor
  // put earlier in the batch; then counts it in the batch. ABORTED naming
  // client_request_id otherwise (a call with the same id won), leaving
  // nothing.
  absl::Status ReserveClientRequest(const WriteSet& ws);
  // OK when every quota use of `ws` fits; then counts them in the batch.
  // RESOURCE_EXHAUSTED with kQuotaPayload otherwise, leaving nothing.
  absl::Status ReserveQuotas(const WriteSet& ws);
  // Adds `ws` at the next revision. On error the batch must be dropped.
  absl::StatusOr<CommitResult> Apply(WriteSet& ws);
  // Records the revision and log size, and writes the batch synced, its
  // operations sorted by key (sorted_batch.h).
  absl::Status Finish();
};

class Db {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<CommitResult>)>;

  Db() = default;
  ~Db();

  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path,
                                                  const StoreOptions& options);

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles_[f]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles() const {
    return handles_;
  }

  // Point read, at `snapshot` if not null: NOT_FOUND when absent.
  absl::StatusOr<std::string> Get(
      Family f, absl::string_view key,
      const rocksdb::Snapshot* snapshot = nullptr) const;

  void SetAppender(LogAppender* appender) ABSL_LOCKS_EXCLUDED(mu_);
  void Submit(WriteSet ws, Done done) ABSL_LOCKS_EXCLUDED(mu_);
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

  uint64_t revision() const {
    return revision_.load(std::memory_order_acquire);
  }
  uint64_t log_size() const {
    return log_size_.load(std::memory_order_acquire);
  }
  RevisionWaiters& waiters() const { return *waiters_; }
  // The query indexes' thread; null for a read-only store.
  EventIndexer* indexer() const { return indexer_.get(); }
  absl::Status health() const ABSL_LOCKS_EXCLUDED(mu_);
  // How long the oldest write set not yet durable has waited (0: none).
  absl::Duration OldestWriteWait() const ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes free for unprivileged users on the store's file system.
  absl::StatusOr<uint64_t> FreeBytes() const;
  uint64_t min_free_bytes() const { return min_free_bytes_; }
  bool read_only() const { return read_only_; }
  // StoreOptions::in_memory: the database lives in mem_env_, not on disk.
  bool in_memory() const { return mem_env_ != nullptr; }

 private:
  struct Pending {
    WriteSet ws;
    Done done;
    absl::Time submitted;
  };

  absl::Status CheckFormat(bool created);
  // Rewrites a format 1 store as format 2 (upgrade.cc).
  absl::Status UpgradeFrom1();
  // Marks a format 2 store as format 3 (upgrade.cc).
  absl::Status UpgradeFrom2();
  // Counts each consent's events in its record, format 3 -> 4 (upgrade.cc).
  absl::Status UpgradeFrom3();
  void WriterLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // On the writer thread, before a batch: after a failed write, asks
  // RocksDB to leave its background-error (read-only) state. OK when the
  // store takes writes; the I/O error while it cannot (the disk is still
  // full).
  absl::Status ResumeIfNeeded();
  // RESOURCE_EXHAUSTED while the store's file system has less than
  // min_free_bytes_ free; OK otherwise (or when it cannot tell).
  absl::Status CheckFreeSpace() const;
  // Records the outcome of a batch and reports a change to
  // on_write_health_.
  void SetWriteHealth(const absl::Status& s) ABSL_LOCKS_EXCLUDED(mu_);
  // Applies `pending` as one synced batch and runs their callbacks.
  void CommitBatch(std::vector<Pending>& pending, LogAppender* appender)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The in-memory environment of an in-memory store (null otherwise).
  // Declared before db_, so it outlives the database that lives in it.
  std::unique_ptr<rocksdb::Env> mem_env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  bool read_only_ = false;
  std::string path_;
  uint64_t min_free_bytes_ = 0;
  std::function<void(const absl::Status&)> on_write_health_;
  std::function<void(const CommitStats&)> on_commit_;
  // Writer thread only: the last batch failed on an I/O error.
  bool needs_resume_ = false;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  LogAppender* appender_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Status last_write_ ABSL_GUARDED_BY(mu_);
  // When the oldest write set of the batch being written was submitted.
  absl::Time oldest_in_flight_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::thread writer_;
  // Started at Open after the writer; told of each commit by it.
  std::unique_ptr<EventIndexer> indexer_;
  // Set at Open, before the writer starts; advanced by the writer.
  std::unique_ptr<RevisionWaiters> waiters_;
  std::atomic<uint64_t> revision_{0};
  std::atomic<uint64_t> log_size_{0};
};

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_DB_H_
