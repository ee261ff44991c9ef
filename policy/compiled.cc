#include "policy/compiled.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace accord::policy {
namespace {

absl::Status RuleError(const Rule& rule, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("rule '", rule.id, "': ", message));
}

std::string TimeText(int64_t seconds) {
  return absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

void WriteMessages(const Rule& rule, CompiledRule* out) {
  // Short: every decision copies one per rule, and the rule id is in the
  // reason already.
  out->applied_message =
      rule.effect == Effect::kPermit ? "permit applies" : "prohibition applies";
  out->assignee_message = "the partner is not an assignee";
  out->purpose_message = "the purpose is not at or below an allowed purpose";
  out->window_message = absl::StrCat(
      "in force from ",
      rule.not_before ? TimeText(*rule.not_before) : "the start", " to ",
      rule.not_after ? TimeText(*rule.not_after) : "no end");
  out->location_message = absl::StrCat("processing location must be one of ",
                                       absl::StrJoin(rule.locations, ","));
  out->fields_message = "no requested field is allowed";
  out->subjects_message = absl::StrCat(
      "more than ", rule.max_subjects ? *rule.max_subjects : 0, " subjects");
}

// The policy can be compiled for `dataset` at all: it names that dataset
// (or none), a legal basis exactly when the dataset is PERSONAL, and
// positive limits; the dataset has at most kMaxFields fields.
absl::Status CheckPolicyFitsDataset(const Policy& policy,
                                    const DatasetInfo& dataset) {
  if (!policy.dataset.empty() && policy.dataset != dataset.id) {
    return absl::InvalidArgumentError(absl::StrCat("policy is for dataset '",
                                                   policy.dataset, "', not '",
                                                   dataset.id, "'"));
  }
  if (dataset.fields.size() > kMaxFields) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dataset '", dataset.id, "' has more than ", kMaxFields, " fields"));
  }
  const bool personal = dataset.classification == Classification::kPersonal;
  if (personal && policy.legal_basis == LegalBasis::kNone) {
    return absl::InvalidArgumentError(absl::StrCat(
        "legal_basis is required for the PERSONAL dataset '", dataset.id, "'"));
  }
  if (!personal && policy.legal_basis != LegalBasis::kNone) {
    return absl::InvalidArgumentError(
        "legal_basis applies to PERSONAL datasets only");
  }
  if (policy.max_lifetime_seconds == 0 || policy.max_subjects == 0) {
    return absl::InvalidArgumentError(
        "max_lifetime and max_subjects must be positive");
  }
  return absl::OkStatus();
}

// Sets the rule's principal and category bits; an unknown name, or no
// assignee at all, is an error.
absl::Status CompileAssignees(const Rule& rule, const CompiledPolicy& c,
                              const Directory& directory, CompiledRule& r) {
  r.any_assignee = rule.any_assignee;
  r.principals = Bits(directory.principal_categories.size());
  r.categories = Bits(directory.categories.size());
  for (const std::string& p : rule.principals) {
    const int i = c.PrincipalIndex(p);
    if (i < 0)
      return RuleError(rule, absl::StrCat("unknown principal '", p, "'"));
    r.principals.Set(i);
  }
  for (const std::string& k : rule.categories) {
    const int i = c.CategoryIndex(k);
    if (i < 0)
      return RuleError(rule, absl::StrCat("unknown category '", k, "'"));
    r.categories.Set(i);
  }
  if (!rule.any_assignee && rule.principals.empty() &&
      rule.categories.empty()) {
    return RuleError(rule, "no assignee");
  }
  return absl::OkStatus();
}

// Sets the bit of every taxonomy purpose at or below one the rule allows;
// an unknown purpose, or none at all, is an error.
absl::Status CompilePurposes(const Rule& rule, const CompiledPolicy& c,
                             const Taxonomy& taxonomy, CompiledRule& r) {
  r.any_purpose = rule.any_purpose;
  r.purposes = Bits(taxonomy.size());
  std::vector<int> allowed;
  for (const std::string& p : rule.purposes) {
    const int i = c.PurposeIndex(p);
    if (i < 0)
      return RuleError(rule, absl::StrCat("unknown purpose '", p, "'"));
    allowed.push_back(i);
  }
  if (!rule.any_purpose && allowed.empty())
    return RuleError(rule, "no purpose");
  for (size_t t = 0; t < taxonomy.size(); ++t) {
    for (int a : allowed) {
      if (c.PurposeCovers(a, static_cast<int>(t))) {
        r.purposes.Set(t);
        break;
      }
    }
  }
  return absl::OkStatus();
}

// Sets the bits of the rule's fields (all of the dataset's when it names
// none); an unknown field is an error.
absl::Status CompileFields(const Rule& rule, const CompiledPolicy& c,
                           const DatasetInfo& dataset, CompiledRule& r) {
  r.all_fields = rule.fields.empty();
  if (r.all_fields) {
    for (size_t i = 0; i < dataset.fields.size(); ++i) r.fields.set(i);
  }
  for (const std::string& f : rule.fields) {
    const int i = c.FieldIndex(f);
    if (i < 0) return RuleError(rule, absl::StrCat("unknown field '", f, "'"));
    r.fields.set(i);
  }
  return absl::OkStatus();
}

// Copies the duties, and folds the numeric ones into the rule's limits:
// the shortest delete_after, the largest aggregate_min_k. A value that is
// not a positive integer is an error.
absl::Status CompileDuties(const Rule& rule, CompiledRule& r) {
  r.duties = rule.duties;
  for (const Duty& d : rule.duties) {
    int64_t v = 0;
    if (d.kind == DutyKind::kDeleteAfter ||
        d.kind == DutyKind::kAggregateMinK) {
      if (!absl::SimpleAtoi(d.value, &v) || v <= 0) {
        return RuleError(
            rule, absl::StrCat("bad value for duty ", DutyKindName(d.kind)));
      }
      int64_t& slot = d.kind == DutyKind::kDeleteAfter ? r.delete_after_seconds
                                                       : r.aggregate_min_k;
      if (d.kind == DutyKind::kDeleteAfter) {
        slot = slot < 0 ? v : std::min(slot, v);
      } else {
        slot = std::max(slot, v);
      }
    }
  }
  return absl::OkStatus();
}

// One rule against the indexes of `c`.
absl::StatusOr<CompiledRule> CompileRule(const Rule& rule,
                                         const CompiledPolicy& c,
                                         const DatasetInfo& dataset,
                                         const Taxonomy& taxonomy,
                                         const Directory& directory) {
  CompiledRule r;
  r.id = rule.id;
  r.effect = rule.effect;
  if (absl::Status s = CompileAssignees(rule, c, directory, r); !s.ok()) {
    return s;
  }
  if (absl::Status s = CompilePurposes(rule, c, taxonomy, r); !s.ok()) {
    return s;
  }
  if (absl::Status s = CompileFields(rule, c, dataset, r); !s.ok()) return s;
  if (rule.not_before) r.not_before = *rule.not_before;
  if (rule.not_after) r.not_after = *rule.not_after;
  r.locations = rule.locations;
  if (rule.max_lifetime_seconds)
    r.max_lifetime_seconds = *rule.max_lifetime_seconds;
  if (rule.max_subjects) r.max_subjects = *rule.max_subjects;
  r.quota = rule.quota;
  if (absl::Status s = CompileDuties(rule, r); !s.ok()) return s;
  WriteMessages(rule, &r);
  return r;
}

}  // namespace

int CompiledPolicy::FieldIndex(absl::string_view name) const {
  // Most datasets have a handful of fields: a scan beats hashing.
  if (fields_.size() <= 16) {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
  auto it = field_index_.find(name);
  return it == field_index_.end() ? -1 : it->second;
}

int CompiledPolicy::PurposeIndex(absl::string_view id) const {
  auto it = purpose_index_.find(id);
  return it == purpose_index_.end() ? -1 : it->second;
}

int CompiledPolicy::PrincipalIndex(absl::string_view id) const {
  auto it = principal_index_.find(id);
  return it == principal_index_.end() ? -1 : it->second;
}

int CompiledPolicy::CategoryIndex(absl::string_view name) const {
  auto it = category_index_.find(name);
  return it == category_index_.end() ? -1 : it->second;
}

bool CompiledPolicy::PurposeCovers(int allowed, int requested) const {
  if (allowed < 0) return false;
  for (int r = requested; r >= 0; r = purpose_parent_[r]) {
    if (r == allowed) return true;
  }
  return false;
}

absl::string_view CompiledPolicy::PrincipalCategory(
    absl::string_view id) const {
  const int i = PrincipalIndex(id);
  return i < 0 ? absl::string_view() : principal_category_[i];
}

absl::StatusOr<CompiledPolicy> Compile(const Policy& policy,
                                       const DatasetInfo& dataset,
                                       const Taxonomy& taxonomy,
                                       const Directory& directory) {
  CompiledPolicy c;
  if (absl::Status s = CheckPolicyFitsDataset(policy, dataset); !s.ok()) {
    return s;
  }
  c.dataset_id_ = dataset.id;
  c.classification_ = dataset.classification;
  c.legal_basis_ = policy.legal_basis;
  c.max_lifetime_seconds_ = policy.max_lifetime_seconds;
  c.max_subjects_ = policy.max_subjects;
  c.fields_ = dataset.fields;
  for (size_t i = 0; i < dataset.fields.size(); ++i) {
    if (!c.field_index_.emplace(dataset.fields[i], static_cast<int>(i))
             .second) {
      return absl::InvalidArgumentError(
          absl::StrCat("dataset '", dataset.id, "' lists field '",
                       dataset.fields[i], "' twice"));
    }
  }
  for (size_t i = 0; i < taxonomy.size(); ++i) {
    c.purpose_index_.emplace(taxonomy.IdAt(static_cast<int>(i)),
                             static_cast<int>(i));
    c.purpose_parent_.push_back(taxonomy.Parent(static_cast<int>(i)));
  }
  for (const auto& [id, category] : directory.principal_categories) {
    c.principal_index_.emplace(id,
                               static_cast<int>(c.principal_category_.size()));
    c.principal_category_.push_back(category);
  }
  for (size_t i = 0; i < directory.categories.size(); ++i) {
    c.category_index_.emplace(directory.categories[i], static_cast<int>(i));
  }

  for (const Rule& rule : policy.rules) {
    absl::StatusOr<CompiledRule> r =
        CompileRule(rule, c, dataset, taxonomy, directory);
    if (!r.ok()) return r.status();
    c.rules_.push_back(*std::move(r));
  }
  return c;
}

}  // namespace accord::policy
