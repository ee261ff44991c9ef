#include "broker/auditlog/frontier.h"

#include <bit>

#include "absl/strings/str_cat.h"

namespace accord::auditlog {

absl::StatusOr<Frontier> Frontier::Load(NodeSource& source, uint64_t size) {
  if (size > source.Size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "frontier size ", size, " exceeds log size ", source.Size()));
  }
  Frontier f;
  f.hashes_.reserve(std::popcount(size));
  uint64_t covered = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    absl::StatusOr<Hash> h = SubtreeHash(source, covered, covered + width);
    if (!h.ok()) return h.status();
    f.hashes_.push_back(*h);
    covered += width;
  }
  f.size_ = size;
  return f;
}

std::vector<Node> Frontier::Append(const Hash& leaf_hash) {
  std::vector<Node> completed;
  // A new leaf completes one node per trailing one bit of the old size.
  completed.reserve(1 + std::countr_one(size_));
  Node node{0, size_, leaf_hash};
  completed.push_back(node);
  while ((node.index & 1) == 1) {
    node.hash = HashChildren(hashes_.back(), node.hash);
    hashes_.pop_back();
    node.index >>= 1;
    ++node.level;
    completed.push_back(node);
  }
  hashes_.push_back(node.hash);
  ++size_;
  return completed;
}

Hash Frontier::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  Hash h = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) {
    h = HashChildren(hashes_[i], h);
  }
  return h;
}

}  // namespace accord::auditlog
