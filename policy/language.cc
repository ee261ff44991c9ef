#include "policy/language.h"

namespace accord::policy {

absl::string_view LanguageCode(Language language) {
  switch (language) {
    case Language::kFr:
      return "fr";
    case Language::kEn:
      return "en";
  }
  return "";
}

bool ParseLanguage(absl::string_view code, Language* out) {
  for (Language l : kLanguages) {
    if (code == LanguageCode(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

}  // namespace accord::policy
