#ifndef ACCORD_POLICY_DIFF_H_
#define ACCORD_POLICY_DIFF_H_

// What a new policy version allows that the old one did not, and the
// reverse, over every known assignee, purpose and field.

#include <string>
#include <vector>

#include "policy/compiled.h"
#include "policy/model.h"
#include "policy/taxonomy.h"

namespace accord::policy {

struct DiffEntry {
  // A principal id, or `category:X` for any other partner of category X.
  std::string assignee;
  std::string purpose;
  std::string field;
  bool operator==(const DiffEntry&) const = default;
};

struct PolicyDiff {
  // Sorted by assignee, purpose, field.
  std::vector<DiffEntry> newly_allowed;
  std::vector<DiffEntry> no_longer_allowed;
};

// Whether `policy` can allow `field` for `purpose` to the assignee
// (`partner` with `category`; `partner` empty for an unnamed partner of the
// category) at some time and location: some permit rule covers it and no
// prohibition without time window or location removes it. Subject counts,
// lifetimes and consents are not considered. Unknown names give false.
bool CanAllow(const CompiledPolicy& policy, absl::string_view partner,
              absl::string_view category, absl::string_view purpose,
              absl::string_view field);

// Computes the difference over every principal of `directory` (with its
// category), every category (as `category:X`), every purpose of `taxonomy`
// and every field of `dataset`. Never fails.
PolicyDiff DiffPolicies(const CompiledPolicy& old_policy,
                        const CompiledPolicy& new_policy,
                        const DatasetInfo& dataset, const Taxonomy& taxonomy,
                        const Directory& directory);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_DIFF_H_
