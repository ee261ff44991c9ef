#include "clients/examples/flag_pairs.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace accord::examples {

absl::StatusOr<std::map<std::string, std::string>> ParseFlagPairs(
    int argc, char** argv, const std::vector<std::string>& known) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; i += 2) {
    const std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument ", arg));
    }
    const std::string name = arg.substr(2);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    }
    if (i + 1 >= argc) {
      return absl::InvalidArgumentError(absl::StrCat(arg, ": value missing"));
    }
    if (!flags.emplace(name, argv[i + 1]).second) {
      return absl::InvalidArgumentError(absl::StrCat(arg, ": given twice"));
    }
  }
  return flags;
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

std::vector<std::string> SplitList(const std::string& value) {
  return absl::StrSplit(value, ',', absl::SkipEmpty());
}

}  // namespace accord::examples
