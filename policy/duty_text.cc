#include "policy/duty_text.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "policy/duration_text.h"

namespace accord::policy {
namespace {

constexpr size_t kMaxMentionBytes = 500;
constexpr size_t kMaxUnitBytes = 64;
// French typography: a no-break space inside guillemets.
constexpr absl::string_view kNbsp = "\u00a0";

absl::Status BadValue(const Duty& duty, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "duty ", DutyKindName(duty.kind), ": value '", duty.value, "' ", why));
}

bool HasControl(absl::string_view text) {
  for (char c : text) {
    if (absl::ascii_iscntrl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// A canonical decimal: digits only, no sign, no leading zero.
bool ParseDecimal(absl::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) {
    return false;
  }
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, out);
}

absl::StatusOr<std::string> DeleteAfter(const Duty& duty, Language language) {
  int64_t seconds = 0;
  if (!ParseDecimal(duty.value, &seconds) || seconds <= 0) {
    return BadValue(duty, "is not a positive number of seconds");
  }
  absl::StatusOr<Span> span = SpanOfSeconds(seconds);
  if (!span.ok()) return span.status();
  absl::StatusOr<std::string> words = SpanText(*span, language);
  if (!words.ok()) return words.status();
  if (language == Language::kFr) {
    return absl::StrCat("Les données sont supprimées au plus tard ", *words,
                        " après leur réception.");
  }
  return absl::StrCat("The data is deleted within ", *words, " of receipt.");
}

absl::StatusOr<std::string> AggregateMinK(const Duty& duty, Language language,
                                          const DutyTextOptions& options) {
  int64_t k = 0;
  if (!ParseDecimal(duty.value, &k) || k < 2) {
    return BadValue(duty, "is not a whole number of at least 2");
  }
  if (options.aggregate_unit.size() > kMaxUnitBytes ||
      HasControl(options.aggregate_unit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duty aggregate_min_k: unit '", options.aggregate_unit,
        "' must be at most ", kMaxUnitBytes, " bytes without control "
        "characters"));
  }
  const bool fr = language == Language::kFr;
  const std::string unit =
      !options.aggregate_unit.empty() ? options.aggregate_unit
      : fr ? "personnes ou entités distinctes"
           : "distinct people or entities";
  if (fr) {
    return absl::StrCat("Les résultats ne sont publiés que sous forme "
                        "d'agrégats d'au moins ", k, " ", unit, ".");
  }
  return absl::StrCat("Results are published only as aggregates of at least ",
                      k, " ", unit, ".");
}

absl::StatusOr<std::string> Attribute(const Duty& duty, Language language) {
  if (duty.value.empty() || duty.value.size() > kMaxMentionBytes ||
      HasControl(duty.value)) {
    return BadValue(duty, absl::StrCat("is not a mention of 1 to ",
                                       kMaxMentionBytes, " bytes without "
                                       "control characters"));
  }
  if (language == Language::kFr) {
    return absl::StrCat("Toute utilisation des données doit citer la mention "
                        "«", kNbsp, duty.value, kNbsp, "».");
  }
  return absl::StrCat("Any use of the data must show the mention \u201c",
                      duty.value, "\u201d.");
}

}  // namespace

absl::StatusOr<std::string> DutyText(const Duty& duty, Language language,
                                     const DutyTextOptions& options) {
  const bool fr = language == Language::kFr;
  switch (duty.kind) {
    case DutyKind::kDeleteAfter:
      return DeleteAfter(duty, language);
    case DutyKind::kAggregateMinK:
      return AggregateMinK(duty, language, options);
    case DutyKind::kAttribute:
      return Attribute(duty, language);
    case DutyKind::kNoOnwardTransfer:
      if (!duty.value.empty()) return BadValue(duty, "must be empty");
      return std::string(fr ? "Les données ne sont transmises à personne "
                              "d'autre."
                            : "The data is not passed on to anyone else.");
    case DutyKind::kNotifyProducer:
      if (!duty.value.empty()) return BadValue(duty, "must be empty");
      return std::string(fr ? "Le producteur des données est informé de "
                              "leur utilisation."
                            : "The producer of the data is informed of its "
                              "use.");
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "duty: unknown kind ", static_cast<int>(duty.kind)));
}

absl::StatusOr<std::string> DutyText(absl::string_view kind,
                                     absl::string_view value,
                                     Language language,
                                     const DutyTextOptions& options) {
  Duty duty;
  if (!ParseDutyKind(kind, &duty.kind)) {
    return absl::InvalidArgumentError(
        absl::StrCat("duty: unknown kind '", kind, "'"));
  }
  duty.value = std::string(value);
  return DutyText(duty, language, options);
}

}  // namespace accord::policy
