#include "tests/store_scan.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/store/keys.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"

namespace accord::testing {
namespace {

class Opened {
 public:
  Opened(const std::string& path, bool read_only) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names)
                .ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& n : names) {
      families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    rocksdb::Status s =
        read_only ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path,
                                                 families, &handles_, &db)
                  : rocksdb::DB::Open(rocksdb::DBOptions(), path, families,
                                      &handles_, &db);
    INFO(s.ToString());
    REQUIRE(s.ok());
    db_.reset(db);
  }
  ~Opened() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }
  rocksdb::DB* db() { return db_.get(); }
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles() {
    return handles_;
  }
  rocksdb::ColumnFamilyHandle* Family(const std::string& name) {
    for (auto* h : handles_) {
      if (h->GetName() == name) return h;
    }
    FAIL("no column family " << name);
    return nullptr;
  }

 private:
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

// The key prefixes of the indexes derived off the commit path.
constexpr absl::string_view kDerivedPrefixes[] = {
    store::keys::kEventIndexPrefix, "G", "P"};

}  // namespace

std::string ReadSubjectKey(const std::string& db_path,
                           const std::string& subject) {
  Opened db(db_path, /*read_only=*/false);
  std::string key;
  const rocksdb::Status s =
      db.db()->Get(rocksdb::ReadOptions(), db.Family("index"),
                   store::keys::SubjectKey(subject), &key);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(key.size() == 32);
  REQUIRE(db.db()->Flush(rocksdb::FlushOptions(), db.handles()).ok());
  return key;
}

std::vector<std::string> FindInStore(const std::string& db_path,
                                     const std::vector<std::string>& needles) {
  Opened db(db_path, /*read_only=*/true);
  std::vector<std::string> hits;
  for (rocksdb::ColumnFamilyHandle* h : db.handles()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db.db()->NewIterator(rocksdb::ReadOptions(), h));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      for (const std::string& n : needles) {
        const absl::string_view key(it->key().data(), it->key().size());
        const absl::string_view value(it->value().data(), it->value().size());
        if (absl::StrContains(key, n) || absl::StrContains(value, n)) {
          hits.push_back(absl::StrCat(h->GetName(), ": ", absl::CEscape(key)));
        }
      }
    }
    REQUIRE(it->status().ok());
  }
  return hits;
}

std::vector<std::string> FindInTableFiles(
    const std::string& db_path, const std::vector<std::string>& needles) {
  Opened db(db_path, /*read_only=*/true);
  std::vector<rocksdb::LiveFileMetaData> files;
  db.db()->GetLiveFilesMetaData(&files);
  std::vector<std::string> hits;
  for (const rocksdb::LiveFileMetaData& f : files) {
    const std::string path = f.db_path + "/" + f.name;
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string content = bytes.str();
    for (const std::string& n : needles) {
      if (absl::StrContains(content, n)) {
        hits.push_back(absl::StrCat(f.column_family_name, " ", path, ": ",
                                    absl::CEscape(n)));
      }
    }
  }
  return hits;
}

size_t CountKeys(const std::string& db_path, const std::string& family,
                 const std::string& prefix) {
  Opened db(db_path, /*read_only=*/true);
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(rocksdb::ReadOptions(), db.Family(family)));
  size_t n = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ++n;
  }
  return n;
}

std::vector<std::string> DerivedIndexEntries(const std::string& db_path) {
  Opened db(db_path, /*read_only=*/true);
  std::vector<std::string> entries;
  for (absl::string_view p : kDerivedPrefixes) {
    const std::string prefix(p);
    std::unique_ptr<rocksdb::Iterator> it(
        db.db()->NewIterator(rocksdb::ReadOptions(), db.Family("index")));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      entries.push_back(
          absl::StrCat(it->key().ToString(), " -> ", it->value().ToString()));
    }
    REQUIRE(it->status().ok());
  }
  std::string progress;
  REQUIRE(db.db()
              ->Get(rocksdb::ReadOptions(), db.Family("meta"),
                    std::string(store::keys::kEventIndexState), &progress)
              .ok());
  entries.push_back(
      absl::StrCat("progress ", absl::BytesToHexString(progress)));
  return entries;
}

std::unique_ptr<store::Store> OpenReadOnlyStore(const std::string& db_path) {
  store::StoreOptions read_only;
  read_only.read_only = true;
  read_only.create_if_missing = false;
  auto opened = store::Store::Open(db_path, read_only);
  REQUIRE(opened.ok());
  return *std::move(opened);
}

void DropDerivedIndexes(const std::string& db_path) {
  Opened db(db_path, /*read_only=*/false);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (absl::string_view p : kDerivedPrefixes) {
    const std::string prefix(p);
    REQUIRE(db.db()
                ->DeleteRange(sync, db.Family("index"), prefix,
                              store::keys::PrefixEnd(prefix))
                .ok());
  }
  REQUIRE(db.db()
              ->Delete(sync, db.Family("meta"),
                       std::string(store::keys::kEventIndexState))
              .ok());
}

}  // namespace accord::testing
