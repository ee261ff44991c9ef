// Subject commitment keys: created by the writer the first time an event
// names a subject, shared within a batch, kept afterwards, never in the log.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "broker/store/keys.h"
#include "broker/store/store_test_util.h"

namespace accord::store {
namespace {

using testing::RecordingAppender;
using testing::TempDir;
using testing::WithLog;

WriteSet Naming(std::vector<std::string> subjects) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_CONSENT);
  for (const std::string& s : subjects) e.add_subjects(s);
  WriteSet ws;
  ws.AddAuditEvent(std::move(e));
  return ws;
}

// The key each append was given for `subject` ("" where it was not named).
std::vector<std::string> KeysGiven(RecordingAppender& log,
                                   const std::string& subject) {
  std::vector<std::string> out;
  for (const auto& append : log.subjects()) {
    std::string key;
    for (const KeyedSubject& k : append) {
      if (k.subject == subject) key = k.key;
    }
    out.push_back(key);
  }
  return out;
}

TEST_CASE("a subject's key is made once, shared by a batch and kept") {
  TempDir dir;
  RecordingAppender log;
  size_t largest_batch = 0;
  StoreOptions options = WithLog(&log);
  options.on_commit = [&](const CommitStats& c) {
    largest_batch = std::max(largest_batch, c.write_sets);
  };
  {
    auto store = Store::Open(dir.sub("db"), options);
    REQUIRE(store.ok());
    CHECK(absl::IsNotFound((*store)->GetSubjectKey("carol").status()));
    // The first commit's callback holds the writer until two more write sets
    // naming carol (unknown yet) are queued: they commit in one batch.
    absl::Notification holding;
    absl::Notification queued;
    absl::Notification done;
    (*store)->Commit(Naming({"alice"}), [&](absl::StatusOr<CommitResult> r) {
      CHECK(r.ok());
      holding.Notify();
      queued.WaitForNotification();
    });
    holding.WaitForNotification();
    int left = 2;
    absl::Mutex mu;
    for (int i = 0; i < 2; ++i) {
      (*store)->Commit(Naming({"carol", "dave", "carol"}),
                       [&](absl::StatusOr<CommitResult> r) {
                         CHECK(r.ok());
                         absl::MutexLock l(&mu);
                         if (--left == 0) done.Notify();
                       });
    }
    queued.Notify();
    done.WaitForNotification();
    CHECK(largest_batch == 2);
    std::vector<std::string> carol = KeysGiven(log, "carol");
    REQUIRE(carol.size() == 3);
    CHECK(carol[0].empty());
    CHECK(carol[1].size() == kSubjectKeyBytes);
    CHECK(carol[2] == carol[1]);  // one key for the batch
    // A subject named twice in one event is committed to once.
    CHECK(log.subjects()[1].size() == 2);
    CHECK(KeysGiven(log, "dave")[1] != carol[1]);
    auto stored = (*store)->GetSubjectKey("carol");
    REQUIRE(stored.ok());
    CHECK(*stored == carol[1]);
    CHECK(*(*store)->GetSubjectKey("alice") == KeysGiven(log, "alice")[0]);
    // A later batch uses the stored key, not a new one.
    REQUIRE((*store)->CommitAndWait(Naming({"carol"})).ok());
    CHECK(KeysGiven(log, "carol").back() == carol[1]);
  }
  // The key is durable.
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  CHECK(*(*store)->GetSubjectKey("carol") == KeysGiven(log, "carol")[1]);
}

TEST_CASE("a malformed stored key fails the write, naming no subject") {
  TempDir dir;
  RecordingAppender log;
  {
    auto store = Store::Open(dir.sub("db"), WithLog(&log));
    REQUIRE(store.ok());
  }
  REQUIRE(
      testing::EditRaw(dir.sub("db"), [](rocksdb::DB* db, const auto& family) {
        REQUIRE(db->Put(rocksdb::WriteOptions(), family("index"),
                        keys::SubjectKey("carol"), "short")
                    .ok());
      }));
  auto store = Store::Open(dir.sub("db"), WithLog(&log));
  REQUIRE(store.ok());
  absl::StatusOr<CommitResult> r = (*store)->CommitAndWait(Naming({"carol"}));
  CHECK(absl::IsDataLoss(r.status()));
  CHECK(r.status().message().find("carol") == std::string::npos);
  CHECK(absl::IsDataLoss((*store)->GetSubjectKey("carol").status()));
  CHECK((*store)->LogSize() == 0);
}

}  // namespace
}  // namespace accord::store
