// `--dev DIR` naming the dev directory of another broker: the TLS handshake
// fails on the broker's certificate, and the CLI says which CA it tried and
// what to check.
#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "broker/testing/temp_dir.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

TEST_CASE(
    "cli: a --dev directory whose CA did not sign the broker gets a hint") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  // A second dev directory: its own CA and principals.
  const std::string other = dir.path() + "/other";
  REQUIRE(MakeDevMaterial(other).ok());

  CliResult wrong = Run(BinDir() + "/accord",
                        {"dataset", "list", "--broker", broker.grpc_address(),
                         "--dev", other, "--as", "producer-demo"});
  INFO(wrong.err);
  CHECK(wrong.exit_code == 1);
  CHECK(absl::StrContains(wrong.err, "accord: UNAVAILABLE: "));
  CHECK(absl::StrContains(
      wrong.err, "\nthe broker's certificate is not signed by the CA in " +
                     other + "/dev-pki/ca.pem: is " + other +
                     " the broker's dev directory?"));

  // The broker's own directory works, without the hint.
  CliResult right = broker.Cli({"dataset", "list", "--as", "producer-demo"});
  INFO(right.err);
  CHECK(right.exit_code == 0);
  CHECK(!absl::StrContains(right.err, "dev directory"));
}

}  // namespace
}  // namespace accord::testing
