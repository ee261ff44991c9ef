#include "broker/auditlog/frontier.h"

#include <bit>
#include <catch2/catch.hpp>

#include "broker/auditlog/test_tree.h"

namespace accord::auditlog {
namespace {

using testing::ReferenceMth;
using testing::TestTree;

TEST_CASE("The empty frontier has the empty root", "[frontier]") {
  Frontier f;
  CHECK(f.Size() == 0);
  CHECK(f.Root() == EmptyRoot());
}

TEST_CASE("Append returns the leaf and every completed node", "[frontier]") {
  Frontier f;
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 70; ++i) {
    leaves.push_back(HashLeaf("e" + std::to_string(i)));
    const std::vector<Node> nodes = f.Append(leaves.back());
    // Leaf i completes one node per trailing one bit of i.
    REQUIRE(nodes.size() == 1 + static_cast<size_t>(std::countr_one(i)));
    for (size_t j = 0; j < nodes.size(); ++j) {
      CHECK(nodes[j].level == j);
      CHECK(nodes[j].index == (i >> j));
      const uint64_t begin = nodes[j].index << j;
      CHECK(nodes[j].hash ==
            ReferenceMth(leaves, begin, begin + (uint64_t{1} << j)));
    }
    CHECK(f.Size() == i + 1);
    CHECK(f.Root() == ReferenceMth(leaves, 0, i + 1));
  }
}

TEST_CASE("Load rebuilds the frontier of every size from stored nodes",
          "[frontier]") {
  TestTree tree;
  tree.Grow(70);
  for (uint64_t n = 0; n <= 70; ++n) {
    absl::StatusOr<Frontier> loaded = Frontier::Load(tree.source, n);
    REQUIRE(loaded.ok());
    CHECK(loaded->Size() == n);
    CHECK(loaded->Root() == ReferenceMth(tree.leaves, 0, n));
    // Appending to the loaded frontier continues the same tree.
    if (n < 70) {
      std::vector<Node> nodes = loaded->Append(tree.leaves[n]);
      CHECK(nodes.back().hash ==
            ReferenceMth(tree.leaves,
                         (n + 1) - (uint64_t{1} << nodes.back().level), n + 1));
      CHECK(loaded->Root() == ReferenceMth(tree.leaves, 0, n + 1));
    }
  }
}

TEST_CASE("Load fails past the stored size or on missing nodes", "[frontier]") {
  TestTree tree;
  tree.Grow(5);
  CHECK(Frontier::Load(tree.source, 6).status().code() ==
        absl::StatusCode::kOutOfRange);

  class Lying : public NodeSource {
   public:
    explicit Lying(NodeSource& inner) : inner_(inner) {}
    absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override {
      return inner_.Node(level, index);
    }
    absl::StatusOr<std::string> Entry(uint64_t index) override {
      return inner_.Entry(index);
    }
    uint64_t Size() override { return 8; }

   private:
    NodeSource& inner_;
  } lying(tree.source);
  CHECK(Frontier::Load(lying, 7).status().code() ==
        absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace accord::auditlog
