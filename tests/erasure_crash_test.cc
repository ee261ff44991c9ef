// A broker killed (SIGKILL) right after an erasure call is sent leaves all
// or nothing: after a restart either every record naming the subject is
// gone, or every one is still there; EraseMe then completes the erasure
// (or answers NOT_FOUND when it was complete); the compaction an erasure
// owes runs after the restart when the kill came before it.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"
#include "tests/store_scan.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr int kRounds = 4;

std::string Subject(const CliResult& r) {
  const formats::JsonValue* c = r.json.Find("consent");
  const formats::JsonValue* s = c != nullptr ? c->Find("subject") : nullptr;
  return s != nullptr && s->AsString() != nullptr ? *s->AsString() : "";
}

TEST_CASE("a broker killed during an erasure leaves all or nothing") {
  TempDir dir;
  const std::string var = dir.path() + "/var";
  BrokerProcess broker(var);
  int all = 0;
  int nothing = 0;
  for (int round = 0; round < kRounds; ++round) {
    REQUIRE(broker.Start().ok());
    const std::string citizen = absl::StrCat("crash-", round);
    CliResult given =
        broker.Cli({"consent", "give", "--dataset", kPersonal, "--purpose",
                    "research-and-development", "--partner", "partner-demo",
                    "--citizen", citizen, "--output", "json"});
    INFO(given.err);
    REQUIRE(given.exit_code == 0);
    const std::string subject = Subject(given);
    REQUIRE(!subject.empty());
    REQUIRE(broker
                .Cli({"grant", "request", "--dataset", kPersonal, "--purpose",
                      "research-and-development", "--audience", "svc",
                      "--subjects", subject, "--as", "partner-demo"})
                .exit_code == 0);
    // Round 0 lets the call finish before the kill; the others kill the
    // broker as soon as the call is on its way.
    const std::string out = dir.path() + "/erase.out";
    const pid_t cli = Spawn(BinDir() + "/accord",
                            {"consent", "erase", "--yes", "--citizen", citizen,
                             "--broker", broker.grpc_address(), "--dev", var},
                            out, out);
    REQUIRE(cli > 0);
    if (round == 0) {
      int status = 0;
      REQUIRE(waitpid(cli, &status, 0) == cli);
      broker.Kill();
    } else {
      broker.Kill();
      int status = 0;
      REQUIRE(waitpid(cli, &status, 0) == cli);
    }

    // All or nothing, as RocksDB sees the store after the crash: the
    // consent's index entry and the grant record that names the subject
    // (its 'G' entry is written off the commit path, maybe not before the
    // kill).
    const size_t consents =
        CountKeys(var + "/db", "index", absl::StrCat("S", subject));
    const std::vector<std::string> found = FindInStore(var + "/db", {subject});
    const size_t grants = static_cast<size_t>(
        std::count_if(found.begin(), found.end(), [](const std::string& hit) {
          return absl::StartsWith(hit, "grants: ");
        }));
    const bool remains = !found.empty();
    INFO("round " << round << ": consents " << consents << ", grants "
                  << grants);
    CHECK(consents == grants);
    CHECK(remains == (consents > 0));
    if (consents > 0) {
      ++nothing;
    } else {
      ++all;
    }

    REQUIRE(broker.Start().ok());
    CliResult again =
        broker.Cli({"consent", "erase", "--yes", "--citizen", citizen});
    if (consents > 0) {
      INFO(again.err);
      CHECK(again.exit_code == 0);
    } else {
      CHECK(again.err.find("no data for this subject") != std::string::npos);
    }
    REQUIRE(broker.Stop() == 0);
    CHECK(FindInStore(var + "/db", {subject}).empty());
    // The compaction the erasure owed ran, after the restart if the kill
    // came first: no table file holds the subject.
    CHECK(FindInTableFiles(var + "/db", {subject}).empty());
  }
  // Round 0 at least was complete before the kill.
  CHECK(all >= 1);
  CHECK(all + nothing == kRounds);
}

}  // namespace
}  // namespace accord::testing
