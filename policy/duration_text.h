#ifndef ACCORD_POLICY_DURATION_TEXT_H_
#define ACCORD_POLICY_DURATION_TEXT_H_

// Durations in words, in French and English, for texts shown to citizens:
// "30 jours" / "30 days", "pendant 6 mois" / "for 6 months".

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/language.h"

namespace accord::policy {

enum class TimeUnit { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kYear };

// A count of one unit. Months and years are calendar units: they have no
// fixed number of seconds, so they are only ever written by the caller
// (a consent "for 6 months"), never derived from seconds.
struct Span {
  int64_t count = 0;
  TimeUnit unit = TimeUnit::kSecond;
  bool operator==(const Span&) const = default;
};

// The exact span of `seconds` in the largest of day, hour, minute or
// second that divides it: 2592000 -> 30 days, 5400 -> 90 minutes.
// Returns INVALID_ARGUMENT when `seconds` is not positive.
absl::StatusOr<Span> SpanOfSeconds(int64_t seconds);

// "30 jours", "1 heure", "6 mois", "2 ans" / "30 days", "1 hour",
// "6 months", "2 years": the count in digits, the unit singular for 1 and
// plural otherwise. Returns INVALID_ARGUMENT naming the count when it is
// not positive.
absl::StatusOr<std::string> SpanText(Span span, Language language);

// How long something lasts: "pendant 6 mois" / "for 6 months".
// Errors as SpanText.
absl::StatusOr<std::string> LifetimeText(Span span, Language language);
// The same for a number of seconds, through SpanOfSeconds: 86400 ->
// "pendant 1 jour" / "for 1 day". Errors as SpanOfSeconds.
absl::StatusOr<std::string> LifetimeText(int64_t seconds, Language language);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_DURATION_TEXT_H_
