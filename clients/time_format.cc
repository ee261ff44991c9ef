#include "clients/time_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace accord::client {

std::string FormatRfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

absl::StatusOr<int64_t> ParseTimestamp(absl::string_view text,
                                       absl::string_view field) {
  bool all_digits = !text.empty();
  for (char c : text) all_digits = all_digits && absl::ascii_isdigit(c);
  if (all_digits) {
    int64_t seconds = 0;
    if (absl::SimpleAtoi(text, &seconds)) return seconds;
  } else {
    absl::Time t;
    std::string error;
    if (absl::ParseTime(absl::RFC3339_full, text, absl::UTCTimeZone(), &t,
                        &error)) {
      return absl::ToUnixSeconds(t);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": expected an RFC 3339 date-time or Unix seconds"));
}

}  // namespace accord::client
