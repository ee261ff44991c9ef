#include "broker/auditlog/log.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "broker/auditlog/entry.h"
#include "broker/auditlog/memory_node_source.h"
#include "broker/auditlog/test_tree.h"

namespace accord::auditlog {
namespace {

using testing::ReferenceMth;

accord::v1::AuditEvent Event(uint64_t revision) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_CONSENT);
  e.set_time(1726500000 + static_cast<int64_t>(revision));
  e.set_actor("citizen");
  e.set_revision(revision);
  return e;
}

TEST_CASE("Append assigns indexes and returns entry and nodes", "[log]") {
  Log log{Frontier()};
  MemoryNodeSource source;
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 10; ++i) {
    absl::StatusOr<store::LogAppend> a = log.Append(Event(i));
    REQUIRE(a.ok());
    CHECK(a->index == i);
    CHECK(a->entry == EncodeEntry(Event(i)));
    REQUIRE(!a->nodes.empty());
    CHECK(a->nodes[0].level == 0);
    CHECK(a->nodes[0].index == i);
    CHECK(a->nodes[0].hash == HashToBytes(HashLeaf(a->entry)));
    leaves.push_back(HashLeaf(a->entry));
    REQUIRE(source.Add(*a).ok());
  }
  // Nothing is visible before the commit.
  CHECK(log.Size() == 0);
  CHECK(log.Root() == EmptyRoot());
  log.Committed(10);
  CHECK(log.Size() == 10);
  CHECK(log.Root() == ReferenceMth(leaves, 0, 10));
  const TreeHead head = log.Head();
  CHECK(head.size == 10);
  CHECK(head.root == log.Root());

  absl::StatusOr<Proof> proof = log.InclusionProof(source, 3, 10);
  REQUIRE(proof.ok());
  CHECK(VerifyInclusion(HashToBytes(leaves[3]), 3, 10, *proof,
                        HashToBytes(log.Root()))
            .ok());
  absl::StatusOr<Proof> cons = log.ConsistencyProof(source, 4, 10);
  REQUIRE(cons.ok());
  CHECK(VerifyConsistency(4, 10, *cons, HashToBytes(ReferenceMth(leaves, 0, 4)),
                          HashToBytes(log.Root()))
            .ok());
}

TEST_CASE("Abort rolls back to the committed tree and reuses indexes",
          "[log]") {
  Log log{Frontier()};
  REQUIRE(log.Append(Event(0)).ok());
  REQUIRE(log.Append(Event(1)).ok());
  log.Committed(2);
  const Hash root2 = log.Root();
  REQUIRE(log.Append(Event(2)).ok());
  REQUIRE(log.Append(Event(3)).ok());
  log.Abort();
  CHECK(log.Size() == 2);
  CHECK(log.Root() == root2);
  absl::StatusOr<store::LogAppend> again = log.Append(Event(7));
  REQUIRE(again.ok());
  CHECK(again->index == 2);
  log.Committed(3);
  std::vector<Hash> leaves = {HashLeaf(EncodeEntry(Event(0))),
                              HashLeaf(EncodeEntry(Event(1))),
                              HashLeaf(EncodeEntry(Event(7)))};
  CHECK(log.Root() == ReferenceMth(leaves, 0, 3));
}

TEST_CASE("Committing a prefix keeps it and drops the rest", "[log]") {
  Log log{Frontier()};
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 5; ++i) {
    absl::StatusOr<store::LogAppend> a = log.Append(Event(i));
    REQUIRE(a.ok());
    leaves.push_back(HashLeaf(a->entry));
  }
  log.Committed(3);
  CHECK(log.Size() == 3);
  CHECK(log.Root() == ReferenceMth(leaves, 0, 3));
  absl::StatusOr<store::LogAppend> next = log.Append(Event(9));
  REQUIRE(next.ok());
  CHECK(next->index == 3);
  CHECK(log.status().ok());
}

TEST_CASE("An impossible commit size poisons the log", "[log]") {
  Log log{Frontier()};
  REQUIRE(log.Append(Event(0)).ok());
  log.Committed(5);
  CHECK(log.status().code() == absl::StatusCode::kInternal);
  CHECK(log.Size() == 0);
  CHECK(log.Append(Event(1)).status().code() == absl::StatusCode::kInternal);
}

TEST_CASE("Events without a canonical encoding are refused", "[log]") {
  Log log{Frontier()};
  accord::v1::AuditEvent bad = Event(0);
  bad.set_actor("\xff\xfe not utf-8");
  CHECK(log.Append(bad).status().code() == absl::StatusCode::kInvalidArgument);
  accord::v1::AuditEvent big = Event(0);
  big.set_actor(std::string(kMaxEntryBytes, 'x'));
  CHECK(log.Append(big).status().code() == absl::StatusCode::kInvalidArgument);
  // Refused events take no index.
  absl::StatusOr<store::LogAppend> ok = log.Append(Event(1));
  REQUIRE(ok.ok());
  CHECK(ok->index == 0);
}

TEST_CASE("Proofs past the committed size are out of range", "[log]") {
  Log log{Frontier()};
  MemoryNodeSource source;
  for (uint64_t i = 0; i < 4; ++i) {
    absl::StatusOr<store::LogAppend> a = log.Append(Event(i));
    REQUIRE(a.ok());
    REQUIRE(source.Add(*a).ok());
  }
  log.Committed(3);
  CHECK(log.InclusionProof(source, 0, 4).status().code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(log.ConsistencyProof(source, 1, 4).status().code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(log.InclusionProof(source, 0, 3).ok());
}

TEST_CASE("A log restarted from stored nodes continues the same tree",
          "[log]") {
  MemoryNodeSource source;
  Hash root;
  {
    Log log{Frontier()};
    for (uint64_t i = 0; i < 11; ++i) {
      absl::StatusOr<store::LogAppend> a = log.Append(Event(i));
      REQUIRE(a.ok());
      REQUIRE(source.Add(*a).ok());
    }
    log.Committed(11);
    root = log.Root();
  }
  absl::StatusOr<Frontier> loaded = Frontier::Load(source, source.Size());
  REQUIRE(loaded.ok());
  Log log{*loaded};
  CHECK(log.Size() == 11);
  CHECK(log.Root() == root);
  absl::StatusOr<store::LogAppend> a = log.Append(Event(11));
  REQUIRE(a.ok());
  CHECK(a->index == 11);
}

TEST_CASE("Readers always see a committed head", "[log]") {
  // Precompute the root of every size, then check concurrent reads against
  // them while the writer appends and commits.
  constexpr uint64_t kN = 2000;
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < kN; ++i)
    leaves.push_back(HashLeaf(EncodeEntry(Event(i))));
  Frontier reference;
  std::vector<Hash> roots = {EmptyRoot()};
  for (const Hash& l : leaves) {
    reference.Append(l);
    roots.push_back(reference.Root());
  }
  Log log{Frontier()};
  std::atomic<bool> done{false};
  std::atomic<int> mismatches{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      const TreeHead h = log.Head();
      if (h.size > kN || roots[h.size] != h.root) ++mismatches;
      ++reads;
    }
  });
  // The reader is running before the first append and reads again after
  // the last, however the threads are scheduled.
  while (reads.load() == 0) std::this_thread::yield();
  for (uint64_t i = 0; i < kN; ++i) {
    REQUIRE(log.Append(Event(i)).ok());
    if (i % 7 == 6) log.Committed(i + 1);
  }
  log.Committed(kN);
  for (const int before = reads.load(); reads.load() == before;) {
    std::this_thread::yield();
  }
  done = true;
  reader.join();
  CHECK(mismatches.load() == 0);
  CHECK(log.Root() == roots[kN]);
}

}  // namespace
}  // namespace accord::auditlog
