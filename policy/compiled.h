#ifndef ACCORD_POLICY_COMPILED_H_
#define ACCORD_POLICY_COMPILED_H_

// A policy compiled for fast evaluation: interned ids, bitsets over the
// dataset's fields and the taxonomy's purposes, precomputed reason texts.
// Immutable once built; safe to share between threads.

#include <bitset>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/bits.h"
#include "policy/model.h"
#include "policy/taxonomy.h"

namespace accord::policy {

inline constexpr size_t kMaxFields = 256;
using FieldSet = std::bitset<kMaxFields>;

// One rule in evaluation form.
struct CompiledRule {
  std::string id;
  Effect effect = Effect::kPermit;
  bool any_assignee = false;
  Bits principals;  // over CompiledPolicy principal indexes
  Bits categories;  // over CompiledPolicy category indexes
  bool any_purpose = false;
  Bits purposes;  // every taxonomy index at or below an allowed purpose
  bool all_fields = true;
  FieldSet fields;  // every field when all_fields
  int64_t not_before = std::numeric_limits<int64_t>::min();
  int64_t not_after = std::numeric_limits<int64_t>::max();
  std::vector<std::string> locations;  // empty: any
  uint32_t max_lifetime_seconds = std::numeric_limits<uint32_t>::max();
  uint32_t max_subjects = std::numeric_limits<uint32_t>::max();
  std::optional<Quota> quota;
  std::vector<Duty> duties;
  int64_t delete_after_seconds = -1;  // -1: no such duty
  int64_t aggregate_min_k = -1;       // -1: no such duty
  // Reason texts, written once so decisions only copy them.
  std::string applied_message;
  std::string assignee_message;
  std::string purpose_message;
  std::string window_message;
  std::string location_message;
  std::string fields_message;
  std::string subjects_message;
};

class CompiledPolicy {
 public:
  CompiledPolicy() = default;

  const std::string& dataset_id() const { return dataset_id_; }
  Classification classification() const { return classification_; }
  LegalBasis legal_basis() const { return legal_basis_; }
  // Policy-wide caps (defaults 300 s and 1000 subjects).
  uint32_t max_lifetime_seconds() const { return max_lifetime_seconds_; }
  uint32_t max_subjects() const { return max_subjects_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // The dataset's fields, in its order (bit i of a FieldSet is fields()[i]).
  const std::vector<std::string>& fields() const { return fields_; }

  // Interned lookups; each returns -1 for an unknown name.
  int FieldIndex(absl::string_view name) const;
  int PurposeIndex(absl::string_view id) const;
  int PrincipalIndex(absl::string_view id) const;
  int CategoryIndex(absl::string_view name) const;
  // True when purpose index `requested` is `allowed` or below it.
  bool PurposeCovers(int allowed, int requested) const;
  size_t purpose_count() const { return purpose_parent_.size(); }
  size_t principal_count() const { return principal_category_.size(); }
  const std::string& PrincipalCategoryAt(int index) const {
    return principal_category_[index];
  }
  // Category of a known principal ("" when none or unknown).
  absl::string_view PrincipalCategory(absl::string_view id) const;

 private:
  friend absl::StatusOr<CompiledPolicy> Compile(const Policy&,
                                                const DatasetInfo&,
                                                const Taxonomy&,
                                                const Directory&);

  std::string dataset_id_;
  Classification classification_ = Classification::kOpen;
  LegalBasis legal_basis_ = LegalBasis::kNone;
  uint32_t max_lifetime_seconds_ = 300;
  uint32_t max_subjects_ = 1000;
  std::vector<CompiledRule> rules_;
  std::vector<std::string> fields_;
  absl::flat_hash_map<std::string, int> field_index_;
  absl::flat_hash_map<std::string, int> purpose_index_;
  std::vector<int> purpose_parent_;
  absl::flat_hash_map<std::string, int> principal_index_;
  std::vector<std::string> principal_category_;
  absl::flat_hash_map<std::string, int> category_index_;
};

// Compiles a validated policy (see ParsePolicy) for `dataset`.
// Returns INVALID_ARGUMENT naming the offending rule and name when the
// policy does not fit its context: a field, purpose, principal or category
// that is not known, a PERSONAL dataset without legal basis, a legal basis on
// another dataset, a policy for another dataset, or a dataset with more than
// 256 or duplicate fields.
absl::StatusOr<CompiledPolicy> Compile(const Policy& policy,
                                       const DatasetInfo& dataset,
                                       const Taxonomy& taxonomy,
                                       const Directory& directory);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_COMPILED_H_
