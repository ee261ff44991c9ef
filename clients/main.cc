// The `accord` command-line client.

#include <iostream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "clients/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return accord::client::RunCli(args, std::cout, std::cerr,
                                accord::client::ProcessEnv,
                                absl::ToUnixSeconds(absl::Now()));
}
