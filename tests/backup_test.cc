// Backup under load and restore into a new data directory: the restored
// broker serves the same data and the same verifiable log.
#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/broker_harness.h"
#include "tests/load_clients.h"

namespace accord::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kPersonal[] = "rennes.energy.household-consumption";

TEST_CASE("a backup taken under load restores the same data and log") {
  TempDir dir;
  const std::string old_dir = dir.path() + "/old";
  BrokerProcess broker(old_dir);
  REQUIRE(broker.Start().ok());
  const std::string key_file = dir.path() + "/log.key";
  REQUIRE(
      broker.Cli({"audit", "key", "--save", key_file, "--as", "auditor-demo"})
          .exit_code == 0);
  CliResult policy = broker.Cli({"policy", "get", kPersonal, "--as",
                                 "producer-demo", "--output", "json"});
  REQUIRE(policy.exit_code == 0);
  CliResult datasets = broker.Cli(
      {"dataset", "list", "--as", "producer-demo", "--output", "json"});
  REQUIRE(datasets.exit_code == 0);

  fs::create_directories(dir.path() + "/load");
  fs::create_directories(dir.path() + "/before");
  LoadClients clients(3, broker.grpc_address(), old_dir, dir.path() + "/load");
  // Some writes acknowledged before the backup starts.
  REQUIRE(
      WaitUntil([&] { return AcknowledgedWrites(clients.journals()) >= 30; }));
  // What was acknowledged before the backup started, and the checkpoint.
  std::vector<std::string> before;
  for (const std::string& j : clients.journals()) {
    const std::string copy =
        dir.path() + "/before/" + fs::path(j).filename().string();
    fs::copy_file(j, copy);
    if (fs::exists(j + ".refused"))
      fs::copy_file(j + ".refused", copy + ".refused");
    before.push_back(copy);
  }
  const std::string checkpoint = dir.path() + "/checkpoint";
  REQUIRE(broker
              .Cli({"audit", "checkpoint", "--save", checkpoint, "--log-key",
                    key_file, "--as", "auditor-demo"})
              .exit_code == 0);
  const std::string backup = dir.path() + "/backup";
  CliResult backed_up =
      broker.Cli({"admin", "backup", backup, "--as", "operator"});
  INFO(backed_up.err);
  REQUIRE(backed_up.exit_code == 0);
  // What it wrote, and what a restore needs besides.
  CHECK(backed_up.out.rfind("backup of revision ", 0) == 0);
  CHECK(backed_up.out.find(" written to " + backup +
                           "; keys and the pseudonym secret are not "
                           "included\n") != std::string::npos);
  // And some after it, which the restored store need not hold.
  const size_t acked_at_backup = AcknowledgedWrites(clients.journals());
  REQUIRE(WaitUntil([&] {
    return AcknowledgedWrites(clients.journals()) >= acked_at_backup + 3;
  }));
  CHECK(clients.Stop() == 3);
  CHECK(broker.Stop() == 0);

  // A new data directory: the keys, the pseudonym secret and the dev PKI
  // come from the operator's own copy; the store from the backup.
  const std::string new_dir = dir.path() + "/new";
  fs::create_directories(new_dir);
  for (const auto& e : fs::directory_iterator(old_dir)) {
    const std::string name = e.path().filename().string();
    if (name == "db" || name == "broker.log") continue;
    fs::copy(e.path(), new_dir + "/" + name, fs::copy_options::recursive);
  }
  BrokerProcess restored(new_dir, {"--restore", backup});
  absl::Status started = restored.Start();
  INFO(started.message());
  REQUIRE(started.ok());

  // Every write acknowledged before the backup, every grant's inclusion
  // proof against the restored log's signed checkpoint.
  std::vector<std::string> args = {
      "check",     "--broker", restored.grpc_address(), "--dev", new_dir,
      "--log-key", key_file,   "--later-writes",        "yes"};
  args.insert(args.end(), before.begin(), before.end());
  CliResult check = Run(BinDir() + "/crash_client", args);
  INFO(check.out << check.err);
  std::cout << "backup test: acknowledged before the backup: " << check.out;
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("acked=0 ") == std::string::npos);

  // The same catalogue and policy.
  CHECK(restored
            .Cli({"policy", "get", kPersonal, "--as", "producer-demo",
                  "--output", "json"})
            .out == policy.out);
  CHECK(
      restored
          .Cli({"dataset", "list", "--as", "producer-demo", "--output", "json"})
          .out == datasets.out);
  // The restored log extends the checkpoint published before the backup,
  // and verifies entry by entry.
  CliResult verify =
      restored.Cli({"audit", "verify", "--since", checkpoint, "--log-key",
                    key_file, "--as", "auditor-demo"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  // A grant issued before the backup, through the CLI as well.
  const std::vector<std::string> grants = AcknowledgedGrants(before);
  REQUIRE(!grants.empty());
  CliResult prove =
      restored.Cli({"audit", "prove", "--grant", grants.front(), "--log-key",
                    key_file, "--as", "auditor-demo"});
  INFO(prove.out << prove.err);
  CHECK(prove.exit_code == 0);
  // Writes go on after the restore.
  CHECK(restored
            .Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                  "research-and-development", "--partner", "partner-demo",
                  "--citizen", "after-restore"})
            .exit_code == 0);
}

}  // namespace
}  // namespace accord::testing
