// The writer's side of erasure and retention (erase.h): what an
// EraseSubjectOp and a PurgeOp delete, rewrite and keep.
#include <catch2/catch.hpp>
#include <string>

#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "broker/store/store_test_util.h"

namespace accord::store {
namespace {

using testing::RecordingAppender;
using testing::TempDir;
using testing::WithLog;

constexpr char kDataset[] = "ds";

accord::v1::Consent ConsentOf(const std::string& id, const std::string& subject,
                              const std::string& request_id = "") {
  accord::v1::Consent c;
  c.set_id(id);
  c.set_subject(subject);
  c.set_dataset_id(kDataset);
  c.set_purpose("research");
  c.mutable_recipient()->set_partner("p");
  c.set_given_at(100);
  c.set_state(accord::v1::CONSENT_STATE_GIVEN);
  c.set_request_id(request_id);
  auto* e = c.add_events();
  e->set_state(accord::v1::CONSENT_STATE_GIVEN);
  e->set_at(100);
  return c;
}

// The number of keys of `family` under `prefix`, read behind the store's
// back once it is closed.
size_t Keys(const std::string& path, const std::string& family,
            const std::string& prefix) {
  size_t n = 0;
  REQUIRE(testing::EditRaw(path, [&](rocksdb::DB* db, const auto& cf) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), cf(family)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      ++n;
    }
  }));
  return n;
}

TEST_CASE(
    "an erasure deletes the subject's records and keys, rewrites its "
    "grants and keeps tombstones naming nobody",
    "[erase]") {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  RecordingAppender log;
  {
    auto store = Store::Open(path, WithLog(&log));
    REQUIRE(store.ok());
    WriteSet ws;
    ws.PutConsent(ConsentOf("c-a1", "alice", "req-1"));
    ws.PutConsent(ConsentOf("c-a2", "alice"));
    ws.PutConsent(ConsentOf("c-b1", "bob"));
    GrantRecord g;
    g.set_id("g1");
    g.set_partner("p");
    g.set_dataset_id(kDataset);
    g.add_subjects("alice");
    g.add_subjects("bob");
    g.add_consent_ids("c-a1");
    g.add_consent_ids("c-b1");
    g.set_issued_at(200);
    g.set_expires_at(4000);
    ws.PutGrant(g);
    accord::v1::AuditEvent e;
    e.set_grant_id("g1");
    ws.AddAuditEvent(e);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  // The commitment key, as the commitment change writes it.
  REQUIRE(testing::EditRaw(path, [](rocksdb::DB* db, const auto& cf) {
    REQUIRE(db->Put(rocksdb::WriteOptions(), cf("index"),
                    keys::SubjectKey("alice"), std::string(32, 'k'))
                .ok());
  }));

  auto store = Store::Open(path, WithLog(&log));
  REQUIRE(store.ok());
  auto before = (*store)->FindSubject("alice");
  REQUIRE(before.ok());
  CHECK(before->consents.size() == 2);
  CHECK(before->grants.size() == 1);
  CHECK(before->has_subject_key);
  const uint64_t log_size = (*store)->LogSize();

  WriteSet erase;
  erase.EraseSubject("alice", 300);
  REQUIRE((*store)->CommitAndWait(std::move(erase)).ok());

  auto after = (*store)->FindSubject("alice");
  REQUIRE(after.ok());
  CHECK(after->empty());
  CHECK(absl::IsNotFound((*store)->GetConsent("c-a1").status()));
  auto decision = (*store)->ConsentsForSubjects(kDataset, {"alice", "bob"});
  REQUIRE(decision.ok());
  REQUIRE(decision->size() == 1);
  CHECK(decision->at(0).subject() == "bob");
  auto grant = (*store)->GetGrant("g1");
  REQUIRE(grant.ok());
  REQUIRE(grant->subjects_size() == 1);
  CHECK(grant->subjects(0) == "bob");
  CHECK(grant->erased_subjects() == 1);
  CHECK(grant->log_index() == 0);  // kept
  auto bob_grants = (*store)->ListGrantsBySubject("bob", "", 0);
  REQUIRE(bob_grants.ok());
  CHECK(bob_grants->records.size() == 1);
  CHECK((*store)->LogSize() == log_size);
  CHECK((*store)->CompactionPending());
  REQUIRE((*store)->CompactErased().ok());
  CHECK(!(*store)->CompactionPending());
  (*store)->Close();

  CHECK(Keys(path, "index", "Salice") == 0);
  CHECK(Keys(path, "index", "Galice") == 0);
  CHECK(Keys(path, "index", keys::SubjectKey("alice")) == 0);
  CHECK(Keys(path, "index", keys::AnswerOfRequestPrefix("req-1")) == 0);
  CHECK(Keys(path, "consent_events", keys::ConsentEventPrefix("c-a1")) == 0);
  CHECK(Keys(path, "consent_events", keys::ConsentEventPrefix("c-b1")) == 1);
  // One tombstone: the consent the grant relied on, not the other one.
  CHECK(Keys(path, "index", keys::ConsentTombstone("c-a1")) == 1);
  CHECK(Keys(path, "index", keys::ConsentTombstone("c-a2")) == 0);
  REQUIRE(testing::EditRaw(path, [](rocksdb::DB* db, const auto& cf) {
    std::string value;
    REQUIRE(db->Get(rocksdb::ReadOptions(), cf("index"),
                    keys::ConsentTombstone("c-a1"), &value)
                .ok());
    ConsentTombstone t;
    REQUIRE(t.ParseFromString(value));
    CHECK(t.dataset_id() == kDataset);
    CHECK(t.given_at() == 100);
    CHECK(t.ended_at() == 300);
    CHECK(t.erased_at() == 300);
    CHECK(value.find("alice") == std::string::npos);
  }));
}

TEST_CASE(
    "a purge deletes records with their index entries, and skips "
    "records already gone",
    "[erase]") {
  TempDir dir;
  RecordingAppender log;
  auto store = Store::Open(dir.path() + "/db", WithLog(&log));
  REQUIRE(store.ok());
  WriteSet ws;
  ws.PutConsent(ConsentOf("c1", "alice"));
  ws.PutConsent(ConsentOf("c2", "alice"));
  testing::AddGrant(ws, "g1", kDataset, 200);
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());

  WriteSet purge;
  purge.Purge({{"c1", "gone"}, {"g1", "gone-too"}, {"gone"}});
  REQUIRE((*store)->CommitAndWait(std::move(purge)).ok());
  CHECK(absl::IsNotFound((*store)->GetConsent("c1").status()));
  auto left = (*store)->ConsentsForSubjects(kDataset, {"alice"});
  REQUIRE(left.ok());
  REQUIRE(left->size() == 1);
  CHECK(left->at(0).id() == "c2");
  auto listed = (*store)->ListConsentsBySubject("alice", "", "", 0);
  REQUIRE(listed.ok());
  CHECK(listed->records.size() == 1);
  CHECK(absl::IsNotFound((*store)->GetGrant("g1").status()));
  auto grants = (*store)->ListGrantsBySubject("alice", "", 0);
  REQUIRE(grants.ok());
  CHECK(grants->records.empty());
  auto partner = (*store)->LiveGrantsOfPartner("p", 0, 0);
  REQUIRE(partner.ok());
  CHECK(partner->empty());
}

// A write set recording only the answer `response` to `caller`'s request
// `id`.
WriteSet AnswerOf(const std::string& caller, const std::string& id,
                  const std::string& response) {
  WriteSet ws;
  WriteSet::ClientRequestOp op;
  op.caller = caller;
  op.method = "/m";
  op.id = id;
  op.request_digest = "d";
  op.created_at = 100;
  op.response = [response](uint64_t, const std::vector<uint64_t>&) {
    return response;
  };
  ws.RecordClientRequest(std::move(op));
  return ws;
}

TEST_CASE(
    "an erasure deletes the answers kept for retries that name the "
    "subject",
    "[erase]") {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  RecordingAppender log;
  {
    auto store = Store::Open(path, WithLog(&log));
    REQUIRE(store.ok());
    WriteSet ws;
    ws.PutConsent(ConsentOf("c-a1", "alice-pseudonym"));
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
    // Alice's own call, a partner's answer naming her, and one naming
    // nobody.
    REQUIRE((*store)
                ->CommitAndWait(AnswerOf("app/alice-pseudonym", "r1", "given"))
                .ok());
    REQUIRE((*store)
                ->CommitAndWait(
                    AnswerOf("partner", "r2", "grant for alice-pseudonym"))
                .ok());
    REQUIRE(
        (*store)->CommitAndWait(AnswerOf("partner", "r3", "open data")).ok());
    WriteSet erase;
    erase.EraseSubject("alice-pseudonym", 500);
    REQUIRE((*store)->CommitAndWait(std::move(erase)).ok());
    CHECK(absl::IsNotFound(
        (*store)
            ->GetClientRequest("app/alice-pseudonym", "/m", "r1")
            .status()));
    CHECK(absl::IsNotFound(
        (*store)->GetClientRequest("partner", "/m", "r2").status()));
    CHECK((*store)->GetClientRequest("partner", "/m", "r3").ok());
  }
  CHECK(Keys(path, "index", "I") == 1);
  CHECK(Keys(path, "index", "W") == 1);
}

}  // namespace
}  // namespace accord::store
