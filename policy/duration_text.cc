#include "policy/duration_text.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace accord::policy {
namespace {

struct UnitWords {
  absl::string_view singular;
  absl::string_view plural;
};

UnitWords Words(TimeUnit unit, Language language) {
  const bool fr = language == Language::kFr;
  switch (unit) {
    case TimeUnit::kSecond:
      return fr ? UnitWords{"seconde", "secondes"}
                : UnitWords{"second", "seconds"};
    case TimeUnit::kMinute:
      return fr ? UnitWords{"minute", "minutes"}
                : UnitWords{"minute", "minutes"};
    case TimeUnit::kHour:
      return fr ? UnitWords{"heure", "heures"} : UnitWords{"hour", "hours"};
    case TimeUnit::kDay:
      return fr ? UnitWords{"jour", "jours"} : UnitWords{"day", "days"};
    case TimeUnit::kWeek:
      return fr ? UnitWords{"semaine", "semaines"}
                : UnitWords{"week", "weeks"};
    case TimeUnit::kMonth:
      return fr ? UnitWords{"mois", "mois"} : UnitWords{"month", "months"};
    case TimeUnit::kYear:
      return fr ? UnitWords{"an", "ans"} : UnitWords{"year", "years"};
  }
  return {"", ""};
}

}  // namespace

absl::StatusOr<Span> SpanOfSeconds(int64_t seconds) {
  if (seconds <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration: ", seconds, " seconds is not positive"));
  }
  if (seconds % 86400 == 0) return Span{seconds / 86400, TimeUnit::kDay};
  if (seconds % 3600 == 0) return Span{seconds / 3600, TimeUnit::kHour};
  if (seconds % 60 == 0) return Span{seconds / 60, TimeUnit::kMinute};
  return Span{seconds, TimeUnit::kSecond};
}

absl::StatusOr<std::string> SpanText(Span span, Language language) {
  if (span.count <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration: count ", span.count, " is not positive"));
  }
  const UnitWords words = Words(span.unit, language);
  if (words.singular.empty()) {
    return absl::InvalidArgumentError("duration: unknown unit");
  }
  return absl::StrCat(span.count, " ",
                      span.count == 1 ? words.singular : words.plural);
}

absl::StatusOr<std::string> LifetimeText(Span span, Language language) {
  absl::StatusOr<std::string> text = SpanText(span, language);
  if (!text.ok()) return text.status();
  return absl::StrCat(language == Language::kFr ? "pendant " : "for ", *text);
}

absl::StatusOr<std::string> LifetimeText(int64_t seconds, Language language) {
  absl::StatusOr<Span> span = SpanOfSeconds(seconds);
  if (!span.ok()) return span.status();
  return LifetimeText(*span, language);
}

}  // namespace accord::policy
