// Tamper evidence: an insider edits the stored audit log directly in
// RocksDB while the broker is stopped. The broker refuses to start on it
// unless told to, and `accord audit verify` names the first bad index, both
// against the restarted broker and offline against an earlier export.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/store/keys.h"
#include "rocksdb/db.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

// The broker's database opened directly, as an insider with disk access.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names)
                .ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& n : names)
      families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    REQUIRE(
        rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles_, &db)
            .ok());
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }

  rocksdb::ColumnFamilyHandle* Family(const std::string& name) {
    for (size_t i = 0; i < handles_.size(); ++i) {
      if (handles_[i]->GetName() == name) return handles_[i];
    }
    FAIL("no column family " << name);
    return nullptr;
  }
  std::string Leaf(uint64_t i) {
    std::string v;
    REQUIRE(db_->Get(rocksdb::ReadOptions(), Family("audit_leaves"),
                     store::keys::BE64(i), &v)
                .ok());
    return v;
  }
  void PutLeaf(uint64_t i, const std::string& v) {
    REQUIRE(
        db_->Put(Sync(), Family("audit_leaves"), store::keys::BE64(i), v).ok());
  }
  void DeleteLeaf(uint64_t i) {
    REQUIRE(
        db_->Delete(Sync(), Family("audit_leaves"), store::keys::BE64(i)).ok());
  }
  uint64_t LogSize() {
    std::string v;
    REQUIRE(db_->Get(rocksdb::ReadOptions(), Family("meta"),
                     std::string(store::keys::kLogSize), &v)
                .ok());
    return store::keys::ReadBE64(v);
  }
  void SetLogSize(uint64_t n) {
    REQUIRE(db_->Put(Sync(), Family("meta"), std::string(store::keys::kLogSize),
                     store::keys::BE64(n))
                .ok());
  }

 private:
  static rocksdb::WriteOptions Sync() {
    rocksdb::WriteOptions w;
    w.sync = true;
    return w;
  }
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

CliResult Audit(const BrokerProcess& broker, std::vector<std::string> args) {
  args.insert(args.begin(), "audit");
  args.insert(args.end(), {"--as", "auditor-demo", "--output", "json"});
  return broker.Cli(std::move(args));
}

int64_t FirstBad(const CliResult& r) {
  const formats::JsonValue* v = r.json.Find("first_bad_index");
  return v != nullptr && v->AsInt64().has_value() ? *v->AsInt64() : -1;
}

enum class Tamper { kFlipByte, kDrop, kSwap, kRollBack };

TEST_CASE("tampering with the stored log is detected and located") {
  const Tamper tamper = GENERATE(Tamper::kFlipByte, Tamper::kDrop,
                                 Tamper::kSwap, Tamper::kRollBack);
  TempDir dir;
  const std::string data = dir.path() + "/var";
  const std::string saved = dir.path() + "/cp.note";
  const std::string key = dir.path() + "/log.key";
  const std::string before = dir.path() + "/before.export";
  uint64_t size = 0;
  {
    BrokerProcess broker(data);
    REQUIRE(broker.Start().ok());
    for (int i = 0; i < 6; ++i) {
      REQUIRE(broker
                  .Cli({"grant", "request", "--dataset",
                        "rennes.mobility.bike-stations", "--purpose",
                        "service-provision", "--audience", "svc", "--as",
                        "partner-demo"})
                  .exit_code == 0);
    }
    REQUIRE(Audit(broker, {"key", "--save", key}).exit_code == 0);
    // The auditor's evidence, taken before the insider acts; the broker
    // persists this checkpoint too.
    CliResult cp = Audit(broker, {"checkpoint", "--save", saved});
    REQUIRE(cp.exit_code == 0);
    size = static_cast<uint64_t>(*cp.json.Find("tree_size")->AsInt64());
    REQUIRE(Audit(broker, {"export", before}).exit_code == 0);
    REQUIRE(broker.Stop() == 0);
  }
  REQUIRE(size > 10);
  const uint64_t bad = size - 5;
  {
    RawDb db(data + "/db");
    REQUIRE(db.LogSize() == size);
    switch (tamper) {
      case Tamper::kFlipByte: {
        std::string leaf = db.Leaf(bad);
        leaf[leaf.size() / 2] ^= 0x01;
        db.PutLeaf(bad, leaf);
        break;
      }
      case Tamper::kDrop:
        for (uint64_t i = bad; i + 1 < size; ++i) db.PutLeaf(i, db.Leaf(i + 1));
        db.DeleteLeaf(size - 1);
        db.SetLogSize(size - 1);
        break;
      case Tamper::kSwap: {
        const std::string a = db.Leaf(bad);
        db.PutLeaf(bad, db.Leaf(bad + 2));
        db.PutLeaf(bad + 2, a);
        break;
      }
      case Tamper::kRollBack:
        for (uint64_t i = bad; i < size; ++i) db.DeleteLeaf(i);
        db.SetLogSize(bad);
        break;
    }
  }

  // The broker refuses the log, naming the checkpoint size.
  BrokerProcess refused(data);
  absl::Status start = refused.Start();
  REQUIRE_FALSE(start.ok());
  CHECK(std::string(start.message()).find(absl::StrCat("size ", size)) !=
        std::string::npos);

  // Told to, it starts; verify names the first bad index.
  BrokerProcess broker(data, {"--allow-log-mismatch", "true"});
  REQUIRE(broker.Start().ok());
  CliResult live = Audit(broker, {"verify", "--since", saved});
  INFO(live.out << live.err);
  CHECK(live.exit_code == 1);
  CHECK(FirstBad(live) == static_cast<int64_t>(bad));
  CHECK(live.err.find("DATA_LOSS") != std::string::npos);

  // Offline: an export of the tampered log against the earlier export.
  const std::string after = dir.path() + "/after.export";
  CliResult exported = Audit(broker, {"export", after, "--log-key", key});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CliResult offline = Audit(
      broker, {"verify", "--file", after, "--key", key, "--since", before});
  INFO(offline.out << offline.err);
  CHECK(offline.exit_code == 1);
  CHECK(FirstBad(offline) == static_cast<int64_t>(bad));
  // The export taken before still verifies on its own.
  CHECK(Audit(broker, {"verify", "--file", before, "--key", key}).exit_code ==
        0);
}

}  // namespace
}  // namespace accord::testing
