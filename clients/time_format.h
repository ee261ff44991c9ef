#ifndef ACCORD_CLIENTS_TIME_FORMAT_H_
#define ACCORD_CLIENTS_TIME_FORMAT_H_

// Timestamps as the CLI shows and accepts them. The API carries seconds
// since the Unix epoch.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::client {

// Returns `unix_seconds` as RFC 3339 in UTC, e.g. "2026-05-01T12:00:00Z".
std::string FormatRfc3339(int64_t unix_seconds);

// Returns `seconds` as a duration with its unit, for text output: "300 s"
// below 10 minutes unless a whole number of minutes ("5 min"), then the
// largest unit that divides it ("90 min", "12 h", "180 d"), else seconds.
// Negative values print as seconds.
std::string FormatDuration(int64_t seconds);

// Parses an RFC 3339 date-time ("2026-05-01T12:00:00Z", offsets allowed,
// fractional seconds dropped) or a non-negative decimal count of seconds
// since the Unix epoch. Returns the seconds, or INVALID_ARGUMENT naming
// `field` when `text` is neither.
absl::StatusOr<int64_t> ParseTimestamp(absl::string_view text,
                                       absl::string_view field);

// Parses a duration: a decimal count of seconds, or a count followed by
// one unit among s, m, h, d and w ("300", "90m", "12h", "180d", "2w").
// Returns the seconds, or INVALID_ARGUMENT naming `field` when `text` is
// not one or exceeds 100 years.
absl::StatusOr<int64_t> ParseDuration(absl::string_view text,
                                      absl::string_view field);

// Parses a point in time given either as ParseTimestamp accepts it or as a
// duration from `now` with its unit ("90d": 90 days after `now`); "now" is
// `now`. Returns the Unix seconds, or INVALID_ARGUMENT naming `field`.
absl::StatusOr<int64_t> ParseTimeOrOffset(absl::string_view text,
                                          absl::string_view field, int64_t now);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_TIME_FORMAT_H_
