#include "broker/auditlog/log_audit.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/test_note.h"
#include "broker/auditlog/test_tree.h"

namespace accord::auditlog {
namespace {

const char kOrigin[] = "accord.example.org/log";
constexpr uint64_t kN = 37;

// The log as the broker wrote it: entries, stored tree nodes, and a signing
// key whose name is the origin, as the broker's is.
struct Broker {
  testing::TestNoteKey key{kOrigin};
  testing::TestTree tree;

  Broker() {
    for (uint64_t i = 0; i < kN; ++i) {
      accord::v1::AuditEvent e;
      e.set_type(accord::v1::EVENT_TYPE_DECISION);
      e.set_actor("partner-" + std::to_string(i));
      e.set_revision(i + 1);
      tree.Add(EncodeEntry(e));
    }
  }
  // The checkpoint the broker signs over its stored nodes at `size`.
  std::string Note(uint64_t size) {
    return key.Sign(
        CheckpointBody(kOrigin, size, *RootFromNodes(tree.source, size)));
  }
  // Consistency proofs from the stored nodes, as GetConsistencyProof gives.
  std::function<absl::StatusOr<Proof>(uint64_t, uint64_t)> Proofs() {
    return [this](uint64_t a, uint64_t b) {
      return ConsistencyProof(tree.source, a, b);
    };
  }
};

// Another actor of the same length: the entry still decodes.
std::string Rewrite(std::string entry) {
  const size_t at = entry.find("partner-");
  entry[at + 8] = entry[at + 8] == 'x' ? 'y' : 'x';
  return entry;
}

TEST_CASE("an intact log verifies, with or without a saved checkpoint") {
  Broker b;
  LogAuditInput in;
  in.entries = b.tree.entries;
  in.checkpoint_note = b.Note(kN);
  in.verifier_key = b.key.VerifierKey();
  in.consistency = b.Proofs();
  CHECK(AuditLogEntries(in).ok());
  in.saved_note = b.Note(10);
  const VerifyReport report = AuditLogEntries(in);
  CHECK(report.ok());
  CHECK(report.size == kN);
}

TEST_CASE("a changed, dropped or swapped entry is named by its index") {
  Broker b;
  const uint64_t bad = GENERATE(0, 5, 16, 36);
  std::vector<std::string> entries = b.tree.entries;
  uint64_t size = kN;
  SECTION("changed") { entries[bad] = Rewrite(entries[bad]); }
  SECTION("dropped") {
    entries.erase(entries.begin() + bad);
    size = kN - 1;
  }
  SECTION("swapped with a later one") {
    if (bad + 1 < kN)
      std::swap(entries[bad], entries[kN - 1]);
    else
      std::swap(entries[bad], entries[0]);
  }
  LogAuditInput in;
  in.entries = entries;
  in.checkpoint_note = b.Note(size);
  in.verifier_key = b.key.VerifierKey();
  in.consistency = b.Proofs();
  // The auditor saved the original checkpoint: without it, dropping the
  // last entry and re-signing would go unnoticed.
  in.saved_note = b.Note(kN);
  const VerifyReport report = AuditLogEntries(in);
  REQUIRE_FALSE(report.ok());
  REQUIRE(report.first_bad_index.has_value());
  // The first index where the log differs from what was signed.
  uint64_t expected = 0;
  while (expected < entries.size() &&
         entries[expected] == b.tree.entries[expected]) {
    ++expected;
  }
  CHECK(*report.first_bad_index == expected);
}

TEST_CASE("a log rolled back below a saved checkpoint is named at its end") {
  Broker b;
  const std::vector<std::string> entries(b.tree.entries.begin(),
                                         b.tree.entries.begin() + 20);
  LogAuditInput in;
  in.entries = entries;
  in.checkpoint_note = b.Note(20);
  in.verifier_key = b.key.VerifierKey();
  in.saved_note = b.Note(kN);
  in.consistency = b.Proofs();
  const VerifyReport report = AuditLogEntries(in);
  REQUIRE_FALSE(report.ok());
  REQUIRE(report.first_bad_index.has_value());
  CHECK(*report.first_bad_index == 20);
}

TEST_CASE("an earlier export names the first changed entry of a file") {
  Broker b;
  std::vector<std::string> entries = b.tree.entries;
  entries[12] = Rewrite(entries[12]);
  LogAuditInput in;
  in.entries = entries;
  in.checkpoint_note = b.Note(kN);
  in.verifier_key = b.key.VerifierKey();
  in.saved_note = b.Note(30);
  const std::vector<std::string> saved(b.tree.entries.begin(),
                                       b.tree.entries.begin() + 30);
  in.saved_entries = &saved;
  const VerifyReport report = AuditLogEntries(in);
  REQUIRE_FALSE(report.ok());
  CHECK(report.first_bad_index == 12u);
  CHECK(report.bad_range_end == 13u);
}

TEST_CASE("an earlier export that does not verify is reported") {
  Broker b;
  LogAuditInput in;
  in.entries = b.tree.entries;
  in.checkpoint_note = b.Note(kN);
  in.verifier_key = b.key.VerifierKey();
  in.saved_note = b.Note(30);
  std::vector<std::string> saved(b.tree.entries.begin(),
                                 b.tree.entries.begin() + 30);
  saved[3] = Rewrite(saved[3]);
  in.saved_entries = &saved;
  CHECK_FALSE(AuditLogEntries(in).ok());
}

TEST_CASE("a checkpoint signed by another key is refused") {
  Broker b;
  testing::TestNoteKey other(kOrigin);
  LogAuditInput in;
  in.entries = b.tree.entries;
  in.checkpoint_note = other.Sign(
      CheckpointBody(kOrigin, kN, *RootFromNodes(b.tree.source, kN)));
  in.verifier_key = b.key.VerifierKey();
  const VerifyReport report = AuditLogEntries(in);
  CHECK_FALSE(report.ok());
  CHECK_FALSE(report.first_bad_index.has_value());
}

TEST_CASE("the origin of a verifier key is its name") {
  CHECK(OriginOfVerifierKey("accord.local/log+1234abcd+AAAA") ==
        "accord.local/log");
}

}  // namespace
}  // namespace accord::auditlog
