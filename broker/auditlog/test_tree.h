#ifndef ACCORD_BROKER_AUDITLOG_TEST_TREE_H_
#define ACCORD_BROKER_AUDITLOG_TEST_TREE_H_

// Test support: reference RFC 9162 definitions written as literally as the
// RFC states them (recursive, O(n)), and helpers to build logs in memory.

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/memory_node_source.h"
#include "broker/auditlog/merkle.h"

namespace accord::auditlog::testing {

// MTH(D[begin:end]) from leaf hashes, RFC 9162 §2.1.1.
inline Hash ReferenceMth(const std::vector<Hash>& leaves, uint64_t begin,
                         uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[begin];
  const uint64_t k = std::bit_floor(n - 1);
  return HashChildren(ReferenceMth(leaves, begin, begin + k),
                      ReferenceMth(leaves, begin + k, end));
}

// PATH(m, D[begin:end]), RFC 9162 §2.1.3.1.
inline void ReferencePath(const std::vector<Hash>& leaves, uint64_t m,
                          uint64_t begin, uint64_t end, Proof* out) {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = std::bit_floor(n - 1);
  if (m < k) {
    ReferencePath(leaves, m, begin, begin + k, out);
    out->push_back(HashToBytes(ReferenceMth(leaves, begin + k, end)));
  } else {
    ReferencePath(leaves, m - k, begin + k, end, out);
    out->push_back(HashToBytes(ReferenceMth(leaves, begin, begin + k)));
  }
}

// SUBPROOF(m, D[begin:end], whole), RFC 9162 §2.1.4.1.
inline void ReferenceSubproof(const std::vector<Hash>& leaves, uint64_t m,
                              uint64_t begin, uint64_t end, bool whole,
                              Proof* out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out->push_back(HashToBytes(ReferenceMth(leaves, begin, end)));
    return;
  }
  const uint64_t k = std::bit_floor(n - 1);
  if (m <= k) {
    ReferenceSubproof(leaves, m, begin, begin + k, whole, out);
    out->push_back(HashToBytes(ReferenceMth(leaves, begin + k, end)));
  } else {
    ReferenceSubproof(leaves, m - k, begin + k, end, false, out);
    out->push_back(HashToBytes(ReferenceMth(leaves, begin, begin + k)));
  }
}

// A log of `n` entries "entry-<i>" held in memory, with its leaf hashes.
struct TestTree {
  MemoryNodeSource source;
  std::vector<std::string> entries;
  std::vector<Hash> leaves;
  Frontier frontier;

  void Add(const std::string& entry) {
    const Hash leaf = HashLeaf(entry);
    store::LogAppend append;
    append.index = frontier.Size();
    append.entry = entry;
    for (const Node& n : frontier.Append(leaf)) {
      append.nodes.push_back({n.level, n.index, HashToBytes(n.hash)});
    }
    // Test setup cannot fail unless MemoryNodeSource is broken, which other
    // tests catch; keep going.
    (void)source.Add(append);
    entries.push_back(entry);
    leaves.push_back(leaf);
  }

  void Grow(uint64_t n) {
    while (entries.size() < n) Add(absl::StrCat("entry-", entries.size()));
  }
};

}  // namespace accord::auditlog::testing

#endif  // ACCORD_BROKER_AUDITLOG_TEST_TREE_H_
