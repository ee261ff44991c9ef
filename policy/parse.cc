#include "policy/parse.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "policy/near_miss.h"
#include "policy/problems.h"
#include "policy/yaml_tree.h"

namespace accord::policy {
namespace {

constexpr int64_t kMaxLifetimeSeconds = 86400;
constexpr int64_t kMaxSubjects = 100000;
constexpr int64_t kMaxRetentionSeconds = int64_t{10} * 366 * 86400;

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Validates one policy document against its context.
class PolicyReader {
 public:
  PolicyReader(absl::string_view file_name, const DatasetInfo& dataset,
               const Taxonomy& taxonomy, const Directory& directory)
      : problems_(file_name),
        dataset_(dataset),
        taxonomy_(taxonomy),
        directory_(directory),
        purpose_ids_(taxonomy.Ids()) {
    for (const auto& [id, category] : directory.principal_categories) {
      principal_ids_.push_back(id);
    }
  }

  absl::StatusOr<Policy> Read(const YamlNode& root) {
    Policy policy;
    policy.dataset = dataset_.id;
    if (root.kind == YamlNode::Kind::kNull) {
      problems_.Add(root.pos, "empty policy document");
      return problems_.ToStatus();
    }
    if (problems_.CheckMap(root, "policy",
                           {"dataset", "legal_basis", "max_lifetime",
                            "max_subjects", "rules"})) {
      ReadTop(root, &policy);
    }
    if (!problems_.empty()) return problems_.ToStatus();
    return policy;
  }

 private:
  void ReadTop(const YamlNode& root, Policy* policy) {
    std::string text;
    if (const YamlNode* n = Problems::Find(root, "dataset");
        n != nullptr && problems_.Scalar(*n, "dataset", &text) &&
        text != dataset_.id) {
      problems_.Add(n->pos,
                    absl::StrCat("policy is for dataset '", text,
                                 "' but is put on '", dataset_.id, "'"));
    }
    const bool personal = dataset_.classification == Classification::kPersonal;
    if (const YamlNode* n = Problems::Find(root, "legal_basis"); n != nullptr) {
      if (problems_.Scalar(*n, "legal_basis", &text)) {
        if (!personal) {
          problems_.Add(n->pos,
                        "legal_basis applies to PERSONAL datasets "
                        "only");
        } else if (!ParseLegalBasis(text, &policy->legal_basis)) {
          problems_.Add(
              n->pos,
              absl::StrCat("unknown legal_basis '", text, "'",
                           DidYouMean(text, {"consent", "public_task",
                                             "legitimate_interest_opt_out"}),
                           " (expected consent, public_task or "
                           "legitimate_interest_opt_out)"));
        }
      }
    } else if (personal) {
      problems_.Add(root.pos,
                    "missing key 'legal_basis' (required for the "
                    "PERSONAL dataset '" +
                        dataset_.id + "')");
    }
    int64_t v = 0;
    if (const YamlNode* n = Problems::Find(root, "max_lifetime");
        n != nullptr &&
        problems_.Duration(*n, "max_lifetime", kMaxLifetimeSeconds, &v)) {
      if (v == 0) {
        problems_.Add(n->pos, "max_lifetime must be positive");
      }
      policy->max_lifetime_seconds = static_cast<uint32_t>(v);
    }
    if (const YamlNode* n = Problems::Find(root, "max_subjects");
        n != nullptr &&
        problems_.Integer(*n, "max_subjects", kMaxSubjects, &v)) {
      if (v == 0) problems_.Add(n->pos, "max_subjects must be positive");
      policy->max_subjects = static_cast<uint32_t>(v);
    }
    const YamlNode* rules = Problems::Find(root, "rules");
    if (rules == nullptr) {
      problems_.Add(root.pos, "missing key 'rules'");
      return;
    }
    if (!rules->IsSequence()) {
      problems_.Add(rules->pos, "'rules' must be a list");
      return;
    }
    if (rules->size() > kMaxRules) {
      problems_.Add(rules->pos,
                    absl::StrCat("policy has ", rules->size(),
                                 " rules; the limit is ", kMaxRules));
      return;
    }
    absl::flat_hash_set<std::string> ids;
    for (const YamlNode& node : rules->children) {
      if (problems_.full()) break;
      Rule rule;
      if (!ReadRule(node, &rule)) continue;
      if (!ids.insert(rule.id).second) {
        problems_.Add(node.pos,
                      absl::StrCat("duplicate rule id '", rule.id, "'"));
      }
      policy->rules.push_back(std::move(rule));
    }
  }

  bool ReadRule(const YamlNode& node, Rule* rule) {
    if (!problems_.CheckMap(
            node, "rule",
            {"id", "effect", "assignees", "purposes", "fields", "not_before",
             "not_after", "locations", "max_lifetime", "max_subjects", "quota",
             "duties", "description"})) {
      return false;
    }
    const YamlNode* id = Problems::Find(node, "id");
    if (id == nullptr) {
      problems_.Add(node.pos, "rule without 'id'");
    } else if (problems_.Scalar(*id, "rule id", &rule->id) &&
               !IsIdentifier(rule->id)) {
      problems_.Add(id->pos, absl::StrCat("invalid rule id '", rule->id,
                                          "': use [a-z0-9][a-z0-9._-]*"));
    }
    std::string text;
    if (const YamlNode* d = Problems::Find(node, "description"); d != nullptr) {
      problems_.Scalar(*d, "description", &text);
    }
    const YamlNode* effect = Problems::Find(node, "effect");
    if (effect == nullptr) {
      problems_.Add(node.pos, "rule without 'effect' (permit or prohibit)");
    } else if (problems_.Scalar(*effect, "effect", &text)) {
      if (text == "permit") {
        rule->effect = Effect::kPermit;
      } else if (text == "prohibit") {
        rule->effect = Effect::kProhibit;
      } else {
        problems_.Add(effect->pos,
                      absl::StrCat("unknown effect '", text, "'",
                                   DidYouMean(text, {"permit", "prohibit"}),
                                   " (expected permit or prohibit)"));
      }
    }
    ReadAssignees(node, rule);
    ReadPurposes(node, rule);
    ReadFields(node, rule);
    ReadWindow(node, rule);
    if (const YamlNode* n = Problems::Find(node, "locations");
        n != nullptr &&
        problems_.ScalarList(*n, "locations", &rule->locations)) {
      for (const std::string& l : rule->locations) {
        if (!IsLocation(l)) {
          problems_.Add(n->pos, absl::StrCat("invalid location '", l,
                                             "': use [a-z0-9][a-z0-9._-]*"));
        }
      }
      SortUnique(&rule->locations);
    }
    ReadLimits(node, rule);
    ReadDuties(node, rule);
    return true;
  }

  void ReadAssignees(const YamlNode& node, Rule* rule) {
    const YamlNode* a = Problems::Find(node, "assignees");
    if (a == nullptr) {
      problems_.Add(node.pos,
                    "rule without 'assignees' (use 'any' for every "
                    "partner)");
      return;
    }
    if (a->IsScalar() && a->scalar == "any") {
      rule->any_assignee = true;
      return;
    }
    if (!problems_.CheckMap(*a, "assignees", {"principals", "categories"})) {
      return;
    }
    if (const YamlNode* p = Problems::Find(*a, "principals");
        p != nullptr &&
        problems_.ScalarList(*p, "principals", &rule->principals)) {
      CheckEach(*p, [&](const std::string& id, SourcePos pos) {
        if (!directory_.principal_categories.contains(id)) {
          problems_.Add(pos, absl::StrCat("unknown principal '", id, "'",
                                          DidYouMean(id, principal_ids_)));
        }
      });
      SortUnique(&rule->principals);
    }
    if (const YamlNode* c = Problems::Find(*a, "categories");
        c != nullptr &&
        problems_.ScalarList(*c, "categories", &rule->categories)) {
      CheckEach(*c, [&](const std::string& id, SourcePos pos) {
        if (std::find(directory_.categories.begin(),
                      directory_.categories.end(),
                      id) == directory_.categories.end()) {
          problems_.Add(pos,
                        absl::StrCat("unknown category '", id, "'",
                                     DidYouMean(id, directory_.categories)));
        }
      });
      SortUnique(&rule->categories);
    }
    if (rule->principals.empty() && rule->categories.empty()) {
      problems_.Add(a->pos, "assignees names no principal and no category");
    }
  }

  void ReadPurposes(const YamlNode& node, Rule* rule) {
    const YamlNode* p = Problems::Find(node, "purposes");
    if (p == nullptr) {
      problems_.Add(node.pos,
                    "rule without 'purposes' (use 'any' for every "
                    "purpose)");
      return;
    }
    if (p->IsScalar() && p->scalar == "any") {
      rule->any_purpose = true;
      return;
    }
    if (!problems_.ScalarList(*p, "purposes", &rule->purposes)) return;
    CheckEach(*p, [&](const std::string& id, SourcePos pos) {
      if (!taxonomy_.Contains(id)) {
        std::string hint = taxonomy_.Suggest(id);
        problems_.Add(pos, absl::StrCat("unknown purpose '", id, "'",
                                        hint.empty() ? "" : "; did you mean '",
                                        hint, hint.empty() ? "" : "'?"));
      }
    });
    SortUnique(&rule->purposes);
    if (rule->purposes.empty()) problems_.Add(p->pos, "purposes is empty");
  }

  void ReadFields(const YamlNode& node, Rule* rule) {
    const YamlNode* f = Problems::Find(node, "fields");
    if (f == nullptr) return;
    if (!problems_.ScalarList(*f, "fields", &rule->fields)) return;
    CheckEach(*f, [&](const std::string& id, SourcePos pos) {
      if (std::find(dataset_.fields.begin(), dataset_.fields.end(), id) ==
          dataset_.fields.end()) {
        problems_.Add(pos, absl::StrCat("unknown field '", id, "' of dataset '",
                                        dataset_.id, "'",
                                        DidYouMean(id, dataset_.fields)));
      }
    });
    SortUnique(&rule->fields);
    if (rule->fields.empty()) {
      problems_.Add(f->pos, "fields is empty (omit it for every field)");
    }
  }

  void ReadWindow(const YamlNode& node, Rule* rule) {
    for (absl::string_view key : {"not_before", "not_after"}) {
      const YamlNode* n = Problems::Find(node, key);
      std::string text;
      if (n == nullptr || !problems_.Scalar(*n, key, &text)) continue;
      absl::Time t;
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error) ||
          t < absl::FromUnixSeconds(0) ||
          t > absl::FromUnixSeconds(int64_t{253402300799})) {
        problems_.Add(n->pos, absl::StrCat(key,
                                           " must be an RFC 3339 time "
                                           "such as "
                                           "2025-01-01T00:00:00Z"));
        continue;
      }
      (key == "not_before" ? rule->not_before : rule->not_after) =
          absl::ToUnixSeconds(t);
    }
    if (rule->not_before && rule->not_after &&
        *rule->not_before > *rule->not_after) {
      problems_.Add(node.pos, "not_before is after not_after");
    }
  }

  void ReadLimits(const YamlNode& node, Rule* rule) {
    const bool permit = rule->effect == Effect::kPermit;
    int64_t v = 0;
    if (const YamlNode* n = Problems::Find(node, "max_lifetime");
        n != nullptr) {
      if (!permit) {
        problems_.Add(n->pos, "max_lifetime applies to permit rules only");
      } else if (problems_.Duration(*n, "max_lifetime", kMaxLifetimeSeconds,
                                    &v)) {
        if (v == 0) problems_.Add(n->pos, "max_lifetime must be positive");
        rule->max_lifetime_seconds = static_cast<uint32_t>(v);
      }
    }
    if (const YamlNode* n = Problems::Find(node, "max_subjects");
        n != nullptr) {
      if (!permit) {
        problems_.Add(n->pos, "max_subjects applies to permit rules only");
      } else if (dataset_.classification != Classification::kPersonal) {
        problems_.Add(n->pos,
                      "max_subjects applies to PERSONAL datasets "
                      "only");
      } else if (problems_.Integer(*n, "max_subjects", kMaxSubjects, &v)) {
        if (v == 0) problems_.Add(n->pos, "max_subjects must be positive");
        rule->max_subjects = static_cast<uint32_t>(v);
      }
    }
    const YamlNode* q = Problems::Find(node, "quota");
    if (q == nullptr) return;
    if (!permit) {
      problems_.Add(q->pos, "quota applies to permit rules only");
      return;
    }
    if (!problems_.CheckMap(*q, "quota", {"grants", "per"})) return;
    const YamlNode* grants = Problems::Find(*q, "grants");
    const YamlNode* per = Problems::Find(*q, "per");
    if (grants == nullptr || per == nullptr) {
      problems_.Add(q->pos, "quota needs 'grants' and 'per'");
      return;
    }
    Quota quota;
    int64_t g = 0, p = 0;
    if (problems_.Integer(*grants, "quota grants", 1000000000, &g) &&
        problems_.Duration(*per, "quota per", 366 * 86400, &p)) {
      if (g == 0) problems_.Add(grants->pos, "quota grants must be positive");
      if (p == 0) problems_.Add(per->pos, "quota period must be positive");
      quota.grants = static_cast<uint32_t>(g);
      quota.period_seconds = static_cast<uint32_t>(p);
      rule->quota = quota;
    }
  }

  void ReadDuties(const YamlNode& node, Rule* rule) {
    const YamlNode* d = Problems::Find(node, "duties");
    if (d == nullptr) return;
    if (rule->effect != Effect::kPermit) {
      problems_.Add(d->pos, "duties apply to permit rules only");
      return;
    }
    if (!problems_.CheckMap(*d, "duties",
                            {"delete_after", "aggregate_min_k", "attribute",
                             "no_onward_transfer", "notify_producer"})) {
      return;
    }
    for (size_t i = 0; i < d->size(); ++i) {
      DutyKind kind;
      if (!d->key(i).IsScalar() || !ParseDutyKind(d->key(i).scalar, &kind)) {
        continue;  // already reported by CheckMap
      }
      const YamlNode& value = d->value(i);
      Duty duty{kind, ""};
      int64_t v = 0;
      bool flag = false;
      switch (kind) {
        case DutyKind::kDeleteAfter:
          if (!problems_.Duration(value, "delete_after", kMaxRetentionSeconds,
                                  &v)) {
            continue;
          }
          if (v == 0) problems_.Add(value.pos, "delete_after must be positive");
          duty.value = absl::StrCat(v);
          break;
        case DutyKind::kAggregateMinK:
          if (!problems_.Integer(value, "aggregate_min_k", 1000000, &v)) {
            continue;
          }
          if (v < 2) problems_.Add(value.pos, "aggregate_min_k must be >= 2");
          duty.value = absl::StrCat(v);
          break;
        case DutyKind::kAttribute:
          if (!problems_.Scalar(value, "attribute", &duty.value)) continue;
          if (duty.value.empty() || duty.value.size() > 500) {
            problems_.Add(value.pos,
                          "attribute must be a mention of 1 to "
                          "500 characters");
          }
          break;
        case DutyKind::kNoOnwardTransfer:
        case DutyKind::kNotifyProducer:
          if (!problems_.Bool(value, DutyKindName(kind), &flag) || !flag) {
            continue;
          }
          break;
      }
      rule->duties.push_back(std::move(duty));
    }
    std::sort(rule->duties.begin(), rule->duties.end(),
              [](const Duty& a, const Duty& b) {
                return a.kind != b.kind ? a.kind < b.kind : a.value < b.value;
              });
  }

  // Calls `check(item, pos)` for each scalar item of a list node.
  template <typename F>
  void CheckEach(const YamlNode& list, F check) {
    for (const YamlNode& item : list.children) {
      if (problems_.full()) return;
      if (item.IsScalar()) check(item.scalar, item.pos);
    }
  }

  Problems problems_;
  const DatasetInfo& dataset_;
  const Taxonomy& taxonomy_;
  const Directory& directory_;
  std::vector<std::string> purpose_ids_;
  std::vector<std::string> principal_ids_;
};

}  // namespace

absl::StatusOr<Policy> ParsePolicy(absl::string_view source,
                                   SourceFormat format,
                                   absl::string_view file_name,
                                   const DatasetInfo& dataset,
                                   const Taxonomy& taxonomy,
                                   const Directory& directory) {
  if (format == SourceFormat::kJson) {
    const size_t first = source.find_first_not_of(" \t\r\n");
    if (first == absl::string_view::npos || source[first] != '{') {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ":1:1: a JSON policy must be an object"));
    }
  }
  YamlLimits limits;
  limits.max_bytes = kMaxPolicyBytes;
  limits.max_depth = kMaxPolicyDepth;
  absl::StatusOr<YamlNode> root = ParseYamlTree(source, file_name, limits);
  if (!root.ok()) return root.status();
  return ParsePolicyNode(*root, file_name, dataset, taxonomy, directory);
}

absl::StatusOr<Policy> ParsePolicyNode(const YamlNode& root,
                                       absl::string_view file_name,
                                       const DatasetInfo& dataset,
                                       const Taxonomy& taxonomy,
                                       const Directory& directory) {
  PolicyReader reader(file_name, dataset, taxonomy, directory);
  return reader.Read(root);
}

}  // namespace accord::policy
