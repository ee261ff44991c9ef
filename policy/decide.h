#ifndef ACCORD_POLICY_DECIDE_H_
#define ACCORD_POLICY_DECIDE_H_

// Evaluates an access request against a compiled policy and the subjects'
// consents. Pure: time is passed in, nothing is read or written elsewhere.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "policy/compiled.h"
#include "policy/model.h"

namespace accord::policy {

// An access request. Views must outlive the call.
struct Request {
  absl::string_view partner;
  absl::string_view partner_category;
  absl::string_view purpose;
  // Empty: every field the policy allows.
  absl::Span<const std::string> fields;
  // Subject pseudonyms (PERSONAL datasets). Empty with legal basis consent:
  // every subject with a matching live consent among `consents`, in their
  // order, up to the subject cap. Ignored for datasets that are not
  // PERSONAL. The broker and offline suites refuse a request whose subjects
  // do not fit the dataset (CheckRequestSubjects) before deciding it.
  absl::Span<const std::string> subjects;
  // 0: the maximum the policy allows.
  uint32_t lifetime_seconds = 0;
  // The processing location the partner declares (IsLocation).
  absl::string_view location = kDefaultLocation;
};

// Whether a request naming `subject_count` subjects may be decided on a
// dataset of `classification`: a PERSONAL dataset needs the subjects asked
// for, other datasets take none. The broker refuses such a request before
// any decision, and offline suites apply the same rule. Returns OK, or
// INVALID_ARGUMENT whose message starts with "subjects: ".
absl::Status CheckRequestSubjects(Classification classification,
                                  size_t subject_count);

// A consent (or, with `objection`, an opt-out) record as the caller read it.
struct ConsentView {
  absl::string_view id;
  absl::string_view subject;
  // A consent's purpose covers the purposes below it. An objection with an
  // empty purpose objects to every purpose.
  absl::string_view purpose;
  // The recipient: one partner or a partner category. An objection with
  // both empty objects to every recipient.
  absl::string_view recipient_partner;
  absl::string_view recipient_category;
  // GIVEN (not withdrawn); also treated as not live once `expires_at` is
  // reached.
  bool live = false;
  // Unix seconds; 0 means no expiry.
  int64_t expires_at = 0;
  bool objection = false;
  // The fields a consent covers (one given to a consent request's
  // version); empty: every field. A consent is usable only when it covers
  // every field the decision grants.
  std::vector<absl::string_view> fields;
};

enum class Outcome { kPermit, kDeny };

struct Reason {
  // Empty for reasons about the request as a whole.
  std::string rule_id;
  // One of the stable codes below.
  std::string code;
  std::string message;
};

// A quota the caller must enforce atomically when issuing the grant.
struct QuotaCheck {
  std::string rule_id;
  uint32_t count = 0;
  uint32_t period_seconds = 0;
};

struct Decision {
  Outcome outcome = Outcome::kDeny;
  // One reason per rule in policy order (the rule applied, or the first of
  // its constraints that failed), then the reasons about the request.
  std::vector<Reason> reasons;
  // When PERMIT: granted fields (dataset order), subjects (request order;
  // PERSONAL only), lifetime, merged duties, quotas to enforce, and the ids
  // of the consents relied on. Empty/zero on DENY.
  std::vector<std::string> fields;
  std::vector<std::string> subjects;
  uint32_t lifetime_seconds = 0;
  std::vector<Duty> duties;
  std::vector<std::string> consent_ids;
  std::vector<QuotaCheck> quotas;
  // Requested subjects without a matching live consent (a count only).
  int subjects_without_consent = 0;
};

// Reason codes.
inline constexpr absl::string_view kRulePermitted = "rule_permitted";
inline constexpr absl::string_view kProhibited = "prohibited";
inline constexpr absl::string_view kAssigneeMismatch = "assignee_mismatch";
inline constexpr absl::string_view kPurposeNotAllowed = "purpose_not_allowed";
inline constexpr absl::string_view kFieldNotAllowed = "field_not_allowed";
inline constexpr absl::string_view kFieldsNarrowed = "fields_narrowed";
inline constexpr absl::string_view kOutsideTimeWindow = "outside_time_window";
inline constexpr absl::string_view kLocationNotAllowed = "location_not_allowed";
inline constexpr absl::string_view kLifetimeNarrowed = "lifetime_narrowed";
inline constexpr absl::string_view kSubjectsNarrowed = "subjects_narrowed";
inline constexpr absl::string_view kSubjectsWithoutConsent =
    "subjects_without_consent";
inline constexpr absl::string_view kSubjectsObjected = "subjects_objected";
inline constexpr absl::string_view kTooManySubjects = "too_many_subjects";
inline constexpr absl::string_view kNoSubjects = "no_subjects";
inline constexpr absl::string_view kNoRuleMatched = "no_rule_matched";
inline constexpr absl::string_view kUnknownPurpose = "unknown_purpose";
inline constexpr absl::string_view kUnknownField = "unknown_field";

// Decides `request` at time `now`. Deny by default; a prohibition that
// matches wins (one scoped to fields withholds those fields); a permit
// applies when all its constraints hold; several applying permits combine
// as the union of their fields with the smallest lifetime and subject caps
// and all their duties (shortest delete_after, largest aggregate_min_k).
// On PERSONAL datasets a PERMIT always names at least one subject.
// Writes into `out`, reusing its storage: deciding again into the same
// Decision does not allocate in the common case. Never fails: unknown
// purposes or fields are a DENY with `unknown_purpose`/`unknown_field`.
void Decide(const Request& request, const CompiledPolicy& policy,
            absl::Span<const ConsentView> consents, absl::Time now,
            Decision* out);

// Convenience form of the above.
Decision Decide(const Request& request, const CompiledPolicy& policy,
                absl::Span<const ConsentView> consents, absl::Time now);

// Whether a consent for `purpose` to the recipient (a partner, or a
// category when `recipient_partner` is empty) could ever be used by this
// policy, ignoring time windows. Returns OK when some permit rule could
// apply; INVALID_ARGUMENT for an unknown purpose or an empty recipient;
// FAILED_PRECONDITION, with the reason, when the legal basis is not consent
// or legitimate_interest_opt_out, or no permit rule could ever apply (none
// matches, or an unconditional prohibition covers it).
absl::Status CouldEverPermit(const CompiledPolicy& policy,
                             absl::string_view purpose,
                             absl::string_view recipient_partner,
                             absl::string_view recipient_category);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_DECIDE_H_
