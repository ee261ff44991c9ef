#ifndef ACCORD_BROKER_AUDITLOG_LOG_H_
#define ACCORD_BROKER_AUDITLOG_LOG_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/audit.pb.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/node_source.h"
#include "broker/store/log_appender.h"

namespace accord::auditlog {

// The size and root of a tree, read together.
struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

// The audit log's sequencing state: the store's writer thread appends
// through the LogAppender interface; any thread reads the committed tree
// head (what checkpoints sign) and asks for proofs. Thread-safe.
class Log final : public store::LogAppender {
 public:
  // Starts with `committed` as the durable tree: Frontier::Load of the
  // stored size at startup, or Frontier() for a new log.
  explicit Log(Frontier committed);

  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  using store::LogAppender::Append;

  // Encodes `event` canonically as a version 2 entry (entry.h) whose
  // commitments, under a fresh salt, are those of `subjects`
  // (commitment.h), assigns it the next index after every earlier pending
  // append and returns the entry with its leaf node and every subtree node
  // it completes. The append stays pending until Committed or Abort.
  // Errors: InvalidArgument if `event` names subjects itself, has no
  // canonical encoding (e.g. a string that is not UTF-8, a `subject:` actor,
  // or larger than kMaxEntryBytes) or a subject key is not
  // kSubjectKeyBytes; Internal if an earlier Committed reported a size the
  // log cannot reconcile (see status()). Nothing changes on error.
  absl::StatusOr<store::LogAppend> Append(
      accord::v1::AuditEvent event,
      const std::vector<KeyedSubject>& subjects) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // Returns auditlog::NewSubjectKey().
  std::string NewSubjectKey() override;

  // The pending appends are durable and the log has `size` leaves. A size
  // below the pending size commits only that prefix and forgets the rest (as
  // Abort would). A size outside [Size(), pending size] leaves the committed
  // tree unchanged and makes status() and every later Append fail.
  void Committed(uint64_t size) override ABSL_LOCKS_EXCLUDED(mu_);

  // Forgets every pending append; the next Append reuses the first index that
  // was not committed.
  void Abort() override ABSL_LOCKS_EXCLUDED(mu_);

  // Returns the committed size and root together.
  TreeHead Head() const ABSL_LOCKS_EXCLUDED(mu_);
  // Returns the committed number of leaves.
  uint64_t Size() const ABSL_LOCKS_EXCLUDED(mu_);
  // Returns the committed root (EmptyRoot() for the empty log).
  Hash Root() const ABSL_LOCKS_EXCLUDED(mu_);

  // Returns OK, or the Internal error recorded when Committed was called
  // with an impossible size.
  absl::Status status() const ABSL_LOCKS_EXCLUDED(mu_);

  // Returns the inclusion proof of leaf `index` in the committed tree of
  // `tree_size` leaves, read from `source`.
  // Errors: OutOfRange if tree_size > Size(); those of
  // auditlog::InclusionProof otherwise.
  absl::StatusOr<Proof> InclusionProof(NodeSource& source, uint64_t index,
                                       uint64_t tree_size) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Returns the consistency proof between the committed trees of `size1` and
  // `size2` leaves, read from `source`.
  // Errors: OutOfRange if size2 > Size(); those of
  // auditlog::ConsistencyProof otherwise.
  absl::StatusOr<Proof> ConsistencyProof(NodeSource& source, uint64_t size1,
                                         uint64_t size2) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  Frontier committed_ ABSL_GUARDED_BY(mu_);
  Hash committed_root_ ABSL_GUARDED_BY(mu_);
  // committed_ plus every pending append.
  Frontier pending_ ABSL_GUARDED_BY(mu_);
  // Leaf hashes of the pending appends, to commit a prefix of them.
  std::vector<Hash> pending_leaves_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_LOG_H_
