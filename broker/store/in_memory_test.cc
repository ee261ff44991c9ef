// StoreOptions::in_memory: the same store, with nothing on disk.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "absl/time/time.h"
#include "broker/store/store.h"
#include "broker/store/store_test_util.h"

namespace accord::store {
namespace {

using testing::AddGrant;
using testing::EntryLabel;
using testing::MakeDataset;
using testing::RecordingAppender;
using testing::TempDir;

StoreOptions InMemory(LogAppender* log) {
  StoreOptions options;
  options.appender = log;
  options.in_memory = true;
  return options;
}

TEST_CASE("an in-memory store commits, reads and waits with nothing on disk") {
  TempDir dir;
  const std::string path = dir.sub("db");
  RecordingAppender log;
  auto store = Store::Open(path, InMemory(&log));
  REQUIRE(store.ok());
  CHECK((*store)->revision() == 0);

  WriteSet ws;
  ws.PutDataset(MakeDataset("d1"));
  AddGrant(ws, "g1", "d1", 100);
  auto committed = (*store)->CommitAndWait(std::move(ws));
  REQUIRE(committed.ok());
  CHECK(committed->revision == 1);
  REQUIRE(committed->log_indices.size() == 1);
  CHECK((*store)->GetDataset("d1")->revision() == 1);
  CHECK((*store)->GetGrant("g1")->log_index() == 0);
  CHECK(EntryLabel((*store)->GetLogEntry(0)) == "g1@1");
  CHECK((*store)->WaitForRevision(1, absl::Seconds(1)).ok());
  // Quotas are the writer's, as on disk: the second use over the count is
  // refused with the rule's payload.
  WriteSet first;
  first.UseQuota({"p", "d1", "r", 0, 1, 1});
  CHECK((*store)->CommitAndWait(std::move(first)).ok());
  WriteSet second;
  second.UseQuota({"p", "d1", "r", 0, 1, 1});
  auto refused = (*store)->CommitAndWait(std::move(second));
  CHECK(absl::IsResourceExhausted(refused.status()));
  CHECK(refused.status().GetPayload(kQuotaPayload).has_value());
  CHECK((*store)->revision() == 2);

  // Nothing was created at the path the store is named by.
  CHECK(!std::filesystem::exists(path));
  // No file system: no free space to report, no reserve, no backup.
  CHECK((*store)->min_free_bytes() == 0);
  CHECK(absl::IsFailedPrecondition((*store)->FreeBytes().status()));
  CHECK(absl::IsFailedPrecondition((*store)->Backup(dir.sub("backup"))));
  CHECK(!std::filesystem::exists(dir.sub("backup")));
  // An erasure's compaction runs in memory too.
  CHECK((*store)->CompactErased().ok());
  CHECK(!std::filesystem::exists(path));
}

TEST_CASE("in-memory stores start empty and are independent") {
  RecordingAppender log_a;
  RecordingAppender log_b;
  auto a = Store::Open("/accord/in-memory", InMemory(&log_a));
  auto b = Store::Open("/accord/in-memory", InMemory(&log_b));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  WriteSet ws;
  ws.PutDataset(MakeDataset("d1"));
  REQUIRE((*a)->CommitAndWait(std::move(ws)).ok());
  CHECK((*a)->GetDataset("d1").ok());
  CHECK(absl::IsNotFound((*b)->GetDataset("d1").status()));
  CHECK((*b)->revision() == 0);
  // A relative name, or none, is as good: nothing is resolved against the
  // disk.
  CHECK(Store::Open("", InMemory(&log_b)).ok());
  auto relative = Store::Open("in-memory", InMemory(&log_b));
  REQUIRE(relative.ok());
  WriteSet more;
  more.PutDataset(MakeDataset("d2"));
  REQUIRE((*relative)->CommitAndWait(std::move(more)).ok());
  CHECK((*relative)->GetDataset("d2").ok());
  CHECK(!std::filesystem::exists("in-memory"));
  (*a)->Close();
  // Closed, its content is gone: a new one of the same name is empty.
  auto again = Store::Open("/accord/in-memory", InMemory(&log_a));
  REQUIRE(again.ok());
  CHECK(absl::IsNotFound((*again)->GetDataset("d1").status()));
}

TEST_CASE("an in-memory store cannot be opened read-only or as existing") {
  StoreOptions read_only = InMemory(nullptr);
  read_only.read_only = true;
  CHECK(absl::IsInvalidArgument(
      Store::Open("/accord/in-memory", read_only).status()));
  StoreOptions existing = InMemory(nullptr);
  existing.create_if_missing = false;
  CHECK(absl::IsNotFound(Store::Open("/accord/in-memory", existing).status()));
}

}  // namespace
}  // namespace accord::store
