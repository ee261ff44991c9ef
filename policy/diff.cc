#include "policy/diff.h"

#include <algorithm>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::policy {

bool CanAllow(const CompiledPolicy& policy, absl::string_view partner,
              absl::string_view category, absl::string_view purpose,
              absl::string_view field) {
  const int p = policy.PurposeIndex(purpose);
  const int f = policy.FieldIndex(field);
  if (p < 0 || f < 0) return false;
  const int principal = partner.empty() ? -1 : policy.PrincipalIndex(partner);
  const int category_index = policy.CategoryIndex(category);
  bool permitted = false;
  for (const CompiledRule& r : policy.rules()) {
    const bool applies = (r.any_assignee || r.principals.Test(principal) ||
                          r.categories.Test(category_index)) &&
                         (r.any_purpose || r.purposes.Test(p)) &&
                         r.fields.test(f);
    if (!applies) continue;
    if (r.effect == Effect::kPermit) {
      permitted = true;
    } else if (r.locations.empty() &&
               r.not_before == std::numeric_limits<int64_t>::min() &&
               r.not_after == std::numeric_limits<int64_t>::max()) {
      return false;
    }
  }
  return permitted;
}

PolicyDiff DiffPolicies(const CompiledPolicy& old_policy,
                        const CompiledPolicy& new_policy,
                        const DatasetInfo& dataset, const Taxonomy& taxonomy,
                        const Directory& directory) {
  // Assignees in sorted order: principals (map order), then categories.
  std::vector<std::pair<std::string, std::string>> assignees;
  for (const auto& [id, category] : directory.principal_categories) {
    assignees.emplace_back(id, category);
  }
  std::vector<std::string> categories = directory.categories;
  std::sort(categories.begin(), categories.end());
  for (const std::string& c : categories) assignees.emplace_back("", c);
  std::vector<std::string> fields = dataset.fields;
  std::sort(fields.begin(), fields.end());

  PolicyDiff diff;
  const std::vector<std::string> purposes = taxonomy.Ids();
  for (const auto& [partner, category] : assignees) {
    const std::string name =
        partner.empty() ? absl::StrCat("category:", category) : partner;
    for (const std::string& purpose : purposes) {
      for (const std::string& field : fields) {
        const bool before =
            CanAllow(old_policy, partner, category, purpose, field);
        const bool after =
            CanAllow(new_policy, partner, category, purpose, field);
        if (before == after) continue;
        (after ? diff.newly_allowed : diff.no_longer_allowed)
            .push_back(DiffEntry{name, purpose, field});
      }
    }
  }
  auto order = [](const DiffEntry& a, const DiffEntry& b) {
    return std::tie(a.assignee, a.purpose, a.field) <
           std::tie(b.assignee, b.purpose, b.field);
  };
  std::sort(diff.newly_allowed.begin(), diff.newly_allowed.end(), order);
  std::sort(diff.no_longer_allowed.begin(), diff.no_longer_allowed.end(),
            order);
  return diff;
}

}  // namespace accord::policy
