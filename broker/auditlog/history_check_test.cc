#include "broker/auditlog/history_check.h"

#include <string>

#include <catch2/catch.hpp>

#include "broker/auditlog/checkpoint.h"
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
  e.add_subjects("alice");
  return e;
}

// A log of 11 grants and the page the broker would send for two of them.
struct Fixture {
  testing::TestNoteKey key{kOrigin};
  testing::TestTree tree;
  accord::v1::GetAccessHistoryResponse page;

  Fixture() {
    for (int i = 0; i < 11; ++i) tree.Add(EncodeEntry(Grant(i)));
    page.set_checkpoint(key.Sign(
        CheckpointBody(kOrigin, 11, *RootFromNodes(tree.source, 11))));
    for (int i : {9, 4}) {
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
    }
  }
};

TEST_CASE("a history page the log holds verifies") {
  Fixture f;
  absl::StatusOr<uint64_t> size =
      VerifyAccessHistoryPage(f.page, f.key.VerifierKey());
  REQUIRE(size.ok());
  CHECK(*size == 11);
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
  SECTION("a proof hash changed") {
    std::string h = r.inclusion_proof(0);
    h[0] ^= 1;
    r.set_inclusion_proof(0, h);
  }
  CHECK(absl::IsDataLoss(
      VerifyAccessHistoryPage(f.page, f.key.VerifierKey()).status()));
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
