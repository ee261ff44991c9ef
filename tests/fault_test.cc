// Faults of the data directory: a full disk while serving, and directories
// the broker must refuse to start on.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kPersonal[] = "rennes.energy.household-consumption";

// A small tmpfs at `path`, unmounted by the destructor.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& path) : path_(path) {
    fs::create_directories(path);
    mounted_ = mount("tmpfs", path.c_str(), "tmpfs", 0, "size=160m") == 0;
    error_ = errno;
  }
  ~SmallTmpfs() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  int error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  int error_ = 0;
};

// Writes zeros to `path` until the file system refuses; returns errno.
int FillUp(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string chunk(1 << 16, '\0');
  int err = 0;
  while (err == 0) {
    ssize_t n = write(fd, chunk.data(), chunk.size());
    if (n < 0) err = errno;
    if (n >= 0 && static_cast<size_t>(n) < chunk.size()) chunk.resize(4096);
  }
  fsync(fd);
  close(fd);
  return err;
}

CliResult Give(const BrokerProcess& broker, const std::string& citizen) {
  return broker.Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                     "research-and-development", "--partner", "partner-demo",
                     "--citizen", citizen, "--output", "json"});
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

bool Listed(const BrokerProcess& broker, const std::string& citizen) {
  CliResult r =
      broker.Cli({"consent", "list", "--citizen", citizen, "--output", "json"});
  return r.exit_code == 0 && absl::StrContains(r.out, "\"id\"");
}

TEST_CASE(
    "a full disk fails writes, keeps reads, and writes resume when space "
    "returns") {
  TempDir dir;
  const std::string data_dir = dir.path() + "/var";
  SmallTmpfs disk(data_dir);
  if (!disk.mounted()) {
    // Only a missing permission skips; any other refusal is a failure.
    INFO(std::strerror(disk.error()));
    REQUIRE(disk.error() == EPERM);
    std::cout << "SKIPPED: disk full: mounting a tmpfs needs root ("
              << std::strerror(disk.error()) << ")" << std::endl;
    std::exit(kSkipExitCode);
  }
  std::cout << "disk full: data directory on a 160 MiB tmpfs\n";
  BrokerProcess broker(data_dir);
  REQUIRE(broker.Start().ok());
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 3; ++i) {
    const std::string citizen = absl::StrCat("before", i);
    CliResult r = Give(broker, citizen);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    acknowledged.push_back(citizen);
  }
  // A published checkpoint, which readers keep getting while no new one
  // can be persisted (before the first one, there is none to serve).
  REQUIRE(
      broker.Cli({"audit", "checkpoint", "--as", "auditor-demo"}).exit_code ==
      0);
  const std::string filler = data_dir + "/filler";
  CHECK(FillUp(filler) == ENOSPC);

  // Writes go on into pages the files already have, then fail.
  CliResult refused;
  int writes = 0;
  for (; writes < 400; ++writes) {
    const std::string citizen = absl::StrCat("full", writes);
    refused = Give(broker, citizen);
    if (refused.exit_code != 0) break;
    acknowledged.push_back(citizen);
  }
  INFO(refused.err);
  REQUIRE(refused.exit_code == 1);
  CHECK((absl::StrContains(refused.err, "RESOURCE_EXHAUSTED") ||
         absl::StrContains(refused.err, "UNAVAILABLE")));
  // More refusals, one log line.
  for (int i = 0; i < 3; ++i) {
    CliResult again = Give(broker, absl::StrCat("again", i));
    INFO(again.err);
    CHECK(again.exit_code == 1);
    CHECK((absl::StrContains(again.err, "RESOURCE_EXHAUSTED") ||
           absl::StrContains(again.err, "UNAVAILABLE")));
  }
  CHECK(Count(broker.log(), "store writes failing") == 1);
  std::cout << "disk full: " << writes << " writes acknowledged after filling, "
            << "then refused: " << refused.err;

  // Reads keep working.
  for (const std::string& citizen : acknowledged)
    CHECK(Listed(broker, citizen));
  CHECK(broker.Cli({"dataset", "list", "--as", "producer-demo"}).exit_code ==
        0);
  CHECK(broker.Cli({"audit", "checkpoint", "--as", "auditor-demo"}).exit_code ==
        0);

  // Space returns: writes succeed again, without a restart.
  fs::remove(filler);
  CliResult after;
  WaitUntil([&] {
    after = Give(broker, "after");
    return after.exit_code == 0;
  });
  INFO(after.err);
  REQUIRE(after.exit_code == 0);
  acknowledged.push_back("after");
  CHECK(Count(broker.log(), "store writes recovered") == 1);

  // Nothing is corrupted: the log verifies, and everything acknowledged is
  // there after a clean restart.
  CliResult verify = broker.Cli({"audit", "verify", "--as", "auditor-demo"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(broker.Stop() == 0);
  REQUIRE(broker.Start().ok());
  for (const std::string& citizen : acknowledged)
    CHECK(Listed(broker, citizen));
  CHECK(broker.Cli({"audit", "verify", "--as", "auditor-demo"}).exit_code == 0);
  broker.Stop();
}

// Runs the broker on `data_dir` expecting it to refuse to start (a hang is
// cut after 60 s, exit 124).
CliResult StartExpectingRefusal(const std::string& data_dir) {
  return Run("/usr/bin/timeout",
             {"60", BinDir() + "/accord-broker", "--dev", data_dir,
              "--grpc-addr", absl::StrCat("127.0.0.1:", FreePort()),
              "--http-addr", absl::StrCat("127.0.0.1:", FreePort())});
}

void Overwrite(const std::string& path, size_t offset,
               const std::string& junk) {
  int fd = open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(pwrite(fd, junk.data(), junk.size(), offset) ==
          static_cast<ssize_t>(junk.size()));
  close(fd);
}

std::string FileWithPrefix(const std::string& dir, const std::string& prefix,
                           const std::string& suffix = "") {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (absl::StartsWith(name, prefix) && absl::EndsWith(name, suffix)) {
      return e.path().string();
    }
  }
  return "";
}

void SetFormatVersion(const std::string& db_dir, const std::string& version) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(options, db_dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& n : names)
    families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(options, db_dir, families, &handles, &db).ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "meta") {
      REQUIRE(db->Put(rocksdb::WriteOptions(), handles[i], "format_version",
                      version)
                  .ok());
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

TEST_CASE(
    "a damaged, foreign or unusable data directory stops the broker at "
    "startup") {
  TempDir dir;
  const std::string good = dir.path() + "/good";
  {
    BrokerProcess broker(good);
    REQUIRE(broker.Start().ok());
    REQUIRE(Give(broker, "alice").exit_code == 0);
    // A backup flushes the memtables: the store then has table files.
    REQUIRE(broker
                .Cli({"admin", "backup", dir.path() + "/backup", "--as",
                      "operator"})
                .exit_code == 0);
    REQUIRE(broker.Stop() == 0);
  }
  struct Case {
    std::string name;
    std::function<void(const std::string& data_dir)> damage;
    std::vector<std::string> expected;  // one of these is in the error
  };
  const std::vector<Case> cases = {
      {"garbage in CURRENT",
       [](const std::string& d) {
         std::ofstream(d + "/db/CURRENT", std::ios::trunc) << "garbage\n";
       },
       {"store"}},
      {"garbage in the MANIFEST",
       [](const std::string& d) {
         Overwrite(FileWithPrefix(d + "/db", "MANIFEST-"), 0,
                   std::string(64, 'x'));
       },
       {"corrupt", "Corruption", "MANIFEST"}},
      {"garbage in a table file",
       [](const std::string& d) {
         const std::string sst = FileWithPrefix(d + "/db", "", ".sst");
         REQUIRE(!sst.empty());
         Overwrite(sst, 0, std::string(fs::file_size(sst), 'x'));
       },
       {"corrupt", "Corruption"}},
      {"a foreign directory",
       [](const std::string& d) {
         fs::remove_all(d + "/db");
         fs::create_directories(d + "/db");
         std::ofstream(d + "/db/notes.txt") << "not a store\n";
       },
       {"holds no Accord store"}},
      {"a newer storage format",
       [](const std::string& d) { SetFormatVersion(d + "/db", "99"); },
       {"storage format version 99"}},
      {"an unreadable storage format",
       [](const std::string& d) { SetFormatVersion(d + "/db", "one"); },
       {"storage format version"}},
      {"a missing grant key file",
       [](const std::string& d) {
         const std::string pem = FileWithPrefix(d + "/keys", "", ".pem");
         REQUIRE(!pem.empty());
         fs::remove(pem);
       },
       {"keys/"}},
      {"a garbage grant key file",
       [](const std::string& d) {
         const std::string pem = FileWithPrefix(d + "/keys", "", ".pem");
         REQUIRE(!pem.empty());
         std::ofstream(pem, std::ios::trunc) << "garbage\n";
       },
       {"keys/"}},
      {"a missing grant key ring beside an existing store",
       [](const std::string& d) {
         const std::string ring = FileWithPrefix(d + "/keys", "", ".json");
         REQUIRE(!ring.empty());
         fs::remove(ring);
       },
       {"key ring"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string data_dir = absl::StrCat(dir.path(), "/case", i);
    fs::copy(good, data_dir, fs::copy_options::recursive);
    fs::remove(data_dir + "/broker.log");
    c.damage(data_dir);
    CliResult r = StartExpectingRefusal(data_dir);
    INFO(c.name << ": exit " << r.exit_code << "\n" << r.err);
    CHECK(r.exit_code == 1);  // refused, not hung (124) nor crashed
    CHECK(absl::StrContains(r.err, "cannot start"));
    bool named = false;
    for (const std::string& e : c.expected) {
      named = named || absl::StrContains(r.err, e);
    }
    CHECK(named);
    std::cout << "startup fault, " << c.name << ": exit " << r.exit_code << ": "
              << r.err.substr(
                     std::min(r.err.size(), r.err.rfind("cannot start")));
  }
}

}  // namespace
}  // namespace accord::testing
