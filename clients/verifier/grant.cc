#include "clients/verifier/grant.h"

#include <algorithm>

namespace accord::verifier {

bool Grant::CoversField(absl::string_view field) const {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

bool Grant::CoversSubject(absl::string_view subject) const {
  return !has_subjects ||
         std::find(subjects.begin(), subjects.end(), subject) != subjects.end();
}

const Duty* Grant::FindDuty(absl::string_view name) const {
  for (const Duty& duty : duties) {
    if (duty.name == name) return &duty;
  }
  return nullptr;
}

}  // namespace accord::verifier
