#include "broker/auditlog/bounded_log_check.h"

#include <bit>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/merkle.h"
#include "broker/crypto/random.h"

namespace accord::auditlog {
namespace {

// Counts what the check reads, so callers can show it stays bounded.
class CountingSource final : public NodeSource {
 public:
  CountingSource(NodeSource& inner, BoundedCheckStats& stats)
      : inner_(inner), stats_(stats) {}
  absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override {
    ++stats_.nodes_read;
    return inner_.Node(level, index);
  }
  absl::StatusOr<std::string> Entry(uint64_t index) override {
    ++stats_.entries_read;
    return inner_.Entry(index);
  }
  uint64_t Size() override { return inner_.Size(); }

 private:
  NodeSource& inner_;
  BoundedCheckStats& stats_;
};

// A missing entry or node below the checkpoint is lost data, not a read
// error.
absl::Status Lost(const absl::Status& s, uint64_t size) {
  if (absl::IsNotFound(s) || absl::IsOutOfRange(s)) {
    return absl::DataLossError(absl::StrCat(
        "the stored audit log is missing data below the last checkpoint (size ",
        size, "): ", s.message()));
  }
  return s;
}

absl::Status Mismatch(uint64_t size, absl::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "the stored audit log does not match the last checkpoint (size ", size,
      "): ", what));
}

class Checker {
 public:
  Checker(NodeSource& source, uint64_t size, uint64_t tail_start)
      : source_(source), size_(size), tail_start_(tail_start) {}

  // MTH(D[begin:end]): stored nodes left of the tail, rehashed entries in it.
  absl::StatusOr<Hash> Mixed(uint64_t begin, uint64_t end) {
    if (begin >= tail_start_) return Rehashed(begin, end);
    if (end <= tail_start_) {
      absl::StatusOr<Hash> h = SubtreeHash(source_, begin, end);
      if (!h.ok()) return Lost(h.status(), size_);
      return h;
    }
    const uint64_t k = std::bit_floor(end - begin - 1);
    absl::StatusOr<Hash> left = Mixed(begin, begin + k);
    if (!left.ok()) return left.status();
    absl::StatusOr<Hash> right = Mixed(begin + k, end);
    if (!right.ok()) return right.status();
    return HashChildren(*left, *right);
  }

  absl::StatusOr<Hash> Leaf(uint64_t index) {
    absl::StatusOr<std::string> entry = source_.Entry(index);
    if (!entry.ok()) return Lost(entry.status(), size_);
    return HashLeaf(*entry);
  }

  // Entry `index` is included under `root` by the stored nodes.
  absl::Status Included(uint64_t index, const Hash& root) {
    absl::StatusOr<Hash> leaf = Leaf(index);
    if (!leaf.ok()) return leaf.status();
    absl::StatusOr<Proof> proof = InclusionProof(source_, index, size_);
    if (!proof.ok()) return Lost(proof.status(), size_);
    if (!VerifyInclusion(HashToBytes(*leaf), index, size_, *proof,
                         HashToBytes(root))
             .ok()) {
      return Mismatch(size_, absl::StrCat("entry ", index,
                                          " is not included under its root"));
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<Hash> Rehashed(uint64_t begin, uint64_t end) {
    Frontier f;
    for (uint64_t i = begin; i < end; ++i) {
      absl::StatusOr<Hash> leaf = Leaf(i);
      if (!leaf.ok()) return leaf.status();
      f.Append(*leaf);
    }
    return f.Root();
  }

  NodeSource& source_;
  const uint64_t size_;
  const uint64_t tail_start_;
};

uint64_t RandomBelow(uint64_t bound) {
  const std::string bytes = crypto::RandomBytes(8);
  uint64_t v = 0;
  std::memcpy(&v, bytes.data(), sizeof(v));
  return v % bound;  // the bias is irrelevant for picking samples
}

}  // namespace

absl::StatusOr<BoundedCheckStats> CheckStoredLogBounded(
    NodeSource& source, const Checkpoint& checkpoint,
    const BoundedCheckOptions& options) {
  BoundedCheckStats stats;
  CountingSource counted(source, stats);
  const uint64_t size = checkpoint.size;
  const uint64_t stored = counted.Size();
  if (stored < size) {
    return absl::DataLossError(absl::StrCat(
        "the stored audit log has ", stored,
        " entries, fewer than the last checkpoint (size ", size, ")"));
  }
  if (size == 0) {
    if (checkpoint.root != EmptyRoot()) return Mismatch(0, "non-empty root");
    return stats;
  }
  absl::StatusOr<Hash> from_nodes = RootFromNodes(counted, size);
  if (!from_nodes.ok()) return Lost(from_nodes.status(), size);
  if (*from_nodes != checkpoint.root) {
    return Mismatch(size, "the stored tree nodes hash to another root");
  }
  const uint64_t tail_start =
      size > options.tail_entries ? size - options.tail_entries : 0;
  Checker checker(counted, size, tail_start);
  absl::StatusOr<Hash> mixed = checker.Mixed(0, size);
  if (!mixed.ok()) return mixed.status();
  if (*mixed != checkpoint.root) {
    return Mismatch(size, absl::StrCat("its entries from ", tail_start,
                                       " on hash to another root"));
  }
  if (options.sampled_entries >= tail_start) {
    for (uint64_t i = 0; i < tail_start; ++i) {
      if (absl::Status s = checker.Included(i, checkpoint.root); !s.ok()) {
        return s;
      }
    }
  } else {
    for (uint64_t n = 0; n < options.sampled_entries; ++n) {
      if (absl::Status s =
              checker.Included(RandomBelow(tail_start), checkpoint.root);
          !s.ok()) {
        return s;
      }
    }
  }
  return stats;
}

}  // namespace accord::auditlog
