#ifndef ACCORD_POLICY_MODEL_H_
#define ACCORD_POLICY_MODEL_H_

// Plain C++ types of the usage-policy model (no protobuf): datasets, the
// directory of known partners, and parsed policies.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace accord::policy {

enum class Classification { kOpen, kRestricted, kPersonal };
enum class LegalBasis {
  kNone,
  kConsent,
  kPublicTask,
  kLegitimateInterestOptOut
};

// What the policy engine needs to know about a dataset.
struct DatasetInfo {
  std::string id;
  Classification classification = Classification::kOpen;
  // Field names, in the dataset's order; at most 256.
  std::vector<std::string> fields;
};

// The known partners and partner categories.
struct Directory {
  // Partner principal id -> its category ("" if none).
  std::map<std::string, std::string> principal_categories;
  // Known categories: academic, public-service, association, company, ...
  std::vector<std::string> categories;
};

enum class Effect { kPermit, kProhibit };

enum class DutyKind {
  kDeleteAfter,       // value: retention in seconds
  kAggregateMinK,     // value: k
  kAttribute,         // value: the mandatory mention
  kNoOnwardTransfer,  // value: ""
  kNotifyProducer,    // value: ""
};

// A duty carried into the grant. `value` is already in its canonical form
// (decimal seconds, decimal k, the mention, or empty).
struct Duty {
  DutyKind kind = DutyKind::kAttribute;
  std::string value;
  bool operator==(const Duty&) const = default;
};

// At most `grants` grants per partner per `period_seconds`.
struct Quota {
  uint32_t grants = 0;
  uint32_t period_seconds = 0;
  bool operator==(const Quota&) const = default;
};

// One permit or prohibit rule. Lists are sorted and without duplicates once
// parsed.
struct Rule {
  std::string id;
  Effect effect = Effect::kPermit;
  // Assignees: any partner, or the listed principals and categories.
  bool any_assignee = false;
  std::vector<std::string> principals;
  std::vector<std::string> categories;
  // Purposes (taxonomy ids, each covering its subtree), or any purpose.
  bool any_purpose = false;
  std::vector<std::string> purposes;
  // Field projection; empty means every field of the dataset. On a
  // prohibition, the listed fields are withheld (empty: everything).
  std::vector<std::string> fields;
  // Unix seconds, inclusive.
  std::optional<int64_t> not_before;
  std::optional<int64_t> not_after;
  // Processing locations the partner may declare; empty means any.
  std::vector<std::string> locations;
  std::optional<uint32_t> max_lifetime_seconds;
  std::optional<uint32_t> max_subjects;
  std::optional<Quota> quota;
  // Sorted by kind, then value.
  std::vector<Duty> duties;
};

// A parsed and validated usage policy.
struct Policy {
  std::string dataset;
  // kNone unless the dataset is PERSONAL, where it is required.
  LegalBasis legal_basis = LegalBasis::kNone;
  uint32_t max_lifetime_seconds = 300;
  uint32_t max_subjects = 1000;
  // In the order written (reasons follow it).
  std::vector<Rule> rules;
};

// Stable names used in documents, the canonical encoding and grants.
absl::string_view ClassificationName(Classification c);  // OPEN, ...
absl::string_view LegalBasisName(LegalBasis b);          // none, consent, ...
absl::string_view EffectName(Effect e);                  // permit, prohibit
absl::string_view DutyKindName(DutyKind k);              // delete_after, ...

// The processing location a request declares when it names none.
inline constexpr absl::string_view kDefaultLocation = "eu";

// Whether `location` is a processing location a rule may list and a request
// may declare: a lowercase code such as `eu` or `fr`, `[a-z0-9][a-z0-9._-]*`
// of at most 128 characters. Policies and requests share this rule, so any
// location a policy accepts can be asked for.
bool IsLocation(absl::string_view location);

// Parse the names above. Return false for an unknown name.
bool ParseClassification(absl::string_view name, Classification* out);
bool ParseLegalBasis(absl::string_view name, LegalBasis* out);
bool ParseDutyKind(absl::string_view name, DutyKind* out);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_MODEL_H_
