// --help on every binary Accord ships or documents: usage on stdout, exit 0,
// whatever else is on the command line.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

struct HelpCase {
  std::string binary;
  std::vector<std::string> args;
  std::string usage;  // the start of the usage line
};

TEST_CASE("cli: every binary prints its usage with --help and exits 0") {
  const std::vector<HelpCase> cases = {
      {"accord", {"--help"}, "usage: accord "},
      {"accord", {"grant", "--help"}, "usage: accord grant"},
      {"accord",
       {"policy", "purposes", "--help"},
       "usage: accord policy purposes"},
      {"accord-broker", {"--help"}, "usage: accord-broker "},
      {"accord-broker", {"init", "--help"}, "usage: accord-broker init"},
      {"accord-data-service", {"--help"}, "usage: accord-data-service "},
      // --help wins over other (even wrong) arguments.
      {"accord-data-service",
       {"--listen", "x", "--help"},
       "usage: accord-data-service "},
      {"accord-data-client", {"--help"}, "usage: accord-data-client "},
      {"accord-data-client", {"-h"}, "usage: accord-data-client "},
      {"accord-portal", {"--help"}, "usage: accord-portal "},
  };
  for (const HelpCase& c : cases) {
    const std::string program = BinDir() + "/" + c.binary;
    CliResult r = Run(program, c.args);
    INFO(c.binary << " " << (c.args.empty() ? "" : c.args[0])
                  << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(absl::StrContains(r.out, c.usage));
  }
}

}  // namespace
}  // namespace accord::testing
