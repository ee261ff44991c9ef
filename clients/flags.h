#ifndef ACCORD_CLIENTS_FLAGS_H_
#define ACCORD_CLIENTS_FLAGS_H_

// A small command-line flag parser: each command declares its own flags.
// Accepted forms: `--name value`, `--name=value`, `--switch`; `--` ends the
// flags (everything after it is positional). Single-dash flags other than
// `-h` are not accepted.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::client {

struct FlagSpec {
  enum class Arity {
    kSwitch,    // no value
    kValue,     // a value is required
    kOptional,  // `--name=value`, or `--name value` when
                // accepts_separate(value) is true, or no value
  };
  std::string name;  // without the leading "--"
  Arity arity = Arity::kValue;
  std::string value_name;  // for usage text, e.g. "ID"
  std::string help;
  std::function<bool(absl::string_view)> accepts_separate;  // kOptional only
};

// The result of parsing: flag values by name and the positional arguments
// in order. A switch, or an optional flag given without value, maps to "".
class ParsedArgs {
 public:
  bool Has(absl::string_view name) const;
  // The value of flag `name`, or nullopt when it was not given.
  std::optional<std::string> Get(absl::string_view name) const;
  // The value of flag `name`, or `fallback` when it was not given.
  std::string GetOr(absl::string_view name, absl::string_view fallback) const;
  // The comma-separated list in flag `name` (empty items dropped); empty
  // when the flag was not given.
  std::vector<std::string> GetList(absl::string_view name) const;
  // The flag as an unsigned integer. Returns nullopt when absent, the value
  // when it is a decimal number within [0, max], or a usage error naming
  // the flag otherwise.
  absl::StatusOr<std::optional<uint64_t>> GetUint(absl::string_view name,
                                                  uint64_t max) const;

  const std::vector<std::string>& positionals() const { return positionals_; }

  // Exactly `names.size()` positionals are expected. Returns OK, or a usage
  // error naming the first missing argument or the first unexpected one.
  absl::Status ExpectPositionals(const std::vector<std::string>& names) const;

  // Flag `name` must be present. Returns its value, or a usage error naming
  // the flag.
  absl::StatusOr<std::string> Require(absl::string_view name) const;

 private:
  friend absl::StatusOr<ParsedArgs> ParseFlags(
      const std::vector<std::string>& args, const std::vector<FlagSpec>& specs);
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positionals_;
};

// Parses `args` (without the program name) against `specs`. Returns the
// parsed flags and positionals, or a usage error (see usage_error.h) naming
// the offending argument: an unknown flag, a flag given twice, a missing
// value, a value given to a switch, an empty flag name.
absl::StatusOr<ParsedArgs> ParseFlags(const std::vector<std::string>& args,
                                      const std::vector<FlagSpec>& specs);

// Usage lines for `specs`, one per flag, aligned: "  --name VALUE  help".
std::string FlagsUsage(const std::vector<FlagSpec>& specs);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_FLAGS_H_
