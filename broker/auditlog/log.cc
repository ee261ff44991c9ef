#include "broker/auditlog/log.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"

namespace accord::auditlog {

Log::Log(Frontier committed)
    : committed_(committed),
      committed_root_(committed.Root()),
      pending_(std::move(committed)) {}

absl::StatusOr<store::LogAppend> Log::Append(
    accord::v1::AuditEvent event, const std::vector<KeyedSubject>& subjects) {
  if (!event.subjects().empty()) {
    return absl::InvalidArgumentError(
        "subjects: an event names its subjects only with their keys");
  }
  if (absl::Status s = CommitSubjects(subjects, NewCommitmentSalt(), &event);
      !s.ok()) {
    return s;
  }
  store::LogAppend out;
  absl::StatusOr<std::string> entry = EncodeCheckedEntry(event);
  if (!entry.ok()) return entry.status();
  out.entry = *std::move(entry);
  const Hash leaf = HashLeaf(out.entry);
  std::vector<Node> nodes;
  {
    absl::MutexLock l(&mu_);
    if (!failure_.ok()) return failure_;
    out.index = pending_.Size();
    nodes = pending_.Append(leaf);
    pending_leaves_.push_back(leaf);
  }
  out.nodes.reserve(nodes.size());
  for (const Node& n : nodes) {
    out.nodes.push_back({n.level, n.index, HashToBytes(n.hash)});
  }
  return out;
}

std::string Log::NewSubjectKey() { return auditlog::NewSubjectKey(); }

void Log::Committed(uint64_t size) {
  absl::MutexLock l(&mu_);
  if (!failure_.ok()) return;
  if (size == pending_.Size()) {
    committed_ = pending_;
  } else if (size >= committed_.Size() && size < pending_.Size()) {
    const uint64_t keep = size - committed_.Size();
    for (uint64_t i = 0; i < keep; ++i) committed_.Append(pending_leaves_[i]);
    pending_ = committed_;
  } else {
    failure_ = absl::InternalError(
        absl::StrCat("committed size ", size, " is outside [",
                     committed_.Size(), ", ", pending_.Size(), "]"));
    return;
  }
  pending_leaves_.clear();
  committed_root_ = committed_.Root();
}

void Log::Abort() {
  absl::MutexLock l(&mu_);
  pending_ = committed_;
  pending_leaves_.clear();
}

TreeHead Log::Head() const {
  absl::MutexLock l(&mu_);
  return TreeHead{committed_.Size(), committed_root_};
}

uint64_t Log::Size() const {
  absl::MutexLock l(&mu_);
  return committed_.Size();
}

Hash Log::Root() const {
  absl::MutexLock l(&mu_);
  return committed_root_;
}

absl::Status Log::status() const {
  absl::MutexLock l(&mu_);
  return failure_;
}

absl::StatusOr<Proof> Log::InclusionProof(NodeSource& source, uint64_t index,
                                          uint64_t tree_size) const {
  const uint64_t size = Size();
  if (tree_size > size) {
    return absl::OutOfRangeError(absl::StrCat(
        "tree_size ", tree_size, " exceeds committed size ", size));
  }
  return auditlog::InclusionProof(source, index, tree_size);
}

absl::StatusOr<Proof> Log::ConsistencyProof(NodeSource& source, uint64_t size1,
                                            uint64_t size2) const {
  const uint64_t size = Size();
  if (size2 > size) {
    return absl::OutOfRangeError(
        absl::StrCat("size2 ", size2, " exceeds committed size ", size));
  }
  return auditlog::ConsistencyProof(source, size1, size2);
}

}  // namespace accord::auditlog
