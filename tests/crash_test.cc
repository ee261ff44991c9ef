// Crash durability: the real broker killed with SIGKILL under load from
// several client processes, restarted on the same data directory, loses no
// acknowledged write, keeps no refused one, and its audit log stays
// consistent with every checkpoint published before a kill.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "broker/store/store.h"
#include "broker/testing/metrics_sample.h"
#include "broker/testing/wait.h"
#include "tests/broker_harness.h"
#include "tests/load_clients.h"
#include "tests/store_scan.h"

namespace accord::testing {
namespace {

constexpr int kClients = 4;
constexpr int kKills = 5;

// The accord CLI against the broker's fixed gRPC address.
CliResult Accord(const std::string& address, const std::string& data_dir,
                 std::vector<std::string> args) {
  args.insert(args.end(), {"--broker", address, "--dev", data_dir});
  return Run(BinDir() + "/accord", args);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_CASE("acknowledged writes survive SIGKILL and the log stays consistent") {
  TempDir dir;
  const std::string data_dir = dir.path() + "/var";
  // One gRPC address across restarts, so the clients reconnect.
  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  BrokerProcess broker(data_dir, {"--grpc-addr", address});
  REQUIRE(broker.Start().ok());
  const std::string key_file = dir.path() + "/log.key";
  CliResult key =
      Accord(address, data_dir,
             {"audit", "key", "--save", key_file, "--as", "auditor-demo"});
  INFO(key.err);
  REQUIRE(key.exit_code == 0);
  const std::string log_key(absl::StripAsciiWhitespace(ReadAll(key_file)));

  LoadClients clients(kClients, address, data_dir, dir.path());
  std::mt19937 rng(TestSeed("acknowledged writes survive SIGKILL"));
  std::uniform_int_distribution<int> pause_ms(300, 2000);
  std::vector<std::string> checkpoints;
  int kills = 0;
  for (int k = 0; k < kKills; ++k) {
    absl::SleepFor(absl::Milliseconds(pause_ms(rng)));
    // The checkpoint published last before the kill.
    const std::string saved = absl::StrCat(dir.path(), "/checkpoint-", k);
    CliResult cp = Accord(address, data_dir,
                          {"audit", "checkpoint", "--save", saved, "--log-key",
                           key_file, "--as", "auditor-demo"});
    if (cp.exit_code == 0) checkpoints.push_back(saved);
    broker.Kill();
    ++kills;
    const size_t acked_before_restart = AcknowledgedWrites(clients.journals());
    absl::Status restarted = broker.Start();
    INFO(restarted.message());
    REQUIRE(restarted.ok());
    if (k == kKills - 1) {
      // The clients reconnect and write again after the last restart.
      CHECK(WaitUntil([&] {
        return AcknowledgedWrites(clients.journals()) >=
               acked_before_restart + kClients;
      }));
    }
  }
  CHECK(clients.Stop() == kClients);

  std::vector<std::string> check_args = {
      "check", "--broker", address, "--dev", data_dir, "--log-key", log_key};
  for (const std::string& j : clients.journals()) check_args.push_back(j);
  CliResult check = Run(BinDir() + "/crash_client", check_args);
  INFO(check.out << check.err);
  std::cout << "crash test: kills=" << kills << " clients=" << kClients
            << " checkpoints_saved=" << checkpoints.size() << "\n"
            << "crash test: " << check.out;
  CHECK(check.exit_code == 0);
  CHECK(check.out.find(" losses=0") != std::string::npos);
  CHECK(check.out.find("acked=0 ") == std::string::npos);

  // Consistency of the final log with each checkpoint saved before a kill,
  // every entry rehashed by the auditor's own command.
  CHECK(checkpoints.size() >= kKills - 1);
  for (const std::string& saved : checkpoints) {
    CliResult verify = Accord(address, data_dir,
                              {"audit", "verify", "--since", saved, "--log-key",
                               key_file, "--as", "auditor-demo"});
    INFO(saved << "\n" << verify.out << verify.err);
    CHECK(verify.exit_code == 0);
  }
  // A sample of the grants through `accord audit prove` as well (the check
  // above proved every one of them).
  const std::vector<std::string> grants =
      AcknowledgedGrants(clients.journals());
  CHECK(!grants.empty());
  for (size_t i = 0; i < grants.size();
       i += std::max<size_t>(1, grants.size() / 8)) {
    CliResult prove = Accord(address, data_dir,
                             {"audit", "prove", "--grant", grants[i],
                              "--log-key", key_file, "--as", "auditor-demo"});
    INFO(grants[i] << "\n" << prove.out << prove.err);
    CHECK(prove.exit_code == 0);
  }

  // The query and grant indexes are derived off the commit path, unsynced:
  // after the kills they catch up with the log, and agree entry for entry
  // with the indexes rebuilt from the log alone.
  CHECK(WaitUntil([&] {
    auto page = broker.Get("/metrics");
    if (!page.ok()) return false;
    const double size = Sample(page->body, "accord_log_size");
    return size > 0 && Sample(page->body, "accord_log_indexed_entries") == size;
  }));
  REQUIRE(broker.Stop() == 0);
  const std::string db = data_dir + "/db";
  const std::vector<std::string> indexed = DerivedIndexEntries(db);
  DropDerivedIndexes(db);
  {
    store::StoreOptions options;
    options.create_if_missing = false;
    auto rebuilt = store::Store::Open(db, options);
    REQUIRE(rebuilt.ok());
    absl::Status caught_up =
        (*rebuilt)->WaitForEventIndex((*rebuilt)->LogSize(), absl::Minutes(2));
    INFO(caught_up.message());
    REQUIRE(caught_up.ok());
  }
  const std::vector<std::string> rebuilt = DerivedIndexEntries(db);
  std::cout << "crash test: derived index entries " << indexed.size()
            << ", rebuilt " << rebuilt.size() << "\n";
  CHECK(indexed.size() > 100);
  CHECK(std::count_if(indexed.begin(), indexed.end(),
                      [](const std::string& e) { return e[0] == 'G'; }) > 0);
  CHECK(rebuilt == indexed);
}

}  // namespace
}  // namespace accord::testing
