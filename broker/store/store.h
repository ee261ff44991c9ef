#ifndef ACCORD_BROKER_STORE_STORE_H_
#define ACCORD_BROKER_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/common.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/policy.pb.h"
#include "accord/v1/trust.pb.h"
#include "broker/store/log_appender.h"
#include "broker/store/records.pb.h"
#include "broker/store/write_set.h"

namespace accord::store {

// The storage format this build reads and writes.
inline constexpr int kFormatVersion = 4;

// One group commit, as the writer saw it.
struct CommitStats {
  // Write sets committed together (those refused alone, for a passed
  // deadline or a used-up quota, not counted).
  size_t write_sets = 0;
  // How long the oldest of them waited for the writer.
  absl::Duration queued;
  // The synced write itself (RocksDB write and fsync).
  absl::Duration write;
};

struct StoreOptions {
  // The audit log that encodes events and computes tree nodes. Not owned;
  // must outlive the store. May be null: write sets that carry audit events
  // are then refused (FAILED_PRECONDITION) until SetLogAppender is called.
  LogAppender* appender = nullptr;
  // Shared block cache. Memtables are charged to it too, so the store's
  // memory stays bounded by this figure (plus iterators in use).
  size_t block_cache_bytes = 64ull << 20;
  bool create_if_missing = true;
  // Opens without a writer: for offline tools. Commit then fails.
  bool read_only = false;
  // Keeps the whole store in memory (RocksDB's in-memory environment,
  // rocksdb::NewMemEnv): for unit tests of the code above the store. It is
  // the same store (write sets, group commit, quotas, log appends,
  // revisions and their waiters, erasure and its compaction run unchanged)
  // with nothing on disk: the path given to Open (any name, relative or
  // empty) only names it in messages, nothing is read or created there,
  // and its content is gone once it closes. So an in-memory store always
  // starts empty: Open refuses one with `create_if_missing` false
  // (NOT_FOUND) or `read_only` (INVALID_ARGUMENT). It has no file system:
  // `min_free_bytes` is ignored (min_free_bytes() is 0), FreeBytes and
  // Backup are FAILED_PRECONDITION. Syncs cost nothing, so its commits say
  // nothing of the disk's speed.
  bool in_memory = false;
  // A batch is refused (RESOURCE_EXHAUSTED) while the file system of the
  // store has less free space than this, so RocksDB never meets a full disk
  // in the middle of a WAL append (RocksDB 7.8 cannot write again after
  // one) and flushes still have room. Writes succeed again once space
  // returns. 0 disables the check.
  uint64_t min_free_bytes = 64ull << 20;
  // Called on the writer thread when writes start failing (with the error)
  // and when they succeed again (with OK): once per change, not per write,
  // so a full disk gives one line in the broker's log. Must be cheap.
  std::function<void(const absl::Status&)> on_write_health;
  // Called on the writer thread after each group commit that succeeded.
  // Must be cheap.
  std::function<void(const CommitStats&)> on_commit;
  // Callbacks that may wait for a revision at once (WhenRevision); one
  // more is refused with RESOURCE_EXHAUSTED.
  size_t max_revision_waiters = 10000;
};

// What one committed write set got.
struct CommitResult {
  uint64_t revision = 0;
  // The log index of each audit event of the write set, in order.
  std::vector<uint64_t> log_indices;
};

// One page of a list: the records and the cursor of the next page, empty
// when the list is complete. Cursors are opaque, URL-safe strings.
// What names one subject, read at one snapshot (erasure, store/erase.h).
struct SubjectFootprint {
  // The subject's consent records (any state), without their events.
  std::vector<accord::v1::Consent> consents;
  // The grant records (any state) that name the subject.
  std::vector<GrantRecord> grants;
  // Whether the subject has a commitment key.
  bool has_subject_key = false;

  bool empty() const {
    return consents.empty() && grants.empty() && !has_subject_key;
  }
};

// Records past their retention (service/sweeper.h), by id.
struct ExpiredRecords {
  std::vector<std::string> consent_ids;
  std::vector<std::string> grant_ids;
  std::vector<std::string> tombstone_ids;

  size_t size() const {
    return consent_ids.size() + grant_ids.size() + tombstone_ids.size();
  }
};

// Log entries a QueryEvents query may match (Store::FindEventCandidates).
struct EventCandidates {
  // Ascending log indices in [from, next) of the call: every entry of that
  // range that auditlog::EventMatches the query, its subject filter aside,
  // is among them. The caller checks each with EventMatches: the since and
  // until filters only bound the range.
  std::vector<uint64_t> indices;
  // Where the next call resumes: the `to` of the call when it is done.
  uint64_t next = 0;
  // How many of `indices` were taken in log order, every entry of a range,
  // because no index could narrow them: entries the indexes do not hold
  // yet, or a query that sets none of the indexed filters.
  uint64_t scanned = 0;
};

template <typename T>
struct Page {
  std::vector<T> records;
  std::string next_cursor;
};

class Db;

// Accord's durable state, spoken of in domain terms. Thread-safe.
//
// Writes go through one writer thread that group-commits every pending
// write set in one synced batch: each write set gets its own revision
// (contiguous, from 1), its audit events get their log indices in the same
// batch, and its callback runs once the batch is durable.
class Store {
 public:
  // Opens (or creates) the store at `path` and, unless read-only, starts
  // its writer thread. With StoreOptions::in_memory, creates a new, empty
  // store in memory instead (see there). Errors: FAILED_PRECONDITION when the
  // directory holds a newer, older or unreadable storage format, or is not an
  // Accord store (another RocksDB, other files); NOT_FOUND when it does not
  // exist and `create_if_missing` is false; DATA_LOSS when RocksDB finds it
  // corrupted; UNAVAILABLE (RESOURCE_EXHAUSTED) on other I/O errors.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& path, const StoreOptions& options);

  // Copies a backup made by Backup() into `data_dir`, which must not exist
  // or be empty. Errors: FAILED_PRECONDITION, UNAVAILABLE.
  static absl::Status RestoreFrom(const std::string& backup_dir,
                                  const std::string& data_dir);

  ~Store();

  // Attaches the audit log when it could not be given in StoreOptions (the
  // log is usually rebuilt from the store's own tree nodes, so it exists
  // only after Open). Applies to the next batch. Not owned.
  void SetLogAppender(LogAppender* appender);

  // Queues `ws` and returns at once; never waits for the disk. A write set
  // whose records lack an identifier (or hold a NUL byte in one) is refused
  // at once, on the calling thread, with INVALID_ARGUMENT naming the field.
  // Otherwise `done` runs exactly once, on the writer thread, after the
  // batch holding `ws` was synced, with the revision and log indices `ws`
  // got; or with an error:
  // ABORTED naming client_request_id when `ws` records the answer to a
  // client request id already recorded (WriteSet::ClientRequestOp), with
  // nothing of `ws` written;
  // RESOURCE_EXHAUSTED when the disk is full, UNAVAILABLE on other I/O
  // errors or when the store is closed, FAILED_PRECONDITION for a
  // read-only store or a write set with audit events and no log attached,
  // or the log's own error. A failed batch leaves no trace: no revision, no
  // log entry. After an I/O error (a full disk) the next batch first asks
  // RocksDB to resume: writes succeed again once space returns, without a
  // restart; until then they fail at once with the same kind of error.
  // Callbacks of one batch run in commit order. `done` must be cheap and must
  // not block (no CommitAndWait, no WaitForRevision): every other writer waits
  // for it.
  void Commit(WriteSet ws,
              absl::AnyInvocable<void(absl::StatusOr<CommitResult>)> done);
  // Commit, waiting for the outcome. Never call it on the writer thread.
  absl::StatusOr<CommitResult> CommitAndWait(WriteSet ws);

  // Drains pending writes (their callbacks run), stops the writer, closes
  // the database. Idempotent; the destructor calls it. Commits after it
  // fail with UNAVAILABLE; reads after it are not allowed.
  void Close();

  // The last durable revision.
  uint64_t revision() const;
  // Runs `done` once revision() >= `rev`, without blocking anyone: at once
  // on the calling thread with OK when it is reached already; otherwise on
  // the store's waiter thread with OK when a commit reaches it,
  // DEADLINE_EXCEEDED once `deadline` passes first, UNAVAILABLE when the
  // store closes first. At once: RESOURCE_EXHAUSTED when
  // StoreOptions::max_revision_waiters callbacks wait already. `done` must
  // be short and must not block (every waiter shares one thread).
  void WhenRevision(uint64_t rev, absl::Time deadline,
                    absl::AnyInvocable<void(absl::Status)> done) const;
  // Callbacks waiting in WhenRevision now.
  size_t waiting_for_revision() const;
  // WhenRevision, blocking the calling thread up to `timeout`: for tools
  // and tests, never for a gRPC handler.
  absl::Status WaitForRevision(uint64_t rev, absl::Duration timeout) const;
  // OK unless the last write failed.
  absl::Status Health() const;
  // How long the oldest write set not yet durable has waited for the
  // writer (0 when none waits): a stalled writer shows here first.
  absl::Duration OldestWriteWait() const;
  // Bytes free for unprivileged users on the store's file system now.
  // Errors: UNAVAILABLE when the file system cannot be asked;
  // FAILED_PRECONDITION for an in-memory store, which has none.
  absl::StatusOr<uint64_t> FreeBytes() const;
  // StoreOptions::min_free_bytes: below this many free bytes writes are
  // refused (0: never, and always for an in-memory store).
  uint64_t min_free_bytes() const;

  // Reads see every write whose callback has run. NOT_FOUND for a missing
  // record; UNAVAILABLE or DATA_LOSS on a storage error. Lists take the
  // cursor of the previous page ("" for the first) and a `limit` (0 or more
  // than 1000 means 1000); INVALID_ARGUMENT for a cursor that is not one of
  // this list's.
  absl::StatusOr<accord::v1::Dataset> GetDataset(absl::string_view id) const;
  absl::StatusOr<Page<accord::v1::Dataset>> ListDatasets(
      absl::string_view cursor, size_t limit) const;
  // `version` 0 means the latest.
  absl::StatusOr<accord::v1::PolicyVersion> GetPolicyVersion(
      absl::string_view dataset_id, uint64_t version) const;
  // Newest first.
  absl::StatusOr<Page<accord::v1::PolicyVersion>> ListPolicyVersions(
      absl::string_view dataset_id, absl::string_view cursor,
      size_t limit) const;

  absl::StatusOr<accord::v1::Principal> GetPrincipal(
      absl::string_view id) const;
  // The principal whose certificate URI is `uri` or whose certificate
  // SHA-256 is `sha256_hex` (either may be empty).
  absl::StatusOr<accord::v1::Principal> FindPrincipalByCertificate(
      absl::string_view uri, absl::string_view sha256_hex) const;
  absl::StatusOr<Page<accord::v1::Principal>> ListPrincipals(
      absl::string_view cursor, size_t limit) const;

  // A consent with its events (earlier_events 0).
  absl::StatusOr<accord::v1::Consent> GetConsent(absl::string_view id) const;
  // A consent's record as stored: without its events, earlier_events
  // counting them. One point read, whatever the history's length: what a
  // change starts from (it adds its events after those).
  absl::StatusOr<accord::v1::Consent> GetConsentHead(
      absl::string_view id) const;
  // A subject's consents, optionally of one dataset, with their events.
  absl::StatusOr<Page<accord::v1::Consent>> ListConsentsBySubject(
      absl::string_view subject, absl::string_view dataset_id,
      absl::string_view cursor, size_t limit) const;
  // Every consent (any state) of `subjects` for `dataset_id`, for a
  // decision or a change: the records as stored (as GetConsentHead), whose
  // `state` is current; empty if none. One point read per subject, all at
  // one snapshot. INVALID_ARGUMENT for an empty dataset id
  // or subject, or one holding a NUL byte.
  absl::StatusOr<std::vector<accord::v1::Consent>> ConsentsForSubjects(
      absl::string_view dataset_id,
      absl::Span<const std::string> subjects) const;

  // Consent requests (ConsentRequestService), with their events.
  absl::StatusOr<accord::v1::ConsentRequest> GetConsentRequest(
      absl::string_view id) const;
  // Every consent request, by id.
  absl::StatusOr<Page<accord::v1::ConsentRequest>> ListConsentRequests(
      absl::string_view cursor, size_t limit) const;
  // The answers to a consent request (consents and refusals, with their
  // events), by consent id.
  absl::StatusOr<Page<accord::v1::Consent>> ListAnswersOfRequest(
      absl::string_view request_id, absl::string_view cursor,
      size_t limit) const;

  absl::StatusOr<GrantRecord> GetGrant(absl::string_view id) const;
  // The three reads below see every grant committed before the call,
  // including those the indexer has not reached yet (store/grant_index.h).
  // Grants that named `subject`, newest first.
  absl::StatusOr<Page<GrantRecord>> ListGrantsBySubject(
      absl::string_view subject, absl::string_view cursor, size_t limit) const;
  // Ids of the grants that named `subject` for `dataset_id` issued at or
  // after `issued_after` (Unix seconds), oldest first; empty if none.
  absl::StatusOr<std::vector<std::string>> GrantIdsForSubjectAndDataset(
      absl::string_view subject, absl::string_view dataset_id,
      int64_t issued_after) const;

  // The grants of `partner` issued at or after `issued_after` (Unix
  // seconds) that are neither released nor expired at `now`, oldest first,
  // read at one snapshot; empty if none. DATA_LOSS for a malformed index
  // entry or record.
  absl::StatusOr<std::vector<GrantRecord>> LiveGrantsOfPartner(
      absl::string_view partner, int64_t issued_after, int64_t now) const;

  // The log index of the audit entry that recorded the grant's issue.
  // NOT_FOUND for an unknown grant.
  absl::StatusOr<uint64_t> FindLogIndexOfGrant(
      absl::string_view grant_id) const;

  // At most `limit` (1..1000) revocations committed after `revision`, oldest
  // first, each with the revision it was committed at; empty when there is
  // none yet.
  absl::StatusOr<std::vector<accord::v1::Revocation>> ListRevocationsAfter(
      uint64_t revision, size_t limit) const;

  // Everything that names `subject`: its consent records, the grant
  // records naming it, whether it has a commitment key; all empty when the
  // store does not know it. INVALID_ARGUMENT for an empty subject or one
  // with a NUL byte; DATA_LOSS for a record that does not parse.
  absl::StatusOr<SubjectFootprint> FindSubject(absl::string_view subject) const;

  // At most `limit` records (1..10000) past their retention at `now`
  // (Unix seconds): consents withdrawn, expired or refused more than
  // `consent_retention_seconds` ago, consent tombstones whose consent ended
  // that long ago, and grants expired more than `grant_retention_seconds`
  // ago. DATA_LOSS for a record that does not parse.
  absl::StatusOr<ExpiredRecords> FindExpired(int64_t now,
                                             int64_t consent_retention_seconds,
                                             int64_t grant_retention_seconds,
                                             size_t limit) const;

  // The answer recorded for a client request id of `caller` on `method`
  // (WriteSet::ClientRequestOp). NOT_FOUND when none is stored (never
  // recorded, or swept); DATA_LOSS for a record that does not parse.
  absl::StatusOr<ClientRequestRecord> GetClientRequest(
      absl::string_view caller, absl::string_view method,
      absl::string_view id) const;
  // The 'W' keys (keys::ClientRequestByAge) of at most `limit` (1..10000)
  // client request records created before `created_before` (Unix seconds),
  // oldest first, for WriteSet::DeleteClientRequests.
  absl::StatusOr<std::vector<std::string>> FindExpiredClientRequests(
      int64_t created_before, size_t limit) const;

  // Flushes every family (so the write-ahead log segments holding deleted
  // values are dropped), then compacts the families that hold a subject's
  // records (consents,
  // consent_events, grants, index) down to their last level, rewriting
  // every file, so that deleted values leave the files on disk. Slow (it
  // rewrites those families): never on a gRPC thread. Errors: UNAVAILABLE
  // (or RESOURCE_EXHAUSTED) on an I/O error; FAILED_PRECONDITION for a
  // read-only store. Clears the mark an erasure leaves (CompactionPending)
  // unless another erasure committed meanwhile.
  absl::Status CompactErased() const;
  // Whether an erasure was committed whose compaction has not run yet (the
  // broker stopped, or crashed, before it): the broker then compacts at
  // start.
  bool CompactionPending() const;

  // The audit log's query indexes (store/event_indexer.h), derived from its
  // entries off the commit path. At most `max` (at least 1) candidates for
  // `query` among the entries [from, to), read at one snapshot: the lists
  // of its partner, dataset_id, purpose (taxonomy included), decision and
  // type filters, intersected, and its since and until as a range of log
  // indices, for the entries the indexes hold; every entry past them, in
  // log order. Errors: the store's read errors; DATA_LOSS for a malformed
  // index record.
  absl::StatusOr<EventCandidates> FindEventCandidates(
      const accord::v1::QueryEventsRequest& query, uint64_t from, uint64_t to,
      size_t max) const;
  // Log entries the query indexes hold: [0, EventIndexSize()). 0 for a
  // read-only store (no indexing runs).
  uint64_t EventIndexSize() const;
  // OK, or why indexing stopped (a log entry that does not decode) or last
  // failed (an I/O error, retried).
  absl::Status EventIndexHealth() const;
  // Blocks until the indexes hold `size` entries: OK, DEADLINE_EXCEEDED
  // after `timeout`, EventIndexHealth() when indexing stopped,
  // FAILED_PRECONDITION for a read-only store. For tools and tests.
  absl::Status WaitForEventIndex(uint64_t size, absl::Duration timeout) const;

  // The audit log as stored: its size, entries and tree nodes.
  uint64_t LogSize() const;
  absl::StatusOr<std::string> GetLogEntry(uint64_t index) const;
  // The subject's commitment key k_s (kSubjectKeyBytes), which opens its
  // commitments in the log (auditlog/commitment.h). Errors: NOT_FOUND when
  // the subject has none (never named since commitments, or erased);
  // DATA_LOSS for a stored key of another size.
  absl::StatusOr<std::string> GetSubjectKey(absl::string_view subject) const;
  absl::StatusOr<std::string> GetTreeNode(uint8_t level, uint64_t index) const;
  // The newest stored checkpoint note and its tree size.
  absl::StatusOr<std::pair<uint64_t, std::string>> LatestCheckpoint() const;

  // Settings recorded in the store's metadata, outside any revision: the
  // ones a store must always be opened with (service/settings_guard.h).
  // They are part of a backup. NOT_FOUND when `name` was never recorded.
  absl::StatusOr<std::string> GetSetting(absl::string_view name) const;
  // Records every (name, value) of `settings` in one synced write, beside
  // (not through) the writer: no revision, no audit event. Errors:
  // FAILED_PRECONDITION for a read-only store, UNAVAILABLE (or
  // RESOURCE_EXHAUSTED) on an I/O error.
  absl::Status RecordSettings(
      absl::Span<const std::pair<std::string, std::string>> settings);

  // An online, consistent copy of the whole store into `dir` (which must
  // not exist), taken while writes go on. Errors: UNAVAILABLE (or
  // RESOURCE_EXHAUSTED) on an I/O error, INVALID_ARGUMENT when `dir` exists.
  // The backup holds every citizen's pseudonymous records: `dir` is created
  // with mode 0700 and every file in it with mode 0600, and nobody else can
  // read it meanwhile (it is made inside a 0700 staging directory beside
  // `dir`, then moved into place). FAILED_PRECONDITION for an in-memory
  // store: it has no files to copy.
  absl::Status Backup(const std::string& dir) const;

 private:
  explicit Store(std::unique_ptr<Db> db);
  // A RocksDB checkpoint of the store into `dir`, which must not exist.
  absl::Status Checkpoint(const std::string& dir) const;

  std::unique_ptr<Db> db_;
};

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_STORE_H_
