#include <limits>

#include "absl/strings/str_cat.h"
#include "policy/decide.h"

namespace accord::policy {

absl::Status CouldEverPermit(const CompiledPolicy& policy,
                             absl::string_view purpose,
                             absl::string_view recipient_partner,
                             absl::string_view recipient_category) {
  const LegalBasis basis = policy.legal_basis();
  if (basis != LegalBasis::kConsent &&
      basis != LegalBasis::kLegitimateInterestOptOut) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset '", policy.dataset_id(),
                     "' is not processed on the basis "
                     "of consent (legal basis: ",
                     LegalBasisName(basis), ")"));
  }
  const int p = policy.PurposeIndex(purpose);
  if (p < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown purpose '", purpose, "'"));
  }
  if (recipient_partner.empty() && recipient_category.empty()) {
    return absl::InvalidArgumentError("recipient is empty");
  }
  const int principal = policy.PrincipalIndex(recipient_partner);
  const absl::string_view category =
      recipient_partner.empty() ? recipient_category
                                : policy.PrincipalCategory(recipient_partner);
  const int category_index = policy.CategoryIndex(category);
  // Whether the rule names the recipient; `whole` requires it to name every
  // partner the consent could serve (for a prohibition).
  auto names_recipient = [&](const CompiledRule& r, bool whole) {
    if (r.any_assignee || r.categories.Test(category_index)) return true;
    if (!recipient_partner.empty()) return r.principals.Test(principal);
    if (whole) return false;
    // A category consent serves every listed partner of that category.
    for (size_t i = 0; i < policy.principal_count(); ++i) {
      if (r.principals.Test(static_cast<int>(i)) &&
          policy.PrincipalCategoryAt(static_cast<int>(i)) == category) {
        return true;
      }
    }
    return false;
  };
  // A consent to `purpose` serves requests at or below it.
  auto meets_purpose = [&](const CompiledRule& r) {
    if (r.any_purpose || r.purposes.Test(p)) return true;
    for (size_t t = 0; t < policy.purpose_count(); ++t) {
      if (r.purposes.Test(static_cast<int>(t)) &&
          policy.PurposeCovers(p, static_cast<int>(t))) {
        return true;
      }
    }
    return false;
  };
  for (const CompiledRule& r : policy.rules()) {
    const bool unconditional =
        r.effect == Effect::kProhibit && r.all_fields && r.locations.empty() &&
        r.not_before == std::numeric_limits<int64_t>::min() &&
        r.not_after == std::numeric_limits<int64_t>::max();
    if (unconditional && names_recipient(r, true) &&
        (r.any_purpose || r.purposes.Test(p))) {
      return absl::FailedPreconditionError(
          absl::StrCat("rule '", r.id, "' prohibits purpose '", purpose,
                       "' for this recipient"));
    }
  }
  for (const CompiledRule& r : policy.rules()) {
    if (r.effect == Effect::kPermit && names_recipient(r, false) &&
        meets_purpose(r)) {
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("no rule of the policy of '", policy.dataset_id(),
                   "' permits purpose '", purpose, "' for this recipient"));
}

}  // namespace accord::policy
