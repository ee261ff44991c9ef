// Settings a store must keep: grant_issuer, log_origin and the pseudonym
// secret are recorded at the first start, and a restart with another one
// is refused, naming it, before anything is served.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "broker/store/keys.h"
#include "rocksdb/db.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

// Every broker on one data directory appends to the same log: what
// `broker` wrote since the log was `before` bytes long.
std::string LogSince(const BrokerProcess& broker, size_t before) {
  const std::string log = broker.log();
  return before <= log.size() ? log.substr(before) : log;
}

// Starts a dev-mode broker on `data_dir` with `flags`, which must refuse to
// start; returns its log.
std::string RefusedStart(const std::string& data_dir,
                         std::vector<std::string> flags) {
  BrokerProcess broker(data_dir, std::move(flags));
  const size_t before = broker.log().size();
  absl::Status s = broker.Start();
  const std::string log = LogSince(broker, before);
  INFO(log);
  REQUIRE_FALSE(s.ok());
  CHECK(broker.exit_code() == 1);  // refused to start, not a bad flag (2)
  CHECK(broker.pid() == -1);
  return log;
}

TEST_CASE(
    "a restart or restore with another grant_issuer, log_origin or "
    "pseudonym secret is refused, naming it") {
  TempDir dir;
  const std::string data = dir.path() + "/var";
  fs::create_directories(data);
  {
    BrokerProcess broker(data);
    REQUIRE(broker.Start().ok());
    CHECK(absl::StrContains(broker.log(),
                            "recorded the settings this store must keep"));
    REQUIRE(broker.Stop() == 0);
  }

  {
    const std::string log =
        RefusedStart(data, {"--log-origin", "elsewhere.example/log"});
    INFO(log);
    CHECK(absl::StrContains(log, "log_origin"));
    CHECK(absl::StrContains(log, "'accord.local/log'"));
    CHECK(absl::StrContains(log, "--log-origin accord.local/log"));
    // Refused by name, not as a checkpoint that does not open.
    CHECK_FALSE(absl::StrContains(log, "does not open"));
  }
  {
    const std::string log = RefusedStart(data, {"--grant-issuer", "other"});
    INFO(log);
    CHECK(absl::StrContains(log, "grant_issuer"));
    CHECK(absl::StrContains(log, "'accord'"));
  }

  // The original settings: served, nothing recorded again.
  {
    BrokerProcess broker(
        data, {"--log-origin", "accord.local/log", "--grant-issuer", "accord"});
    const size_t before = broker.log().size();
    REQUIRE(broker.Start().ok());
    CHECK_FALSE(
        absl::StrContains(LogSince(broker, before), "recorded the settings"));
    CliResult datasets =
        broker.Cli({"dataset", "list", "--as", "producer-demo"});
    INFO(datasets.err);
    CHECK(datasets.exit_code == 0);
    CliResult backed_up = broker.Cli(
        {"admin", "backup", dir.path() + "/backup", "--as", "operator"});
    INFO(backed_up.err);
    REQUIRE(backed_up.exit_code == 0);
    CHECK(absl::StrContains(backed_up.out,
                            "keys and the pseudonym secret are not included"));
    REQUIRE(broker.Stop() == 0);
  }

  // The backup restored beside a copy of the keys, under another log
  // origin: refused by name, not as a checkpoint that does not open.
  {
    const std::string restored = dir.path() + "/restored";
    fs::create_directories(restored);
    for (const auto& e : fs::directory_iterator(data)) {
      const std::string name = e.path().filename().string();
      if (name == "db" || name == "broker.log") continue;
      fs::copy(e.path(), restored + "/" + name, fs::copy_options::recursive);
    }
    const std::string log =
        RefusedStart(restored, {"--restore", dir.path() + "/backup",
                                "--log-origin", "elsewhere.example/log"});
    INFO(log);
    CHECK(absl::StrContains(log, "log_origin"));
    CHECK(absl::StrContains(log, "'accord.local/log'"));
    CHECK_FALSE(absl::StrContains(log, "does not open"));
    // The restored store, started with its own origin, serves.
    BrokerProcess broker(restored);
    REQUIRE(broker.Start().ok());
    CHECK(broker.Cli({"dataset", "list", "--as", "producer-demo"}).exit_code ==
          0);
    REQUIRE(broker.Stop() == 0);
  }

  // Another pseudonym secret in dev mode's keys directory.
  const std::string secret = data + "/keys/pseudonym.secret";
  REQUIRE(fs::exists(secret));
  const std::string original = ReadAll(secret);
  REQUIRE(original.size() >= 32);
  std::string other = original;
  for (char& c : other) c = static_cast<char>(c ^ 0x5a);
  auto write_secret = [&secret](const std::string& bytes) {
    {
      std::ofstream out(secret, std::ios::binary | std::ios::trunc);
      out << bytes;
      REQUIRE(out.good());
    }
    REQUIRE(chmod(secret.c_str(), 0600) == 0);
  };
  write_secret(other);
  {
    const std::string log = RefusedStart(data, {});
    INFO(log);
    CHECK(absl::StrContains(log,
                            "a different pseudonym secret than the one "
                            "this store was created with"));
    CHECK(absl::StrContains(log, secret));
  }
  write_secret(original);
  BrokerProcess broker(data);
  REQUIRE(broker.Start().ok());
  CHECK(broker.Stop() == 0);
}

// Deletes the recorded settings from the store of `data_dir`, as a store
// made before settings were recorded lacks them.
void ForgetSettings(const std::string& data_dir) {
  const std::string path = data_dir + "/db";
  std::vector<std::string> names;
  REQUIRE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& n : names) {
    families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(
      rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw)
          .ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  for (auto* h : handles) {
    if (h->GetName() == "meta") meta = h;
  }
  REQUIRE(meta != nullptr);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (const char* name :
       {"grant_issuer", "log_origin", "pseudonym_secret_sha256"}) {
    std::string value;
    REQUIRE(db->Get(rocksdb::ReadOptions(), meta, store::keys::Setting(name),
                    &value)
                .ok());
    REQUIRE(db->Delete(sync, meta, store::keys::Setting(name)).ok());
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
}

TEST_CASE(
    "a store made before settings were recorded gets them at its "
    "next start, and keeps them after") {
  TempDir dir;
  const std::string data = dir.path() + "/var";
  fs::create_directories(data);
  {
    BrokerProcess broker(data);
    REQUIRE(broker.Start().ok());
    REQUIRE(broker.Stop() == 0);
  }
  ForgetSettings(data);
  {
    BrokerProcess broker(data);
    const size_t before = broker.log().size();
    REQUIRE(broker.Start().ok());
    const std::string log = LogSince(broker, before);
    INFO(log);
    CHECK(absl::StrContains(log,
                            "recorded the settings this store must keep (it "
                            "was created before they were recorded)"));
    CHECK(absl::StrContains(log,
                            "grant_issuer,log_origin,pseudonym_secret_sha256"));
    REQUIRE(broker.Stop() == 0);
  }
  const std::string log =
      RefusedStart(data, {"--log-origin", "elsewhere.example/log"});
  INFO(log);
  CHECK(absl::StrContains(log, "log_origin"));
}

}  // namespace
}  // namespace accord::testing
