#include "clients/examples/record_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace accord::examples {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

absl::StatusOr<ServedRecords> ServeRecords(
    const verifier::Grant& grant, const RecordRequest& request,
    const std::vector<std::string>& known_subjects) {
  if (grant.dataset != kHouseholdDataset) {
    return absl::PermissionDeniedError(absl::StrCat(
        "grant is for dataset ", grant.dataset, ", not ", kHouseholdDataset));
  }
  // A PERSONAL dataset: a grant without a subject list covers nobody.
  if (!grant.has_subjects) {
    return absl::PermissionDeniedError("grant names no subjects");
  }
  for (const std::string& f : request.fields) {
    if (!grant.CoversField(f)) {
      return absl::PermissionDeniedError(
          absl::StrCat("field ", f, " is not covered by the grant"));
    }
  }
  for (const std::string& s : request.subjects) {
    if (!grant.CoversSubject(s)) {
      return absl::PermissionDeniedError(
          absl::StrCat("subject ", s, " is not covered by the grant"));
    }
  }
  ServedRecords out;
  for (const std::string& f : grant.fields) {
    if (!Contains(HouseholdFields(), f)) continue;  // not in this dataset
    if (request.fields.empty() || Contains(request.fields, f)) {
      out.fields.push_back(f);
    }
  }
  const std::vector<std::string>& wanted =
      request.subjects.empty() ? grant.subjects : request.subjects;
  for (const std::string& subject : wanted) {
    if (!Contains(known_subjects, subject)) continue;
    for (const HouseholdRecord& full : HouseholdRecordsFor(subject)) {
      HouseholdRecord projected;
      for (const std::string& f : out.fields) projected[f] = full.at(f);
      out.records.push_back(std::move(projected));
    }
  }
  return out;
}

}  // namespace accord::examples
