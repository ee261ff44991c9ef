#ifndef ACCORD_TESTS_CLI_REFUSAL_H_
#define ACCORD_TESTS_CLI_REFUSAL_H_

// What a refused run of the accord CLI looks like (clients/cli.h,
// clients/exit_codes.h): exit code kExitError when the broker or a file
// said no, kExitUsage for errors of the command line itself, and the error
// line "accord: <CODE NAME>: <message>" on stderr (clients/grpc_status.h).
// Header-only, like broker/testing/wait.h.

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "clients/exit_codes.h"
#include "tests/broker_harness.h"

namespace accord::testing {

using ::accord::client::kExitError;
using ::accord::client::kExitUsage;

// The error line of a run: the status code name ("NOT_FOUND") and the
// message (to the end of stderr).
struct CliErrorLine {
  std::string code;
  std::string message;
};

// The last error line on `r`'s stderr (usage text may come before it);
// nullopt when there is none.
inline std::optional<CliErrorLine> ErrorLineOf(const CliResult& r) {
  constexpr absl::string_view kPrefix = "accord: ";
  const size_t after_newline = r.err.rfind(absl::StrCat("\n", kPrefix));
  absl::string_view line(r.err);
  if (after_newline != std::string::npos) line.remove_prefix(after_newline + 1);
  if (!absl::ConsumePrefix(&line, kPrefix)) return std::nullopt;
  const size_t colon = line.find(": ");
  if (colon == absl::string_view::npos || colon == 0) return std::nullopt;
  CliErrorLine parsed;
  parsed.code = std::string(line.substr(0, colon));
  for (char c : parsed.code) {
    if (!absl::ascii_isupper(c) && c != '_') return std::nullopt;
  }
  parsed.message =
      std::string(absl::StripTrailingAsciiWhitespace(line.substr(colon + 2)));
  return parsed;
}

// Whether a run was the refusal expected; in CHECK(...) a mismatch prints
// what was expected and what the run did.
class Refusal {
 public:
  Refusal(bool matches, std::string description)
      : matches_(matches), description_(std::move(description)) {}
  explicit operator bool() const { return matches_; }
  const std::string& description() const { return description_; }

 private:
  bool matches_;
  std::string description_;
};

// `r` exited `exit_code` with an error line of status code `code` whose
// message holds `text`.
inline Refusal Refused(const CliResult& r, int exit_code,
                       absl::string_view code, absl::string_view text = "") {
  const std::optional<CliErrorLine> line = ErrorLineOf(r);
  const bool matches = r.exit_code == exit_code && line.has_value() &&
                       line->code == code &&
                       absl::StrContains(line->message, text);
  return Refusal(
      matches,
      absl::StrCat(
          "expected exit ", exit_code, " and \"accord: ", code, ": ",
          text.empty() ? "<message>" : absl::StrCat("...", text, "..."),
          "\"; got exit ", r.exit_code, " and stderr \"",
          absl::StripTrailingAsciiWhitespace(r.err), "\""));
}

// The broker or a file said no: exit kExitError, status code `code`,
// `text` in the message.
inline Refusal Refused(const CliResult& r, absl::string_view code,
                       absl::string_view text = "") {
  return Refused(r, kExitError, code, text);
}

}  // namespace accord::testing

namespace Catch {
template <>
struct StringMaker<accord::testing::Refusal> {
  static std::string convert(const accord::testing::Refusal& refusal) {
    return refusal.description();
  }
};
}  // namespace Catch

#endif  // ACCORD_TESTS_CLI_REFUSAL_H_
