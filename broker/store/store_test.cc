#include "broker/store/store.h"

#include <atomic>
#include <filesystem>
#include <set>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "store-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Records what the store asks of the log: entries are the event's grant id,
// one level-0 node per entry.
class RecordingAppender : public LogAppender {
 public:
  absl::StatusOr<LogAppend> Append(const accord::v1::AuditEvent& event) override {
    absl::MutexLock l(&mu_);
    LogAppend a;
    a.index = next_++;
    a.entry = absl::StrCat(event.grant_id(), "@", event.revision());
    a.nodes.push_back(TreeNode{0, a.index, std::string(32, 'h')});
    return a;
  }
  void Committed(uint64_t size) override {
    absl::MutexLock l(&mu_);
    committed_ = size;
  }
  void Abort() override {
    absl::MutexLock l(&mu_);
    next_ = committed_;
    ++aborts_;
  }
  uint64_t committed() {
    absl::MutexLock l(&mu_);
    return committed_;
  }

 private:
  absl::Mutex mu_;
  uint64_t next_ = 0;
  uint64_t committed_ = 0;
  int aborts_ = 0;
};

accord::v1::Dataset MakeDataset(const std::string& id) {
  accord::v1::Dataset d;
  d.set_id(id);
  d.set_title("t");
  d.set_classification(accord::v1::CLASSIFICATION_OPEN);
  d.add_fields("a");
  return d;
}

TEST_CASE("records round-trip, revisions are stamped, data survives reopen") {
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), {});
    REQUIRE(store.ok());
    (*store)->SetLogAppender(&log);
    WriteSet ws;
    ws.PutDataset(MakeDataset("d1"));
    accord::v1::AuditEvent e;
    e.set_grant_id("g1");
    ws.AddAuditEvent(e);
    GrantRecord g;
    g.set_id("g1");
    g.set_partner("p");
    g.set_dataset_id("d1");
    g.add_subjects("alice");
    g.set_issued_at(100);
    ws.PutGrant(g);
    auto r = (*store)->CommitAndWait(std::move(ws));
    REQUIRE(r.ok());
    CHECK(r->revision == 1);
    REQUIRE(r->log_indices.size() == 1);
    CHECK(r->log_indices[0] == 0);
    CHECK((*store)->revision() == 1);
    auto d = (*store)->GetDataset("d1");
    REQUIRE(d.ok());
    CHECK(d->revision() == 1);
    auto grant = (*store)->GetGrant("g1");
    REQUIRE(grant.ok());
    CHECK(grant->log_index() == 0);
    CHECK(grant->revision() == 1);
    CHECK((*store)->LogSize() == 1);
    CHECK(*(*store)->GetLogEntry(0) == "g1@1");
    CHECK((*store)->GetTreeNode(0, 0).ok());
    CHECK(log.committed() == 1);
  }
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  CHECK((*store)->revision() == 1);
  CHECK((*store)->LogSize() == 1);
  CHECK((*store)->GetDataset("d1").ok());
  CHECK(absl::IsNotFound((*store)->GetDataset("nope").status()));
  auto history = (*store)->ListGrantsBySubject("alice", "", 10);
  REQUIRE(history.ok());
  CHECK(history->records.size() == 1);
  auto ids = (*store)->GrantIdsForSubjectAndDataset("alice", "d1", 50);
  REQUIRE(ids.ok());
  CHECK(*ids == std::vector<std::string>{"g1"});
  CHECK((*store)->GrantIdsForSubjectAndDataset("alice", "d1", 101)->empty());
}

TEST_CASE("a write set with audit events needs a log") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  WriteSet ws;
  ws.AddAuditEvent(accord::v1::AuditEvent());
  auto r = (*store)->CommitAndWait(std::move(ws));
  CHECK(absl::IsFailedPrecondition(r.status()));
  CHECK((*store)->revision() == 0);
}

TEST_CASE("consents: events, indexes by subject and by dataset") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  for (int i = 0; i < 3; ++i) {
    accord::v1::Consent c;
    c.set_id(absl::StrCat("c", i));
    c.set_subject(i < 2 ? "alice" : "bob");
    c.set_dataset_id(i == 1 ? "d2" : "d1");
    c.set_state(accord::v1::CONSENT_STATE_GIVEN);
    c.add_events()->set_state(accord::v1::CONSENT_STATE_GIVEN);
    WriteSet ws;
    ws.PutConsent(c);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  auto c0 = (*store)->GetConsent("c0");
  REQUIRE(c0.ok());
  REQUIRE(c0->events_size() == 1);
  CHECK(c0->events(0).revision() == 1);
  c0->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
  c0->add_events()->set_state(accord::v1::CONSENT_STATE_WITHDRAWN);
  WriteSet ws;
  ws.PutConsent(*c0);
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  auto again = (*store)->GetConsent("c0");
  REQUIRE(again->events_size() == 2);
  CHECK(again->events(0).revision() == 1);
  CHECK(again->events(1).revision() == 4);

  auto alice = (*store)->ListConsentsBySubject("alice", "", "", 10);
  REQUIRE(alice.ok());
  CHECK(alice->records.size() == 2);
  auto alice_d1 = (*store)->ListConsentsBySubject("alice", "d1", "", 10);
  CHECK(alice_d1->records.size() == 1);
  std::vector<std::string> subjects = {"alice", "bob", "carol"};
  auto for_d1 = (*store)->ConsentsForSubjects("d1", subjects);
  REQUIRE(for_d1.ok());
  CHECK(for_d1->size() == 2);
}

TEST_CASE("lists page with cursors and never truncate silently") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  for (int i = 0; i < 25; ++i) {
    WriteSet ws;
    ws.PutDataset(MakeDataset(absl::StrCat("d", 100 + i)));
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = (*store)->ListDatasets(cursor, 10);
    REQUIRE(page.ok());
    for (const auto& d : page->records) seen.insert(d.id());
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty());
  CHECK(seen.size() == 25);
  CHECK(pages == 3);
  CHECK(absl::IsInvalidArgument((*store)->ListDatasets("!!", 10).status()));
}

TEST_CASE("principals are found by certificate, and forgotten on removal") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  accord::v1::Principal p;
  p.set_id("partner-a");
  p.set_role(accord::v1::ROLE_PARTNER);
  p.set_certificate_uri("urn:x:a");
  WriteSet ws;
  ws.PutPrincipal(p);
  REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  CHECK((*store)->FindPrincipalByCertificate("urn:x:a", "").ok());
  p.set_certificate_uri("urn:x:b");
  WriteSet replace;
  replace.PutPrincipal(p);
  REQUIRE((*store)->CommitAndWait(std::move(replace)).ok());
  CHECK(absl::IsNotFound((*store)->FindPrincipalByCertificate("urn:x:a", "").status()));
  CHECK((*store)->FindPrincipalByCertificate("urn:x:b", "").ok());
  WriteSet remove;
  remove.DeletePrincipal("partner-a");
  REQUIRE((*store)->CommitAndWait(std::move(remove)).ok());
  CHECK(absl::IsNotFound((*store)->FindPrincipalByCertificate("urn:x:b", "").status()));
  CHECK(absl::IsNotFound((*store)->GetPrincipal("partner-a").status()));
}

TEST_CASE("concurrent commits get unique, contiguous revisions") {
  TempDir dir;
  RecordingAppender log;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  (*store)->SetLogAppender(&log);
  constexpr int kThreads = 8;
  constexpr int kEach = 200;
  absl::Mutex mu;
  std::set<uint64_t> revisions;
  std::set<uint64_t> indices;
  std::atomic<int> callbacks{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        WriteSet ws;
        ws.PutDataset(MakeDataset(absl::StrCat("t", t, "-", i)));
        ws.AddAuditEvent(accord::v1::AuditEvent());
        auto r = (*store)->CommitAndWait(std::move(ws));
        ++callbacks;
        if (!r.ok()) continue;
        absl::MutexLock l(&mu);
        revisions.insert(r->revision);
        indices.insert(r->log_indices.at(0));
        // Read your writes.
        CHECK((*store)->GetDataset(absl::StrCat("t", t, "-", i)).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(callbacks == kThreads * kEach);
  REQUIRE(revisions.size() == kThreads * kEach);
  CHECK(*revisions.begin() == 1);
  CHECK(*revisions.rbegin() == kThreads * kEach);
  CHECK(indices.size() == kThreads * kEach);
  CHECK((*store)->LogSize() == kThreads * kEach);
  CHECK((*store)->WaitForRevision(kThreads * kEach, absl::Seconds(1)).ok());
  CHECK(absl::IsDeadlineExceeded(
      (*store)->WaitForRevision(kThreads * kEach + 1, absl::Milliseconds(10))));
}

TEST_CASE("newer, unknown or foreign directories are refused") {
  TempDir dir;
  {
    auto store = Store::Open(dir.sub("db"), {});
    REQUIRE(store.ok());
  }
  {
    // Write a newer format version behind the store's back.
    rocksdb::DBOptions options;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(options, dir.sub("db"), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir.sub("db"), families, &handles, &db).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "meta") {
        REQUIRE(db->Put(rocksdb::WriteOptions(), handles[i], "format_version", "7").ok());
      }
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
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
}

TEST_CASE("an online backup restores to the same state") {
  TempDir dir;
  {
    auto store = Store::Open(dir.sub("db"), {});
    REQUIRE(store.ok());
    WriteSet ws;
    ws.PutDataset(MakeDataset("kept"));
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
    REQUIRE((*store)->Backup(dir.sub("backup")).ok());
    WriteSet later;
    later.PutDataset(MakeDataset("later"));
    REQUIRE((*store)->CommitAndWait(std::move(later)).ok());
  }
  REQUIRE(Store::RestoreFrom(dir.sub("backup"), dir.sub("restored")).ok());
  CHECK(absl::IsFailedPrecondition(
      Store::RestoreFrom(dir.sub("backup"), dir.sub("restored"))));
  auto store = Store::Open(dir.sub("restored"), {});
  REQUIRE(store.ok());
  CHECK((*store)->GetDataset("kept").ok());
  CHECK(absl::IsNotFound((*store)->GetDataset("later").status()));
  CHECK((*store)->revision() == 1);
}

TEST_CASE("checkpoints and revocations are kept in order") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  CHECK(absl::IsNotFound((*store)->LatestCheckpoint().status()));
  for (uint64_t size : {3, 10}) {
    WriteSet ws;
    ws.PutCheckpoint(size, absl::StrCat("note ", size));
    accord::v1::Revocation r;
    r.add_grant_ids(absl::StrCat("g", size));
    ws.AddRevocation(r);
    REQUIRE((*store)->CommitAndWait(std::move(ws)).ok());
  }
  auto latest = (*store)->LatestCheckpoint();
  REQUIRE(latest.ok());
  CHECK(latest->first == 10);
  CHECK(latest->second == "note 10");
  auto all = (*store)->ListRevocationsAfter(0, 10);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(all->at(0).revision() == 1);
  auto after = (*store)->ListRevocationsAfter(1, 10);
  REQUIRE(after->size() == 1);
  CHECK(after->at(0).grant_ids(0) == "g10");
}

}  // namespace
}  // namespace accord::store
