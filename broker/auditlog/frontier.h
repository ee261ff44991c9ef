#ifndef ACCORD_BROKER_AUDITLOG_FRONTIER_H_
#define ACCORD_BROKER_AUDITLOG_FRONTIER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/node_source.h"

namespace accord::auditlog {

// A complete aligned subtree: `level` 0 is a leaf hash; the node covers
// leaves [index << level, (index + 1) << level).
struct Node {
  uint8_t level = 0;
  uint64_t index = 0;
  Hash hash{};
};

// The right edge of a Merkle tree (a compact range): the hashes of the
// perfect subtrees whose sizes are the set bits of Size(), largest first. At
// most 64 hashes, so appending and computing the root need no storage reads.
// Not thread-safe; Log guards it.
class Frontier {
 public:
  // The empty tree.
  Frontier() = default;

  // Rebuilds the frontier of the first `size` leaves from the stored nodes,
  // one read per set bit of `size`.
  // Errors: OutOfRange if size > source.Size(); the read error of a missing
  // or unreadable node; DataLoss if a stored node is not 32 bytes.
  static absl::StatusOr<Frontier> Load(NodeSource& source, uint64_t size);

  // Appends a leaf with hash `leaf_hash`. Returns every node the append
  // completes, starting with the leaf node (level 0, index = old Size()) and
  // going up, each to be stored so proofs can be generated later. Never fails
  // (the tree cannot outgrow 2^64 - 1 leaves in practice).
  std::vector<Node> Append(const Hash& leaf_hash);

  // Returns MTH of the whole tree; EmptyRoot() for the empty tree.
  Hash Root() const;

  // Returns the number of leaves.
  uint64_t Size() const { return size_; }

 private:
  uint64_t size_ = 0;
  // Perfect subtree hashes, largest (leftmost) first.
  std::vector<Hash> hashes_;
};

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_FRONTIER_H_
