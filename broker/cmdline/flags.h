#ifndef ACCORD_BROKER_CMDLINE_FLAGS_H_
#define ACCORD_BROKER_CMDLINE_FLAGS_H_

// The one command-line parser of every Accord binary: each binary (or each
// command of the `accord` CLI) declares its flags as FlagSpecs, and
// ParseFlags reads the arguments against them. CLI11 (Debian's
// libcli11-dev) does the parsing and formats the usage text underneath;
// CLI11 reports errors by throwing, and flags.cc is the only file that
// calls it: it catches every CLI::ParseError and returns it as a usage
// error (usage_error.h) naming the argument at fault. No CLI11 type and no
// exception crosses this header.
//
// Accepted forms: `--name value`, `--name=value`, `--switch`; `--` ends the
// flags (everything after it is positional). Single-dash flags other than
// `-h` (the same as `--help`, when a flag `help` is declared) are not
// accepted.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::cmdline {

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
  // False: a second occurrence is a usage error. True: every occurrence is
  // kept in order (ParsedArgs::GetAll); Get gives the last one.
  bool repeatable = false;
  // Other names of the same flag (without "--"); its values are kept under
  // `name`, in the order given whichever name was used.
  std::vector<std::string> aliases = {};
};

// The result of parsing: flag values by name and the positional arguments
// in order. A switch, or an optional flag given without value, maps to "".
class ParsedArgs {
 public:
  bool Has(absl::string_view name) const;
  // The value of flag `name` (its last one when repeatable), or nullopt when
  // it was not given.
  std::optional<std::string> Get(absl::string_view name) const;
  // Every value of flag `name` in the order given; empty when absent.
  std::vector<std::string> GetAll(absl::string_view name) const;
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
  // The flag as a decimal number (absl::SimpleAtod). Returns nullopt when
  // absent, the value when it parses, or a usage error naming the flag.
  absl::StatusOr<std::optional<double>> GetDouble(absl::string_view name) const;

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
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positionals_;
};

// Parses `args` (without the program name) against `specs`. A spec whose
// name an earlier spec has already declared is left out (the earlier one
// parses the flag). Returns the
// parsed flags and positionals, or a usage error (see usage_error.h) naming
// the offending argument: an unknown flag, a flag given twice (unless
// repeatable), a missing value, a value given to a switch, an empty flag
// name.
absl::StatusOr<ParsedArgs> ParseFlags(const std::vector<std::string>& args,
                                      const std::vector<FlagSpec>& specs);

// The same for a main()'s argc and argv (argv[0], the program, skipped).
absl::StatusOr<ParsedArgs> ParseFlags(int argc, const char* const* argv,
                                      const std::vector<FlagSpec>& specs);

// Usage lines for `specs`, one per flag (the first of a name), aligned, as
// CLI11's formatter writes them: "  --name VALUE  help" ("--name [VALUE]" for
// an optional value; aliases after the name, comma-separated).
std::string FlagsUsage(const std::vector<FlagSpec>& specs);

// The `--help` switch every binary declares (`-h` too).
FlagSpec HelpFlag();

}  // namespace accord::cmdline

#endif  // ACCORD_BROKER_CMDLINE_FLAGS_H_
