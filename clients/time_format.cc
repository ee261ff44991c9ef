#include "clients/time_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace accord::client {

std::string FormatRfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

std::string FormatDuration(int64_t seconds) {
  if (seconds > 0 && seconds % 86400 == 0)
    return absl::StrCat(seconds / 86400, " d");
  if (seconds > 0 && seconds % 3600 == 0)
    return absl::StrCat(seconds / 3600, " h");
  if (seconds > 0 && seconds % 60 == 0)
    return absl::StrCat(seconds / 60, " min");
  return absl::StrCat(seconds, " s");
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
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": expected an RFC 3339 date-time or Unix seconds"));
}

absl::StatusOr<int64_t> ParseDuration(absl::string_view text,
                                      absl::string_view field) {
  constexpr int64_t kMax = int64_t{100} * 366 * 86400;
  absl::string_view digits = text;
  int64_t unit = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 's':
        unit = 1;
        digits.remove_suffix(1);
        break;
      case 'm':
        unit = 60;
        digits.remove_suffix(1);
        break;
      case 'h':
        unit = 3600;
        digits.remove_suffix(1);
        break;
      case 'd':
        unit = 86400;
        digits.remove_suffix(1);
        break;
      case 'w':
        unit = 7 * 86400;
        digits.remove_suffix(1);
        break;
      default:
        break;
    }
  }
  bool all_digits = !digits.empty() && digits.size() <= 12;
  for (char c : digits) all_digits = all_digits && absl::ascii_isdigit(c);
  int64_t count = 0;
  if (all_digits && absl::SimpleAtoi(digits, &count) && count <= kMax / unit) {
    return count * unit;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": expected a duration such as 3600, 90m, 12h, 180d or 2w"));
}

absl::StatusOr<int64_t> ParseTimeOrOffset(absl::string_view text,
                                          absl::string_view field,
                                          int64_t now) {
  if (text == "now") return now;
  const bool has_unit = !text.empty() && !absl::ascii_isdigit(text.back()) &&
                        text.find_first_of("-:T") == absl::string_view::npos;
  if (has_unit) {
    absl::StatusOr<int64_t> offset = ParseDuration(text, field);
    if (offset.ok()) return now + *offset;
  } else {
    absl::StatusOr<int64_t> at = ParseTimestamp(text, field);
    if (at.ok()) return at;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field,
      ": expected an RFC 3339 date-time, Unix seconds, \"now\" or a "
      "duration from now such as 90d"));
}

}  // namespace accord::client
