#include "broker/store/sorted_batch.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "broker/store/store_test_util.h"

namespace accord::store {
namespace {

using testing::TempDir;

// A plain RocksDB with two column families besides the default one.
struct TwoFamilies {
  explicit TwoFamilies(const std::string& path) {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"a", rocksdb::ColumnFamilyOptions()},
        {"b", rocksdb::ColumnFamilyOptions()}};
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, path, families, &handles, &raw).ok());
    db.reset(raw);
  }
  ~TwoFamilies() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }
  std::string Get(int family, const std::string& key) {
    std::string value;
    rocksdb::Status s =
        db->Get(rocksdb::ReadOptions(), handles[family], key, &value);
    return s.IsNotFound() ? "<none>" : value;
  }

  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
};

// The (family id, key, value or "<del>") of each operation, in batch order.
std::vector<std::string> Ops(const rocksdb::WriteBatch& batch) {
  struct Lister : rocksdb::WriteBatch::Handler {
    std::vector<std::string> out;
    rocksdb::Status PutCF(uint32_t f, const rocksdb::Slice& k,
                          const rocksdb::Slice& v) override {
      out.push_back(std::to_string(f) + ":" + k.ToString() + "=" +
                    v.ToString());
      return rocksdb::Status::OK();
    }
    rocksdb::Status DeleteCF(uint32_t f, const rocksdb::Slice& k) override {
      out.push_back(std::to_string(f) + ":" + k.ToString() + "=<del>");
      return rocksdb::Status::OK();
    }
  } lister;
  REQUIRE(batch.Iterate(&lister).ok());
  return lister.out;
}

TEST_CASE("a sorted batch orders by family and key, keeping each key's order") {
  TempDir dir;
  TwoFamilies db(dir.sub("db"));
  const uint32_t a = db.handles[1]->GetID();
  const uint32_t b = db.handles[2]->GetID();
  REQUIRE(a < b);
  rocksdb::WriteBatch batch;
  REQUIRE(batch.Put(db.handles[2], "k2", "b-first").ok());
  REQUIRE(batch.Put(db.handles[1], "z", "1").ok());
  REQUIRE(batch.Put(db.handles[1], "m", "2").ok());
  REQUIRE(batch.Delete(db.handles[1], "z").ok());
  REQUIRE(batch.Put(db.handles[2], "k1", "b").ok());
  REQUIRE(batch.Put(db.handles[1], "m", "3").ok());
  REQUIRE(batch.Put(db.handles[2], "k2", "b-last").ok());

  auto sorted = SortedByKey(batch, db.handles);
  REQUIRE(sorted.ok());
  const std::string fa = std::to_string(a) + ":";
  const std::string fb = std::to_string(b) + ":";
  CHECK(Ops(*sorted) == std::vector<std::string>{
                            fa + "m=2", fa + "m=3", fa + "z=1", fa + "z=<del>",
                            fb + "k1=b", fb + "k2=b-first", fb + "k2=b-last"});
  CHECK(sorted->Count() == batch.Count());

  // Written, it leaves what the original batch would have left.
  REQUIRE(db.db->Write(rocksdb::WriteOptions(), &*sorted).ok());
  CHECK(db.Get(1, "m") == "3");
  CHECK(db.Get(1, "z") == "<none>");
  CHECK(db.Get(2, "k1") == "b");
  CHECK(db.Get(2, "k2") == "b-last");
}

TEST_CASE("a batch for a family the store does not know is refused") {
  TempDir dir;
  TwoFamilies db(dir.sub("db"));
  rocksdb::WriteBatch batch;
  REQUIRE(batch.Put(db.handles[2], "k", "v").ok());
  std::vector<rocksdb::ColumnFamilyHandle*> only_a = {db.handles[0],
                                                      db.handles[1]};
  CHECK(absl::IsInternal(SortedByKey(batch, only_a).status()));
  rocksdb::WriteBatch merge;
  REQUIRE(merge.Merge(db.handles[1], "k", "v").ok());
  CHECK(absl::IsInternal(SortedByKey(merge, db.handles).status()));
}

}  // namespace
}  // namespace accord::store
