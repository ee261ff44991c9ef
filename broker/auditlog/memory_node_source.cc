#include "broker/auditlog/memory_node_source.h"

#include "absl/strings/str_cat.h"

namespace accord::auditlog {

absl::Status MemoryNodeSource::Add(const store::LogAppend& append) {
  absl::MutexLock l(&mu_);
  if (append.index != entries_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("append index ", append.index, " is not the next index ",
                     entries_.size()));
  }
  std::vector<Hash> hashes;
  int last_level = -1;
  for (const store::TreeNode& n : append.nodes) {
    if (n.level <= last_level) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node levels must increase; got ", n.level, " after ", last_level));
    }
    last_level = n.level;
    const size_t have = n.level < levels_.size() ? levels_[n.level].size() : 0;
    if (n.index != have) {
      return absl::InvalidArgumentError(
          absl::StrCat("node (", n.level, ", ", n.index,
                       ") is out of sequence; next at that level is ", have));
    }
    absl::StatusOr<Hash> h = HashFromBytes(n.hash, "node hash");
    if (!h.ok()) return h.status();
    hashes.push_back(*h);
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    const uint8_t level = append.nodes[i].level;
    if (levels_.size() <= level) levels_.resize(level + 1);
    levels_[level].push_back(hashes[i]);
  }
  entries_.push_back(append.entry);
  return absl::OkStatus();
}

absl::StatusOr<std::string> MemoryNodeSource::Node(uint8_t level,
                                                   uint64_t index) {
  absl::MutexLock l(&mu_);
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return absl::NotFoundError(
        absl::StrCat("no node (", level, ", ", index, ")"));
  }
  return HashToBytes(levels_[level][index]);
}

absl::StatusOr<std::string> MemoryNodeSource::Entry(uint64_t index) {
  absl::MutexLock l(&mu_);
  if (index >= entries_.size()) {
    return absl::NotFoundError(absl::StrCat("no entry ", index));
  }
  return entries_[index];
}

uint64_t MemoryNodeSource::Size() {
  absl::MutexLock l(&mu_);
  return entries_.size();
}

}  // namespace accord::auditlog
