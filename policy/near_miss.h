#ifndef ACCORD_POLICY_NEAR_MISS_H_
#define ACCORD_POLICY_NEAR_MISS_H_

// Suggestions for misspelt names ("did you mean ...?").

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace accord::policy {

// Returns the Levenshtein distance between `a` and `b`, or `limit + 1` as
// soon as it is known to exceed `limit`.
size_t EditDistance(absl::string_view a, absl::string_view b, size_t limit);

// Returns the candidate closest to `name` (also comparing `name` with each
// candidate's leading part and last dotted segment), or "" when none is
// close enough to be a plausible typo.
std::string ClosestName(absl::string_view name,
                        absl::Span<const std::string> candidates);

// Returns "; did you mean 'X'?" for the closest candidate, or "".
std::string DidYouMean(absl::string_view name,
                       absl::Span<const std::string> candidates);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_NEAR_MISS_H_
