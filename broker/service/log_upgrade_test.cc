// The upgrade to subject commitments (storage format 2 -> 3): a store whose
// log holds version 1 entries, written the old way here, is opened by this
// broker's code. The old entries stay as they were and still verify; new
// entries are of version 2; a citizen's history serves an old entry only
// when it names nobody else, and verifies.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpointer.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/history_check.h"
#include "broker/auditlog/log.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/test_note.h"
#include "broker/service/audit_events.h"
#include "broker/service/audited_store.h"
#include "broker/service/env.h"
#include "broker/service/history_proofs.h"
#include "broker/service/store_node_source.h"
#include "broker/store/keys.h"
#include "broker/store/store_test_util.h"

namespace accord::service {
namespace {

constexpr char kOrigin[] = "accord.local/log";
constexpr char kDataset[] = "rennes.energy.household-consumption";
constexpr char kPurpose[] = "research-and-development";
// Pseudonyms long enough that finding one in bytes is no accident.
const std::string kAlice = "YWxpY2UtcHNldWRvbnltLWZvci10ZXN0";
const std::string kBob = "Ym9iLXBzZXVkb255bS1mb3ItdGhlLXRlc3Q";

accord::v1::AuditEvent OldGrantEvent(const std::string& grant_id,
                                     const std::vector<std::string>& subjects) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_DECISION);
  e.set_actor("partner-demo");
  e.set_dataset_id(kDataset);
  e.set_purpose(kPurpose);
  e.set_decision(accord::v1::OUTCOME_PERMIT);
  e.set_grant_id(grant_id);
  e.set_revision(1);
  for (const std::string& s : subjects) e.add_subjects(s);
  return e;
}

store::GrantRecord Grant(const std::string& id, int64_t issued_at,
                         const std::vector<std::string>& subjects) {
  store::GrantRecord g;
  g.set_id(id);
  g.set_partner("partner-demo");
  g.set_dataset_id(kDataset);
  g.set_purpose(kPurpose);
  g.set_issued_at(issued_at);
  for (const std::string& s : subjects) g.add_subjects(s);
  return g;
}

// A format 2 store, as the broker before commitments left it: a consent of
// Alice, a grant naming Alice alone and one naming Alice and Bob, each
// with its version 1 entry.
std::vector<std::string> WriteFormat2Store(const std::string& path) {
  {
    auto created = store::Store::Open(path, {});
    REQUIRE(created.ok());
  }
  accord::v1::AuditEvent consent;
  consent.set_type(accord::v1::EVENT_TYPE_CONSENT);
  consent.set_actor(absl::StrCat("subject:", kAlice));
  consent.set_dataset_id(kDataset);
  consent.add_subjects(kAlice);
  const std::vector<std::string> entries = {
      auditlog::EncodeEntry(consent, auditlog::kEntryVersion1),
      auditlog::EncodeEntry(OldGrantEvent("g-alice", {kAlice}),
                            auditlog::kEntryVersion1),
      auditlog::EncodeEntry(OldGrantEvent("g-both", {kAlice, kBob}),
                            auditlog::kEntryVersion1)};
  REQUIRE(store::testing::EditRaw(path, [&](rocksdb::DB* db,
                                            const auto& family) {
    rocksdb::WriteBatch b;
    auditlog::Frontier tree;
    for (uint64_t i = 0; i < entries.size(); ++i) {
      b.Put(family("audit_leaves"), store::keys::BE64(i), entries[i]);
      for (const auditlog::Node& n :
           tree.Append(auditlog::HashLeaf(entries[i]))) {
        b.Put(family("audit_hashes"), store::keys::AuditNode(n.level, n.index),
              auditlog::HashToBytes(n.hash));
      }
    }
    int index = 1;
    for (store::GrantRecord g : {Grant("g-alice", 100, {kAlice}),
                                 Grant("g-both", 200, {kAlice, kBob})}) {
      g.set_revision(1);
      g.set_log_index(index++);
      for (const std::string& s : g.subjects()) {
        b.Put(family("index"),
              store::keys::GrantBySubject(s, g.issued_at(), g.id()), kDataset);
      }
      b.Put(family("grants"), g.id(), g.SerializeAsString());
    }
    b.Put(family("meta"), "log_size", store::keys::BE64(entries.size()));
    b.Put(family("meta"), "revision", store::keys::BE64(1));
    b.Put(family("meta"), "format_version", "2");
    REQUIRE(db->Write(rocksdb::WriteOptions(), &b).ok());
  }));
  return entries;
}

TEST_CASE(
    "a store of version 1 entries upgrades: old entries verify, new ones are "
    "version 2") {
  store::testing::TempDir dir;
  const std::string path = dir.sub("db");
  const std::vector<std::string> old_entries = WriteFormat2Store(path);

  absl::StatusOr<AuditedStore> opened = OpenAuditedStore(path, {});
  REQUIRE(opened.ok());
  store::Store& store = *opened->store;
  auditlog::Log& log = *opened->log;
  CHECK(log.Size() == 3);
  const auditlog::Hash old_root = log.Root();

  // A new grant naming Alice and Bob, written the way grant_flow does.
  store::WriteSet ws;
  store::GrantRecord g = Grant("g-new", 300, {kAlice, kBob});
  ws.PutGrant(g);
  accord::v1::Decision decision;
  decision.set_outcome(accord::v1::OUTCOME_PERMIT);
  ws.AddAuditEvent(DecisionEvent("partner-demo", kDataset, kPurpose, decision,
                                 "g-new", {kAlice, kBob}, 300));
  REQUIRE(store.CommitAndWait(std::move(ws)).ok());
  REQUIRE(log.Size() == 4);

  // The old entries are byte for byte what they were; the new one is of
  // version 2 and names nobody.
  for (uint64_t i = 0; i < old_entries.size(); ++i) {
    CHECK(*store.GetLogEntry(i) == old_entries[i]);
    CHECK(auditlog::DecodeEntry(old_entries[i]).ok());
  }
  const std::string fresh = *store.GetLogEntry(3);
  CHECK(auditlog::EntryVersion(fresh) == auditlog::kEntryVersion);
  CHECK(fresh.find(kAlice) == std::string::npos);
  CHECK(fresh.find(kBob) == std::string::npos);
  CHECK(auditlog::DecodeEntry(fresh)->subject_count() == 2);

  // Every entry is proven in the new tree, which extends the old one.
  StoreNodeSource nodes(&store);
  for (uint64_t i = 0; i < 4; ++i) {
    absl::StatusOr<auditlog::Proof> proof = log.InclusionProof(nodes, i, 4);
    REQUIRE(proof.ok());
    CHECK(auditlog::VerifyInclusion(
              auditlog::HashToBytes(auditlog::HashLeaf(*store.GetLogEntry(i))),
              i, 4, *proof, auditlog::HashToBytes(log.Root()))
              .ok());
  }
  absl::StatusOr<auditlog::Proof> consistency =
      log.ConsistencyProof(nodes, 3, 4);
  REQUIRE(consistency.ok());
  CHECK(auditlog::VerifyConsistency(3, 4, *consistency,
                                    auditlog::HashToBytes(old_root),
                                    auditlog::HashToBytes(log.Root()))
            .ok());

  // Alice's history: the new grant with her opening, the old grant that
  // named her alone, and the old grant that also named Bob without its
  // entry.
  auditlog::testing::TestNoteKey key(kOrigin);
  auditlog::Checkpointer::Options options;
  options.origin = kOrigin;
  auto checkpointer = auditlog::Checkpointer::Create(
      log, options, key.signer,
      [](const auditlog::SignedCheckpoint&) { return absl::OkStatus(); },
      [] { return absl::Now(); });
  REQUIRE(checkpointer.ok());
  Env env;
  env.store = &store;
  env.log = &log;
  env.checkpointer = checkpointer->get();
  accord::v1::GetAccessHistoryResponse page;
  page.set_subject(kAlice);
  auto grants = store.ListGrantsBySubject(kAlice, "", 10);
  REQUIRE(grants.ok());
  for (const store::GrantRecord& r : grants->records) {
    accord::v1::AccessRecord* a = page.add_records();
    a->set_grant_id(r.id());
    a->set_partner(r.partner());
    a->set_dataset_id(r.dataset_id());
    a->set_purpose(r.purpose());
    a->set_log_index(r.log_index());
  }
  REQUIRE(page.records_size() == 3);
  REQUIRE(AttachHistoryProofs(env, &page).ok());
  for (const accord::v1::AccessRecord& r : page.records()) {
    INFO(r.grant_id());
    CHECK(r.recorded_before_commitments() == (r.grant_id() == "g-both"));
    CHECK(r.log_entry().empty() == (r.grant_id() == "g-both"));
    CHECK(r.subject_opening().empty() == (r.grant_id() != "g-new"));
  }
  CHECK(page.SerializeAsString().find(kBob) == std::string::npos);
  absl::StatusOr<uint64_t> verified =
      auditlog::VerifyAccessHistoryPage(page, key.VerifierKey());
  INFO(verified.status());
  REQUIRE(verified.ok());
  CHECK(*verified == 4);
  CHECK(auditlog::UnverifiableRecords(page) == 1);

  // Bob's history (old entries name Alice too): only the new grant is
  // served, and verifies.
  accord::v1::GetAccessHistoryResponse bob;
  bob.set_subject(kBob);
  for (const auto& [id, index] :
       {std::pair<std::string, uint64_t>{"g-new", 3}, {"g-both", 2}}) {
    accord::v1::AccessRecord* a = bob.add_records();
    a->set_grant_id(id);
    a->set_partner("partner-demo");
    a->set_dataset_id(kDataset);
    a->set_purpose(kPurpose);
    a->set_log_index(index);
  }
  REQUIRE(AttachHistoryProofs(env, &bob).ok());
  CHECK(bob.SerializeAsString().find(kAlice) == std::string::npos);
  CHECK(auditlog::VerifyAccessHistoryPage(bob, key.VerifierKey()).ok());
  CHECK(auditlog::UnverifiableRecords(bob) == 1);

  // The store now records the current format, which a broker older than
  // format 3 refuses.
  checkpointer->reset();
  opened->store.reset();
  REQUIRE(
      store::testing::EditRaw(path, [](rocksdb::DB* db, const auto& family) {
        std::string version;
        REQUIRE(db->Get(rocksdb::ReadOptions(), family("meta"),
                        "format_version", &version)
                    .ok());
        CHECK(version == absl::StrCat(store::kFormatVersion));
      }));
}

}  // namespace
}  // namespace accord::service
