// Online backups of the store and restores from them.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/store/store_test_util.h"

namespace accord::store {
namespace {

using testing::MakeDataset;
using testing::TempDir;

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
  CHECK(absl::IsFailedPrecondition(
      Store::RestoreFrom(dir.sub("no-backup"), dir.sub("elsewhere"))));
  auto store = Store::Open(dir.sub("restored"), {});
  REQUIRE(store.ok());
  CHECK((*store)->GetDataset("kept").ok());
  CHECK(absl::IsNotFound((*store)->GetDataset("later").status()));
  CHECK((*store)->revision() == 1);
}

TEST_CASE("a backup taken under writes is consistent") {
  TempDir dir;
  auto store = Store::Open(dir.sub("db"), {});
  REQUIRE(store.ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      WriteSet ws;
      ws.PutDataset(MakeDataset(absl::StrCat("w", i)));
      if (!(*store)->CommitAndWait(std::move(ws)).ok()) return;
    }
  });
  REQUIRE((*store)->WaitForRevision(20, absl::Seconds(30)).ok());
  REQUIRE((*store)->Backup(dir.sub("backup")).ok());
  CHECK(absl::IsInvalidArgument((*store)->Backup(dir.sub("backup"))));
  stop = true;
  writer.join();
  REQUIRE(Store::RestoreFrom(dir.sub("backup"), dir.sub("restored")).ok());
  auto restored = Store::Open(dir.sub("restored"), {});
  REQUIRE(restored.ok());
  const uint64_t rev = (*restored)->revision();
  CHECK(rev >= 20);
  // Revision r wrote w(r-1): everything up to the revision, nothing after.
  for (uint64_t r = 1; r <= rev; ++r) {
    CHECK((*restored)->GetDataset(absl::StrCat("w", r - 1)).ok());
  }
  CHECK(absl::IsNotFound(
      (*restored)->GetDataset(absl::StrCat("w", rev)).status()));
}

}  // namespace
}  // namespace accord::store
