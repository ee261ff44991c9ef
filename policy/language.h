#ifndef ACCORD_POLICY_LANGUAGE_H_
#define ACCORD_POLICY_LANGUAGE_H_

// The languages texts for citizens are written in: purpose labels and
// descriptions of the taxonomy, duties and durations in words.

#include <array>

#include "absl/strings/string_view.h"

namespace accord::policy {

enum class Language { kFr, kEn };

// Every language, in a fixed order.
inline constexpr std::array<Language, 2> kLanguages = {Language::kFr,
                                                       Language::kEn};

// The ISO 639-1 code: "fr", "en".
absl::string_view LanguageCode(Language language);
// Parses a code of LanguageCode. Returns false for any other text.
bool ParseLanguage(absl::string_view code, Language* out);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_LANGUAGE_H_
