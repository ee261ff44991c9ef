#include "broker/auditlog/bounded_log_check.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>

#include "broker/auditlog/test_tree.h"

namespace accord::auditlog {
namespace {

using testing::TestTree;

// A stored log an insider edited: entries and nodes replaced or removed
// over an honest one, and maybe a smaller stored size.
class Edited final : public NodeSource {
 public:
  explicit Edited(NodeSource& honest) : honest_(honest), size_(honest.Size()) {}
  absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override {
    if (auto it = nodes_.find({level, index}); it != nodes_.end()) {
      return it->second;
    }
    return honest_.Node(level, index);
  }
  absl::StatusOr<std::string> Entry(uint64_t index) override {
    if (auto it = entries_.find(index); it != entries_.end()) {
      if (it->second.empty()) return absl::NotFoundError("deleted");
      return it->second;
    }
    return honest_.Entry(index);
  }
  uint64_t Size() override { return size_; }

  NodeSource& honest_;
  uint64_t size_;
  std::map<uint64_t, std::string> entries_;  // "" = deleted
  std::map<std::pair<uint8_t, uint64_t>, std::string> nodes_;
};

Checkpoint Of(TestTree& tree, uint64_t size) {
  Checkpoint c;
  c.origin = "accord.local/log";
  c.size = size;
  c.root = testing::ReferenceMth(tree.leaves, 0, size);
  return c;
}

TEST_CASE("a stored log matching its checkpoint passes the bounded check") {
  TestTree tree;
  tree.Grow(300);
  for (uint64_t size : {0, 1, 5, 64, 100, 255, 300}) {
    auto stats = CheckStoredLogBounded(tree.source, Of(tree, size),
                                       {/*tail_entries=*/16, /*sampled=*/4});
    INFO("size " << size);
    REQUIRE(stats.ok());
    CHECK(stats->entries_read <= 16 + 4);
  }
}

TEST_CASE("the bounded check reads the same entries at any log size") {
  TestTree tree;
  tree.Grow(1 << 14);
  auto small = CheckStoredLogBounded(tree.source, Of(tree, 1 << 11), {64, 8});
  auto large =
      CheckStoredLogBounded(tree.source, Of(tree, (1 << 14) - 3), {64, 8});
  REQUIRE(small.ok());
  REQUIRE(large.ok());
  CHECK(small->entries_read == 64 + 8);
  CHECK(large->entries_read == 64 + 8);
  // Nodes grow with the tree height only.
  CHECK(large->nodes_read < 64 * 14 * 8);
}

TEST_CASE("edits the bounded check catches are DATA_LOSS naming the size") {
  TestTree tree;
  tree.Grow(200);
  const Checkpoint checkpoint = Of(tree, 180);
  Edited edited(tree.source);
  BoundedCheckOptions options{/*tail_entries=*/32, /*sampled_entries=*/0};
  SECTION("a tail entry edited") { edited.entries_[170] = "forged"; }
  SECTION("two tail entries swapped") {
    edited.entries_[175] = tree.entries[177];
    edited.entries_[177] = tree.entries[175];
  }
  SECTION("a tail entry edited with its leaf node") {
    edited.entries_[160] = "forged";
    edited.nodes_[{0, 160}] = HashToBytes(HashLeaf("forged"));
  }
  SECTION("an old entry edited, every old entry sampled") {
    options.sampled_entries = 1000;
    edited.entries_[3] = "forged";
  }
  SECTION("an old entry edited with its leaf node, every old one sampled") {
    options.sampled_entries = 1000;
    edited.entries_[3] = "forged";
    edited.nodes_[{0, 3}] = HashToBytes(HashLeaf("forged"));
  }
  SECTION("a stored interior node edited") {
    edited.nodes_[{7, 0}] = std::string(32, 'x');
  }
  SECTION("a tail entry deleted") { edited.entries_[179] = ""; }
  SECTION("rolled back below the checkpoint") { edited.size_ = 179; }
  auto stats = CheckStoredLogBounded(edited, checkpoint, options);
  REQUIRE_FALSE(stats.ok());
  CHECK(absl::IsDataLoss(stats.status()));
  CHECK(stats.status().message().find("size 180") != absl::string_view::npos);
}

}  // namespace
}  // namespace accord::auditlog
