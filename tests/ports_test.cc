// One port, one broker: a second broker started on the gRPC port of a
// running one exits at once saying the address is in use (gRPC's
// SO_REUSEPORT is off, so the two never share the port and split its
// connections), and the first goes on serving.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

TEST_CASE(
    "a second broker on the gRPC port of a running one exits and the first "
    "still serves") {
  TempDir dir;
  // The data directories exist before the start, so each log is kept.
  for (const char* name : {"/first", "/second"}) {
    REQUIRE(std::filesystem::create_directory(dir.path() + name));
  }
  BrokerProcess first(dir.path() + "/first");
  REQUIRE(first.Start().ok());
  const std::string address = first.grpc_address();
  int port = 0;
  REQUIRE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port));

  BrokerProcess second(dir.path() + "/second");
  second.set_grpc_port(port);
  const absl::Status started = second.Start();
  INFO(second.log());
  REQUIRE(!started.ok());
  CHECK(second.exit_code() == 1);  // cannot start, not a bad flag (2)
  const std::string log = absl::AsciiStrToLower(second.log());
  CHECK(absl::StrContains(log, "address already in use"));
  CHECK(absl::StrContains(log, address));
  CHECK(!absl::StrContains(log, "serving"));

  // Every call reaches the first broker, whose TLS the client trusts.
  for (int i = 0; i < 10; ++i) {
    CliResult listed = first.Cli(
        {"dataset", "list", "--as", "partner-demo", "--output", "json"});
    INFO(listed.err);
    CHECK(listed.exit_code == 0);
  }
  auto ready = first.Get("/readyz");
  REQUIRE(ready.ok());
  CHECK(ready->status == 200);
}

}  // namespace
}  // namespace accord::testing
