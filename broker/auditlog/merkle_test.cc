#include "broker/auditlog/merkle.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "broker/auditlog/test_tree.h"

namespace accord::auditlog {
namespace {

using testing::ReferenceMth;
using testing::ReferencePath;
using testing::ReferenceSubproof;
using testing::TestTree;

std::string Hex(const Hash& h) { return crypto::ToHex(h); }

// The eight leaves of the RFC 6962 / transparency-dev reference tree.
std::vector<std::string> ReferenceLeaves() {
  return {std::string(),
          std::string("\x00", 1),
          std::string("\x10"),
          std::string("\x20\x21"),
          std::string("\x30\x31"),
          std::string("\x40\x41\x42\x43"),
          std::string("\x50\x51\x52\x53\x54\x55\x56\x57"),
          std::string("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c"
                      "\x6d\x6e\x6f")};
}

TEST_CASE("HashLeaf, HashChildren and EmptyRoot follow RFC 9162", "[merkle]") {
  CHECK(Hex(EmptyRoot()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Hex(HashLeaf("")) ==
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const Hash l = HashLeaf("a");
  const Hash r = HashLeaf("b");
  CHECK(HashChildren(l, r) == crypto::Sha256(std::string("\x01", 1) +
                                             HashToBytes(l) + HashToBytes(r)));
  CHECK(HashChildren(l, r) != HashChildren(r, l));
}

TEST_CASE("RootFromNodes matches the reference roots of the RFC 6962 tree",
          "[merkle]") {
  const std::vector<std::string> want = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  TestTree tree;
  for (const std::string& leaf : ReferenceLeaves()) tree.Add(leaf);
  absl::StatusOr<Hash> empty = RootFromNodes(tree.source, 0);
  REQUIRE(empty.ok());
  CHECK(*empty == EmptyRoot());
  for (uint64_t n = 1; n <= 8; ++n) {
    absl::StatusOr<Hash> root = RootFromNodes(tree.source, n);
    REQUIRE(root.ok());
    CHECK(Hex(*root) == want[n - 1]);
  }
}

TEST_CASE("SubtreeHash computes any range, aligned or not", "[merkle]") {
  TestTree tree;
  tree.Grow(40);
  for (uint64_t b = 0; b <= 40; ++b) {
    for (uint64_t e = b; e <= 40; ++e) {
      absl::StatusOr<Hash> h = SubtreeHash(tree.source, b, e);
      REQUIRE(h.ok());
      REQUIRE(*h == ReferenceMth(tree.leaves, b, e));
    }
  }
  CHECK(SubtreeHash(tree.source, 5, 4).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(SubtreeHash(tree.source, 0, 41).status().code() ==
        absl::StatusCode::kNotFound);
}

// A NodeSource that counts node reads.
class CountingSource : public NodeSource {
 public:
  explicit CountingSource(NodeSource& inner) : inner_(inner) {}
  absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override {
    ++reads;
    return inner_.Node(level, index);
  }
  absl::StatusOr<std::string> Entry(uint64_t index) override {
    return inner_.Entry(index);
  }
  uint64_t Size() override { return inner_.Size(); }
  int reads = 0;

 private:
  NodeSource& inner_;
};

TEST_CASE("Generated proofs equal the RFC definitions and verify, sizes 1..70",
          "[merkle]") {
  TestTree tree;
  tree.Grow(70);
  for (uint64_t n = 1; n <= 70; ++n) {
    const std::string root = HashToBytes(ReferenceMth(tree.leaves, 0, n));
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<Proof> proof = InclusionProof(tree.source, i, n);
      REQUIRE(proof.ok());
      Proof want;
      ReferencePath(tree.leaves, i, 0, n, &want);
      REQUIRE(*proof == want);
      const std::string leaf = HashToBytes(tree.leaves[i]);
      REQUIRE(VerifyInclusion(leaf, i, n, *proof, root).ok());
      // Another index, another size or a changed proof must not verify.
      if (n > 1) {
        CHECK_FALSE(VerifyInclusion(leaf, (i + 1) % n, n, *proof, root).ok());
      }
      CHECK_FALSE(VerifyInclusion(leaf, i, 2 * n, *proof, root).ok());
      if (!proof->empty()) {
        Proof bad = *proof;
        bad.back()[7] ^= 0x20;
        CHECK_FALSE(VerifyInclusion(leaf, i, n, bad, root).ok());
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      absl::StatusOr<Proof> proof = ConsistencyProof(tree.source, m, n);
      REQUIRE(proof.ok());
      Proof want;
      ReferenceSubproof(tree.leaves, m, 0, n, true, &want);
      REQUIRE(*proof == want);
      const std::string root1 = HashToBytes(ReferenceMth(tree.leaves, 0, m));
      REQUIRE(VerifyConsistency(m, n, *proof, root1, root).ok());
      if (m < n) {
        CHECK_FALSE(VerifyConsistency(m, n, *proof, root, root1).ok());
        CHECK_FALSE(VerifyConsistency(m + 1, n, *proof, root1, root).ok());
        Proof bad = *proof;
        bad.front()[0] ^= 1;
        CHECK_FALSE(VerifyConsistency(m, n, bad, root1, root).ok());
      }
    }
  }
}

TEST_CASE("Proofs for random pairs in a large tree verify in O(log n) reads",
          "[merkle]") {
  TestTree tree;
  tree.Grow(5000);
  std::mt19937_64 rng(20240917);
  for (int trial = 0; trial < 300; ++trial) {
    const uint64_t n = 1 + rng() % 5000;
    const uint64_t m = 1 + rng() % n;
    const uint64_t i = rng() % n;
    const std::string root = HashToBytes(ReferenceMth(tree.leaves, 0, n));
    const std::string root1 = HashToBytes(ReferenceMth(tree.leaves, 0, m));

    CountingSource counting(tree.source);
    absl::StatusOr<Proof> incl = InclusionProof(counting, i, n);
    REQUIRE(incl.ok());
    CHECK(counting.reads <= 2 * 13 + 2);
    CHECK(VerifyInclusion(HashToBytes(tree.leaves[i]), i, n, *incl, root).ok());

    counting.reads = 0;
    absl::StatusOr<Proof> cons = ConsistencyProof(counting, m, n);
    REQUIRE(cons.ok());
    CHECK(counting.reads <= 2 * 13 + 2);
    CHECK(VerifyConsistency(m, n, *cons, root1, root).ok());
  }
}

TEST_CASE("Proof generation rejects impossible requests", "[merkle]") {
  TestTree tree;
  tree.Grow(10);
  CHECK(InclusionProof(tree.source, 10, 10).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(InclusionProof(tree.source, 0, 0).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(InclusionProof(tree.source, 3, 11).status().code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(ConsistencyProof(tree.source, 0, 5).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ConsistencyProof(tree.source, 6, 5).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ConsistencyProof(tree.source, 5, 11).status().code() ==
        absl::StatusCode::kOutOfRange);
  absl::StatusOr<Proof> same = ConsistencyProof(tree.source, 7, 7);
  REQUIRE(same.ok());
  CHECK(same->empty());
}

TEST_CASE("Verifiers reject malformed hashes and trailing proof elements",
          "[merkle]") {
  TestTree tree;
  tree.Grow(9);
  const std::string root = HashToBytes(ReferenceMth(tree.leaves, 0, 9));
  const std::string leaf = HashToBytes(tree.leaves[4]);
  absl::StatusOr<Proof> proof = InclusionProof(tree.source, 4, 9);
  REQUIRE(proof.ok());
  REQUIRE(VerifyInclusion(leaf, 4, 9, *proof, root).ok());
  CHECK(VerifyInclusion(leaf.substr(1), 4, 9, *proof, root).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(VerifyInclusion(leaf, 4, 9, *proof, root + "x").code() ==
        absl::StatusCode::kInvalidArgument);
  Proof longer = *proof;
  longer.push_back(leaf);
  CHECK_FALSE(VerifyInclusion(leaf, 4, 9, longer, root).ok());
  Proof shorter(proof->begin(), proof->end() - 1);
  CHECK_FALSE(VerifyInclusion(leaf, 4, 9, shorter, root).ok());
  Proof short_element = *proof;
  short_element[0].pop_back();
  CHECK(VerifyInclusion(leaf, 4, 9, short_element, root).code() ==
        absl::StatusCode::kInvalidArgument);

  const std::string root1 = HashToBytes(ReferenceMth(tree.leaves, 0, 3));
  absl::StatusOr<Proof> cons = ConsistencyProof(tree.source, 3, 9);
  REQUIRE(cons.ok());
  REQUIRE(VerifyConsistency(3, 9, *cons, root1, root).ok());
  Proof trailing = *cons;
  trailing.push_back(root);
  CHECK_FALSE(VerifyConsistency(3, 9, trailing, root1, root).ok());
  CHECK(VerifyConsistency(0, 9, *cons, root1, root).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(VerifyConsistency(0, 0, {}, root, root).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(VerifyConsistency(9, 9, {}, root, root).ok());
  CHECK_FALSE(VerifyConsistency(9, 9, {root}, root, root).ok());
  CHECK_FALSE(VerifyConsistency(9, 9, {}, root, root1).ok());
  CHECK_FALSE(VerifyConsistency(3, 9, {}, root1, root).ok());
}

TEST_CASE("Stored nodes of the wrong size are data loss", "[merkle]") {
  class ShortNodes : public NodeSource {
   public:
    absl::StatusOr<std::string> Node(uint8_t, uint64_t) override {
      return std::string(31, 'x');
    }
    absl::StatusOr<std::string> Entry(uint64_t) override { return ""; }
    uint64_t Size() override { return 8; }
  } source;
  CHECK(RootFromNodes(source, 8).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(InclusionProof(source, 1, 8).status().code() ==
        absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace accord::auditlog
