#ifndef ACCORD_BROKER_STORE_LOG_APPENDER_H_
#define ACCORD_BROKER_STORE_LOG_APPENDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "accord/v1/audit.pb.h"
#include "broker/auditlog/commitment.h"

namespace accord::store {

// A stored hash of a complete, aligned subtree of the Merkle log: the node
// at `level` (0 = leaf hashes) covering leaves
// [index << level, (index + 1) << level).
struct TreeNode {
  uint8_t level = 0;
  uint64_t index = 0;
  std::string hash;  // 32 bytes
};

// What one audit event adds to the log.
struct LogAppend {
  uint64_t index = 0;           // leaf index assigned to the entry
  std::string entry;            // canonical entry bytes (the leaf data)
  std::vector<TreeNode> nodes;  // the leaf hash and every subtree it completes
};

// One subject an audit event concerns, with its commitment key k_s (store
// index 'C', keys::SubjectKey), as the commitments take it.
using auditlog::KeyedSubject;
using auditlog::kSubjectKeyBytes;

// The audit log's side of a commit. The store's single writer thread calls
// it, in commit order, for each write set that carries an audit event, so
// the event and the state change it records land in one synced batch. The
// store depends on this interface (and the commitments' types) only;
// broker/auditlog implements it.
class LogAppender {
 public:
  virtual ~LogAppender() = default;

  // Encodes `event` (its `revision` already set to the write's revision,
  // its `subjects` empty) with a commitment to each of `subjects` in place
  // of their pseudonyms, assigns the next leaf index and returns what to
  // store. Takes the event to fill in its commitments without a copy.
  // Called on the writer thread only.
  virtual absl::StatusOr<LogAppend> Append(
      accord::v1::AuditEvent event,
      const std::vector<KeyedSubject>& subjects) = 0;
  // Append(event, {}): an event that concerns no subject.
  absl::StatusOr<LogAppend> Append(accord::v1::AuditEvent event) {
    return Append(std::move(event), {});
  }

  // Returns a fresh random subject key k_s, for a subject that has none
  // yet. Called on the writer thread only.
  virtual std::string NewSubjectKey() = 0;

  // The batch holding every Append since the last Committed/Abort was made
  // durable: the log now has `size` leaves.
  virtual void Committed(uint64_t size) = 0;

  // The batch failed: forget every Append since the last Committed, so the
  // next Append reuses the first index that was not made durable.
  virtual void Abort() = 0;
};

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_LOG_APPENDER_H_
