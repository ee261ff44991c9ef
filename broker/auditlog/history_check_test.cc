#include "broker/auditlog/history_check.h"

#include <catch2/catch.hpp>
#include <string>

#include "broker/auditlog/checkpoint.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/test_note.h"
#include "broker/auditlog/test_tree.h"

namespace accord::auditlog {
namespace {

const char kOrigin[] = "accord.local/log";

accord::v1::AuditEvent Grant(int i) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_DECISION);
  e.set_actor("partner-demo");
  e.set_dataset_id("rennes.energy.household-consumption");
  e.set_purpose("research-and-development");
  e.set_decision(accord::v1::OUTCOME_PERMIT);
  e.set_grant_id("g" + std::to_string(i));
  return e;
}

const std::string kAliceKey(32, 'a');
const std::string kBobKey(32, 'b');

std::string Salt(int i) { return std::string(16, static_cast<char>('0' + i)); }

// Entries 0-2 are of version 1 (written before commitments): 0 names Alice
// only, 1 and 2 Alice and Bob. Later entries commit to Alice and Bob.
std::string Entry(int i) {
  accord::v1::AuditEvent e = Grant(i);
  if (i < 3) {
    e.add_subjects("alice");
    if (i > 0) e.add_subjects("bob");
    return EncodeEntry(e, kEntryVersion1);
  }
  REQUIRE(CommitSubjects({{"bob", kBobKey}, {"alice", kAliceKey}}, Salt(i), &e)
              .ok());
  return EncodeEntry(e);
}

// A log of 11 grants and the page the broker would send for two of them.
struct Fixture {
  testing::TestNoteKey key{kOrigin};
  testing::TestTree tree;
  accord::v1::GetAccessHistoryResponse page;

  Fixture() {
    for (int i = 0; i < 11; ++i) tree.Add(Entry(i));
    page.set_subject("alice");
    page.set_checkpoint(
        key.Sign(CheckpointBody(kOrigin, 11, *RootFromNodes(tree.source, 11))));
    for (int i : {9, 4, 0}) {
      accord::v1::AccessRecord* r = page.add_records();
      r->set_grant_id("g" + std::to_string(i));
      r->set_partner("partner-demo");
      r->set_dataset_id("rennes.energy.household-consumption");
      r->set_purpose("research-and-development");
      r->set_log_index(i);
      r->set_log_entry(tree.entries[i]);
      absl::StatusOr<Proof> proof = InclusionProof(tree.source, i, 11);
      REQUIRE(proof.ok());
      for (const std::string& h : *proof) r->add_inclusion_proof(h);
      if (i >= 3) r->set_subject_opening(*SubjectOpening(kAliceKey, Salt(i)));
    }
    // A grant of version 1 that also named Bob: served without its entry.
    accord::v1::AccessRecord* old = page.add_records();
    old->set_grant_id("g1");
    old->set_partner("partner-demo");
    old->set_log_index(1);
    old->set_recorded_before_commitments(true);
  }
};

TEST_CASE("a history page the log holds verifies") {
  Fixture f;
  absl::StatusOr<uint64_t> size =
      VerifyAccessHistoryPage(f.page, f.key.VerifierKey());
  REQUIRE(size.ok());
  CHECK(*size == 11);
  CHECK(UnverifiableRecords(f.page) == 1);
  CHECK(*VerifyAccessHistoryPage(accord::v1::GetAccessHistoryResponse(),
                                 f.key.VerifierKey()) == 0);
}

TEST_CASE("a history record that differs from the log is DATA_LOSS") {
  Fixture f;
  accord::v1::AccessRecord& r = *f.page.mutable_records(1);
  SECTION("another purpose shown") { r.set_purpose("public-benefit"); }
  SECTION("another partner shown") { r.set_partner("partner-other"); }
  SECTION("another index claimed") { r.set_log_index(5); }
  SECTION("another entry") { r.set_log_entry(f.tree.entries[5]); }
  SECTION("no opening") { r.clear_subject_opening(); }
  SECTION("another subject's opening") {
    r.set_subject_opening(*SubjectOpening(kBobKey, Salt(4)));
  }
  SECTION("the opening of another entry") {
    r.set_subject_opening(*SubjectOpening(kAliceKey, Salt(9)));
  }
  SECTION("the page names another subject") { f.page.set_subject("carol"); }
  SECTION("the page names no subject") { f.page.clear_subject(); }
  SECTION("a version 1 entry that does not name the caller") {
    accord::v1::AccessRecord& v1 = *f.page.mutable_records(2);
    f.page.set_subject("bob");
    // Bob's opening makes the version 2 records his; entry 0 is Alice's.
    for (int i : {0, 1}) {
      const int index = static_cast<int>(f.page.records(i).log_index());
      f.page.mutable_records(i)->set_subject_opening(
          *SubjectOpening(kBobKey, Salt(index)));
    }
    CHECK(v1.log_index() == 0);
  }
  SECTION("a proof hash changed") {
    std::string h = r.inclusion_proof(0);
    h[0] ^= 1;
    r.set_inclusion_proof(0, h);
  }
  CHECK(absl::IsDataLoss(
      VerifyAccessHistoryPage(f.page, f.key.VerifierKey()).status()));
}

TEST_CASE("another subject's page of the same entries verifies") {
  Fixture f;
  f.page.set_subject("bob");
  f.page.mutable_records()->DeleteSubrange(2, 1);  // entry 0 names Alice only
  for (accord::v1::AccessRecord& r : *f.page.mutable_records()) {
    if (r.recorded_before_commitments()) continue;
    r.set_subject_opening(*SubjectOpening(kBobKey, Salt(r.log_index())));
  }
  CHECK(VerifyAccessHistoryPage(f.page, f.key.VerifierKey()).ok());
}

TEST_CASE("a history checkpoint of another key is refused") {
  Fixture f;
  testing::TestNoteKey other(kOrigin);
  absl::StatusOr<uint64_t> size =
      VerifyAccessHistoryPage(f.page, other.VerifierKey());
  CHECK_FALSE(size.ok());
}

}  // namespace
}  // namespace accord::auditlog
