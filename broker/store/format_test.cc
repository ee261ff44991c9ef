// The storage format: its version is checked at open, and older formats
// are upgraded in place.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/store/keys.h"
#include "broker/store/store_test_util.h"
#include "rocksdb/write_batch.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;
using testing::AddGrant;
using testing::EditRaw;
using testing::MakeDataset;
using testing::RecordingAppender;
using testing::TempDir;
using testing::WithLog;

void SetFormatVersion(const std::string& path, const std::string& version) {
  REQUIRE(EditRaw(path, [&](rocksdb::DB* db, const auto& family) {
    REQUIRE(db->Put(rocksdb::WriteOptions(), family("meta"), "format_version",
                    version)
                .ok());
  }));
}

TEST_CASE("newer, unknown or foreign directories are refused") {
  TempDir dir;
  {
    auto store = Store::Open(dir.sub("db"), {});
    REQUIRE(store.ok());
  }
  SetFormatVersion(dir.sub("db"), "7");  // newer
  auto newer = Store::Open(dir.sub("db"), {});
  REQUIRE(absl::IsFailedPrecondition(newer.status()));
  CHECK(newer.status().message().find("newer") != std::string::npos);

  fs::create_directories(dir.sub("junk"));
  { std::ofstream(dir.sub("junk") + "/file") << "x"; }
  CHECK(absl::IsFailedPrecondition(Store::Open(dir.sub("junk"), {}).status()));

  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir.sub("other"), &db).ok());
    delete db;
  }
  CHECK(absl::IsFailedPrecondition(Store::Open(dir.sub("other"), {}).status()));

  fs::create_directories(dir.sub("garbage"));
  { std::ofstream(dir.sub("garbage") + "/CURRENT") << "MANIFEST-000099\n"; }
  CHECK(
      absl::IsFailedPrecondition(Store::Open(dir.sub("garbage"), {}).status()));

  StoreOptions no_create;
  no_create.create_if_missing = false;
  CHECK(!Store::Open(dir.sub("absent"), no_create).ok());
}

TEST_CASE("an unreadable format version is refused") {
  TempDir dir;
  { REQUIRE(Store::Open(dir.sub("db"), {}).ok()); }
  SetFormatVersion(dir.sub("db"), "one");
  CHECK(absl::IsFailedPrecondition(Store::Open(dir.sub("db"), {}).status()));
}

TEST_CASE("a format 1 store is upgraded in place at open") {
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), WithLog(&log));
    REQUIRE(store.ok());
    accord::v1::Consent c;
    c.set_id("c1");
    c.set_subject("alice");
    c.set_dataset_id("d1");
    c.set_state(accord::v1::CONSENT_STATE_GIVEN);
    c.add_events()->set_state(accord::v1::CONSENT_STATE_GIVEN);
    WriteSet ws;
    ws.PutConsent(c);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
    for (int i = 0; i < 3; ++i) {
      WriteSet grant;
      AddGrant(grant, absl::StrCat("g", i), i == 1 ? "d2" : "d1", 1000 + i);
      REQUIRE((*store)->CommitAndWait(std::move(grant)).ok());
    }
  }
  // Rewrite the index as format 1 left it: one entry per consent instead of
  // a list, grant entries without the dataset, and the second grant index.
  const auto legacy_grant_key = [](const std::string& dataset,
                                   int64_t issued_at, const std::string& id) {
    std::string k("Ealice\0", 7);
    k += dataset;
    k.push_back('\0');
    keys::AppendBE64(&k, static_cast<uint64_t>(issued_at));
    return k + id;
  };
  REQUIRE(EditRaw(dir.sub("db"), [&](rocksdb::DB* db, const auto& family) {
    rocksdb::WriteBatch b;
    b.Delete(family("index"), keys::ConsentsOfSubject("d1", "alice"));
    b.Put(family("index"), std::string("Dd1\0alice\0c1", 12), "");
    for (int i = 0; i < 3; ++i) {
      const std::string id = absl::StrCat("g", i);
      b.Put(family("index"), keys::GrantBySubject("alice", 1000 + i, id), "");
      b.Put(family("index"),
            legacy_grant_key(i == 1 ? "d2" : "d1", 1000 + i, id), "");
    }
    b.Put(family("meta"), "format_version", "1");
    REQUIRE(db->Write(rocksdb::WriteOptions(), &b).ok());
  }));

  // Read-only, it is refused with what to do.
  StoreOptions read_only;
  read_only.read_only = true;
  auto refused = Store::Open(dir.sub("db"), read_only);
  REQUIRE(absl::IsFailedPrecondition(refused.status()));
  CHECK(refused.status().message().find("upgrade") != std::string::npos);

  {
    auto store = Store::Open(dir.sub("db"), WithLog(&log));
    REQUIRE(store.ok());
    std::vector<std::string> alice = {"alice"};
    auto consents = (*store)->ConsentsForSubjects("d1", alice);
    REQUIRE(consents.ok());
    REQUIRE(consents->size() == 1);
    CHECK(consents->at(0).id() == "c1");
    CHECK(consents->at(0).state() == accord::v1::CONSENT_STATE_GIVEN);
    auto listed = (*store)->ListConsentsBySubject("alice", "d1", "", 10);
    REQUIRE(listed.ok());
    REQUIRE(listed->records.size() == 1);
    CHECK(listed->records[0].events_size() == 1);
    auto d1 = (*store)->GrantIdsForSubjectAndDataset("alice", "d1", 0);
    REQUIRE(d1.ok());
    CHECK(*d1 == std::vector<std::string>{"g0", "g2"});
    auto history = (*store)->ListGrantsBySubject("alice", "", 10);
    REQUIRE(history.ok());
    CHECK(history->records.size() == 3);
  }
  // Upgraded once: the version is current and no format 1 entry is left.
  REQUIRE(EditRaw(dir.sub("db"), [&](rocksdb::DB* db, const auto& family) {
    std::string version;
    REQUIRE(db->Get(rocksdb::ReadOptions(), family("meta"), "format_version",
                    &version)
                .ok());
    CHECK(version == absl::StrCat(kFormatVersion));
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), family("index")));
    it->Seek("E");
    CHECK((!it->Valid() || !it->key().starts_with("E")));
    it->Seek("D");
    REQUIRE(it->Valid());
    CHECK(it->key().ToString() == keys::ConsentsOfSubject("d1", "alice"));
    it->Next();
    CHECK((!it->Valid() || !it->key().starts_with("D")));
  }));
}

// A consent of `subject` for d1 with events of `states`, none stored yet.
accord::v1::Consent ConsentWithEvents(
    const std::string& id, const std::string& subject,
    std::initializer_list<accord::v1::ConsentState> states) {
  accord::v1::Consent c;
  c.set_id(id);
  c.set_subject(subject);
  c.set_dataset_id("d1");
  for (accord::v1::ConsentState state : states) {
    c.set_state(state);
    c.add_events()->set_state(state);
  }
  return c;
}

std::vector<accord::v1::ConsentState> States(const accord::v1::Consent& c) {
  std::vector<accord::v1::ConsentState> states;
  for (const auto& e : c.events()) states.push_back(e.state());
  return states;
}

TEST_CASE(
    "a format 3 store gets each consent's events counted at open, and a "
    "change appends after them") {
  using accord::v1::CONSENT_STATE_GIVEN;
  using accord::v1::CONSENT_STATE_WITHDRAWN;
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), WithLog(&log));
    REQUIRE(store.ok());
    WriteSet ws;
    ws.PutConsent(ConsentWithEvents(
        "c1", "alice",
        {CONSENT_STATE_GIVEN, CONSENT_STATE_WITHDRAWN, CONSENT_STATE_GIVEN}));
    ws.PutConsent(ConsentWithEvents("c2", "alice", {CONSENT_STATE_GIVEN}));
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
    auto head = (*store)->GetConsentHead("c1");
    REQUIRE(head.ok());
    CHECK(head->events_size() == 0);
    CHECK(head->earlier_events() == 3);
  }
  // Format 3 records held no count, in the consents family as in the
  // subject's list.
  REQUIRE(EditRaw(dir.sub("db"), [&](rocksdb::DB* db, const auto& family) {
    rocksdb::WriteBatch b;
    ConsentList list;
    for (const char* id : {"c1", "c2"}) {
      std::string value;
      REQUIRE(
          db->Get(rocksdb::ReadOptions(), family("consents"), id, &value).ok());
      accord::v1::Consent c;
      REQUIRE(c.ParseFromString(value));
      c.clear_earlier_events();
      b.Put(family("consents"), id, c.SerializeAsString());
      *list.add_consents() = c;
    }
    b.Put(family("index"), keys::ConsentsOfSubject("d1", "alice"),
          list.SerializeAsString());
    b.Put(family("meta"), "format_version", "3");
    REQUIRE(db->Write(rocksdb::WriteOptions(), &b).ok());
  }));

  auto store = Store::Open(dir.sub("db"), WithLog(&log));
  REQUIRE(store.ok());
  auto head = (*store)->GetConsentHead("c1");
  REQUIRE(head.ok());
  CHECK(head->earlier_events() == 3);
  std::vector<std::string> alice = {"alice"};
  auto heads = (*store)->ConsentsForSubjects("d1", alice);
  REQUIRE(heads.ok());
  REQUIRE(heads->size() == 2);
  CHECK(heads->at(0).earlier_events() == 3);
  CHECK(heads->at(1).earlier_events() == 1);

  // A change from the record as stored: its event is the fourth.
  accord::v1::Consent change = *head;
  change.set_state(CONSENT_STATE_WITHDRAWN);
  change.add_events()->set_state(CONSENT_STATE_WITHDRAWN);
  WriteSet ws;
  ws.PutConsent(change);
  auto committed = (*store)->CommitAndWait(std::move(ws));
  REQUIRE(committed.ok());
  auto whole = (*store)->GetConsent("c1");
  REQUIRE(whole.ok());
  CHECK(whole->earlier_events() == 0);
  CHECK(States(*whole) == std::vector<accord::v1::ConsentState>{
                              CONSENT_STATE_GIVEN, CONSENT_STATE_WITHDRAWN,
                              CONSENT_STATE_GIVEN, CONSENT_STATE_WITHDRAWN});
  CHECK(whole->events(3).revision() == committed->revision);
  CHECK(whole->events(0).revision() < committed->revision);
  auto listed = (*store)->ListConsentsBySubject("alice", "d1", "", 10);
  REQUIRE(listed.ok());
  REQUIRE(listed->records.size() == 2);
  CHECK(listed->records[0].events_size() == 4);
  CHECK(listed->records[0].earlier_events() == 0);
  CHECK((*store)->GetConsentHead("c1")->earlier_events() == 4);
}

TEST_CASE("a consent whose record miscounts its stored events is data loss") {
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), WithLog(&log));
    REQUIRE(store.ok());
    WriteSet ws;
    ws.PutConsent(ConsentWithEvents("c1", "alice",
                                    {accord::v1::CONSENT_STATE_GIVEN,
                                     accord::v1::CONSENT_STATE_WITHDRAWN}));
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  REQUIRE(EditRaw(dir.sub("db"), [&](rocksdb::DB* db, const auto& family) {
    REQUIRE(db->Delete(rocksdb::WriteOptions(), family("consent_events"),
                       keys::ConsentEvent("c1", 1))
                .ok());
  }));
  auto store = Store::Open(dir.sub("db"), WithLog(&log));
  REQUIRE(store.ok());
  auto whole = (*store)->GetConsent("c1");
  CHECK(absl::IsDataLoss(whole.status()));
  CHECK(whole.status().message().find("'c1'") != std::string::npos);
}

}  // namespace
}  // namespace accord::store
