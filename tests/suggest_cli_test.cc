// "Did you mean" for a purpose, dataset or principal the broker does not
// know, through the real CLI against a dev-mode broker; the broker's
// message unchanged when the caller may not list the names.
#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "broker/testing/temp_dir.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kPersonal[] = "rennes.energy.household-consumption";
constexpr char kOpen[] = "rennes.mobility.bike-stations";

TEST_CASE(
    "cli: unknown names get the nearest known name when the caller may list "
    "them") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());

  // A dataset, listed by the partner (ListDatasets).
  CliResult dataset = broker.Cli({"grant", "request", "--as", "partner-demo",
                                  "--dataset", "rennes.mobility.bike-station",
                                  "--purpose", "research-and-development",
                                  "--audience", "data.rennes.example"});
  INFO(dataset.err);
  CHECK(dataset.exit_code == 1);
  CHECK(absl::StrContains(
      dataset.err,
      "accord: NOT_FOUND: no dataset 'rennes.mobility.bike-station'"
      "; did you mean 'rennes.mobility.bike-stations'?"));

  // No near name: the known ones.
  CliResult far =
      broker.Cli({"dataset", "get", "zzz", "--as", "producer-demo"});
  CHECK(absl::StrContains(far.err, "; known: " + std::string(kPersonal)));

  // A purpose, from the taxonomy.
  CliResult purpose =
      broker.Cli({"grant", "request", "--as", "partner-demo", "--dataset",
                  kOpen, "--purpose", "research-and-developmen", "--audience",
                  "data.rennes.example"});
  INFO(purpose.err);
  CHECK(purpose.exit_code == 1);
  CHECK(absl::StrContains(purpose.err,
                          "is not in the taxonomy; did you mean "
                          "'research-and-development'?"));

  // A principal, listed by the operator (ListPrincipals).
  CliResult principal = broker.Cli(
      {"admin", "principal", "remove", "partner-dem", "--as", "operator"});
  INFO(principal.err);
  CHECK(absl::StrContains(principal.err,
                          "no principal 'partner-dem'; did you mean "
                          "'partner-demo'?"));

  // A citizen may list neither datasets nor principals: the broker's
  // message as it is.
  CliResult citizen = broker.Cli(
      {"consent", "give", "--citizen", "alice", "--dataset", kPersonal,
       "--purpose", "research-and-development", "--partner", "partner-dem"});
  INFO(citizen.err);
  CHECK(citizen.exit_code == 1);
  CHECK(
      absl::StrContains(citizen.err, "'partner-dem' is not a known partner\n"));
  CHECK(!absl::StrContains(citizen.err, "did you mean"));
  CHECK(!absl::StrContains(citizen.err, "known:"));
}

}  // namespace
}  // namespace accord::testing
