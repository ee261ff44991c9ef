#ifndef ACCORD_CLIENTS_EXAMPLES_FLAG_PAIRS_H_
#define ACCORD_CLIENTS_EXAMPLES_FLAG_PAIRS_H_

// The example binaries' command lines: `--name value` pairs only.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::examples {

// Parses argv[1..] as `--name value` pairs, each name one of `known`.
// Returns name -> value; INVALID_ARGUMENT naming the argument at fault for
// an unknown or repeated flag, a missing value or a positional argument.
absl::StatusOr<std::map<std::string, std::string>> ParseFlagPairs(
    int argc, char** argv, const std::vector<std::string>& known);

// True when argv[1..] holds --help or -h: the binary prints its usage on
// stdout and exits 0, whatever the other arguments.
bool WantsHelp(int argc, char** argv);

// Splits "a,b,c" into its non-empty items.
std::vector<std::string> SplitList(const std::string& value);

}  // namespace accord::examples

#endif  // ACCORD_CLIENTS_EXAMPLES_FLAG_PAIRS_H_
