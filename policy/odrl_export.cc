#include "policy/odrl_export.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "policy/json_writer.h"

namespace accord::policy {
namespace {

constexpr absl::string_view kOdrlContext = "http://www.w3.org/ns/odrl.jsonld";
constexpr absl::string_view kDpvPrefix = "dpv:";

// Percent-encodes everything outside the URI unreserved characters.
std::string Encode(absl::string_view id) {
  std::string out;
  for (unsigned char c : id) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

// `https://w3id.org/dpv#X` written compact as `dpv:X` (the context declares
// the prefix); any other IRI as is.
std::string Compact(const std::string& iri) {
  absl::string_view rest = iri;
  if (absl::ConsumePrefix(&rest, Taxonomy::kDpvNamespace)) {
    return absl::StrCat(kDpvPrefix, rest);
  }
  return iri;
}

JsonValue Ref(absl::string_view iri) {
  return JsonValue::Object().Set("@id", iri);
}

JsonValue Typed(absl::string_view value, absl::string_view type) {
  return JsonValue::Object().Set("@type", type).Set("@value", value);
}

// xsd:duration of a number of seconds: P30D, PT2H, P1DT2H3M4S.
std::string XsdDuration(int64_t seconds) {
  const int64_t days = seconds / 86400;
  const int64_t h = seconds % 86400 / 3600;
  const int64_t m = seconds % 3600 / 60;
  const int64_t s = seconds % 60;
  std::string out = "P";
  if (days > 0) absl::StrAppend(&out, days, "D");
  if (h > 0 || m > 0 || s > 0 || days == 0) {
    out.push_back('T');
    if (h > 0) absl::StrAppend(&out, h, "H");
    if (m > 0) absl::StrAppend(&out, m, "M");
    if (s > 0 || (h == 0 && m == 0)) absl::StrAppend(&out, s, "S");
  }
  return out;
}

std::string XsdDateTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

JsonValue Constraint(absl::string_view left, absl::string_view op,
                     JsonValue right) {
  return JsonValue::Object()
      .Set("leftOperand", left)
      .Set("operator", op)
      .Set("rightOperand", std::move(right));
}

JsonValue Duration(int64_t seconds) {
  return Typed(XsdDuration(seconds), "xsd:duration");
}

// An action refined by one constraint: {"rdf:value": ..., "refinement": [..]}.
JsonValue RefinedAction(absl::string_view odrl_action, JsonValue refinement) {
  return JsonValue::Array().Push(
      JsonValue::Object()
          .Set("rdf:value", Ref(absl::StrCat("odrl:", odrl_action)))
          .Set("refinement", JsonValue::Array().Push(std::move(refinement))));
}

// An Accord term, compact (the context declares the prefix).
std::string Accord(absl::string_view term) {
  return absl::StrCat("accord:", term);
}

// A canonical positive decimal, as the parser writes duty values.
bool PositiveDecimal(absl::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, out) && *out > 0;
}

class Exporter {
 public:
  Exporter(const Policy& policy, const DatasetInfo& dataset,
           absl::string_view producer, const Taxonomy& taxonomy,
           const OdrlExportOptions& options)
      : policy_(policy),
        dataset_(dataset),
        taxonomy_(taxonomy),
        producer_iri_(AccordIri("principal", producer)),
        dataset_iri_(AccordIri("dataset", dataset.id)),
        policy_uid_(AccordIri("policy", dataset.id)) {
    if (options.version > 0)
      absl::StrAppend(&policy_uid_, ":v", options.version);
  }

  absl::StatusOr<std::string> Run() {
    JsonValue permissions = JsonValue::Array();
    JsonValue prohibitions = JsonValue::Array();
    for (const Rule& rule : policy_.rules) {
      absl::StatusOr<JsonValue> r = RuleJson(rule);
      if (!r.ok()) return r.status();
      (rule.effect == Effect::kPermit ? permissions : prohibitions)
          .Push(*std::move(r));
    }
    JsonValue doc = JsonValue::Object();
    doc.Set("@context", JsonValue::Array()
                            .Push(kOdrlContext)
                            .Push(JsonValue::Object()
                                      .Set("accord", kOdrlAccordNamespace)
                                      .Set("dpv", Taxonomy::kDpvNamespace)));
    doc.Set("@type", "Set");
    doc.Set("uid", policy_uid_);
    doc.Set("profile", absl::StrCat(kOdrlAccordNamespace, "profile"));
    // Accord: a prohibition always wins over a permission.
    doc.Set("conflict", "prohibit");
    if (policy_.legal_basis != LegalBasis::kNone) {
      doc.Set("dpv:hasLegalBasis", Ref(LegalBasisIri(policy_.legal_basis)));
    }
    if (permissions.size() > 0) doc.Set("permission", std::move(permissions));
    if (prohibitions.size() > 0) {
      doc.Set("prohibition", std::move(prohibitions));
    }
    return doc.Write();
  }

 private:
  static std::string LegalBasisIri(LegalBasis basis) {
    switch (basis) {
      case LegalBasis::kConsent:
        return "dpv:Consent";
      case LegalBasis::kLegitimateInterestOptOut:
        return "dpv:LegitimateInterest";
      default:
        return AccordIri("legal-basis", LegalBasisName(basis));
    }
  }

  absl::StatusOr<JsonValue> RuleJson(const Rule& rule) {
    const std::string uid =
        absl::StrCat(policy_uid_, ":rule:", Encode(rule.id));
    JsonValue r = JsonValue::Object();
    r.Set("uid", uid);
    r.Set("action", "use");
    r.Set("assigner", producer_iri_);
    r.Set("target", Target(rule));
    if (!rule.any_assignee) r.Set("assignee", Assignee(rule, uid));
    absl::StatusOr<JsonValue> constraints = Constraints(rule);
    if (!constraints.ok()) return constraints.status();
    if (constraints->size() > 0) r.Set("constraint", *std::move(constraints));
    if (rule.effect == Effect::kPermit && !rule.duties.empty()) {
      JsonValue duties = JsonValue::Array();
      for (const Duty& d : rule.duties) {
        absl::StatusOr<JsonValue> duty = DutyJson(rule, d);
        if (!duty.ok()) return duty.status();
        duties.Push(*std::move(duty));
      }
      r.Set("duty", std::move(duties));
    }
    return r;
  }

  // The dataset, or the part of it made of the rule's fields.
  JsonValue Target(const Rule& rule) const {
    if (rule.fields.empty()) return JsonValue(dataset_iri_);
    JsonValue fields = JsonValue::Array();
    for (const std::string& f : rule.fields) fields.Push(f);
    return JsonValue::Object()
        .Set("@type", "AssetCollection")
        .Set("source", dataset_iri_)
        .Set("refinement", JsonValue::Array().Push(Constraint(
                               Accord("field"), "isAnyOf", std::move(fields))));
  }

  // One principal: its IRI. One category: that party collection. Several:
  // a collection of the rule whose members are `partOf` it.
  JsonValue Assignee(const Rule& rule, const std::string& rule_uid) const {
    if (rule.principals.size() == 1 && rule.categories.empty()) {
      return JsonValue(AccordIri("principal", rule.principals[0]));
    }
    if (rule.principals.empty() && rule.categories.size() == 1) {
      return Category(rule.categories[0]);
    }
    JsonValue members = JsonValue::Array();
    for (const std::string& p : rule.principals) {
      members.Push(JsonValue::Object().Set("uid", AccordIri("principal", p)));
    }
    for (const std::string& c : rule.categories) members.Push(Category(c));
    return JsonValue::Object()
        .Set("@type", "PartyCollection")
        .Set("uid", absl::StrCat(rule_uid, ":assignees"))
        .Set("@reverse", JsonValue::Object().Set("partOf", std::move(members)));
  }

  static JsonValue Category(const std::string& category) {
    return JsonValue::Object()
        .Set("@type", "PartyCollection")
        .Set("uid", AccordIri("category", category));
  }

  absl::StatusOr<JsonValue> Constraints(const Rule& rule) const {
    JsonValue out = JsonValue::Array();
    if (!rule.any_purpose && !rule.purposes.empty()) {
      for (const std::string& p : rule.purposes) {
        if (!taxonomy_.Contains(p)) {
          return absl::InvalidArgumentError(
              absl::StrCat("rule '", rule.id, "': purposes: '", p,
                           "' is not in the taxonomy"));
        }
      }
      if (rule.purposes.size() == 1) {
        out.Push(Constraint(
            "purpose", "isA",
            Ref(Compact(OdrlPurposeIri(taxonomy_, rule.purposes[0])))));
      } else {
        JsonValue iris = JsonValue::Array();
        for (const std::string& p : rule.purposes) {
          iris.Push(Ref(Compact(OdrlPurposeIri(taxonomy_, p))));
        }
        out.Push(Constraint("purpose", "isAnyOf", std::move(iris)));
      }
    }
    if (rule.not_before) {
      out.Push(
          Constraint("dateTime", "gteq",
                     Typed(XsdDateTime(*rule.not_before), "xsd:dateTime")));
    }
    if (rule.not_after) {
      out.Push(Constraint("dateTime", "lteq",
                          Typed(XsdDateTime(*rule.not_after), "xsd:dateTime")));
    }
    if (!rule.locations.empty()) {
      JsonValue places = JsonValue::Array();
      for (const std::string& l : rule.locations) {
        places.Push(Ref(AccordIri("location", l)));
      }
      out.Push(Constraint("spatial", "isAnyOf", std::move(places)));
    }
    if (rule.effect != Effect::kPermit) return out;
    // The caps a grant under this rule gets: the rule's, within the
    // policy's.
    const uint32_t lifetime =
        std::min(rule.max_lifetime_seconds.value_or(UINT32_MAX),
                 policy_.max_lifetime_seconds);
    out.Push(Constraint("elapsedTime", "lteq", Duration(lifetime)));
    if (dataset_.classification == Classification::kPersonal) {
      const uint32_t subjects = std::min(rule.max_subjects.value_or(UINT32_MAX),
                                         policy_.max_subjects);
      out.Push(Constraint(Accord("subjectCount"), "lteq", JsonValue(subjects)));
    }
    if (rule.quota) {
      JsonValue quota =
          Constraint("count", "lteq", JsonValue(rule.quota->grants));
      quota.Set(Accord("period"), Duration(rule.quota->period_seconds));
      out.Push(std::move(quota));
    }
    return out;
  }

  absl::StatusOr<JsonValue> DutyJson(const Rule& rule, const Duty& duty) const {
    // Values as the parser writes them: seconds and k are positive
    // decimals, a mention is not empty, the flags have no value.
    int64_t n = 0;
    bool valid = false;
    switch (duty.kind) {
      case DutyKind::kDeleteAfter:
      case DutyKind::kAggregateMinK:
        valid = PositiveDecimal(duty.value, &n);
        break;
      case DutyKind::kAttribute:
        valid = !duty.value.empty();
        break;
      case DutyKind::kNoOnwardTransfer:
      case DutyKind::kNotifyProducer:
        valid = duty.value.empty();
        break;
    }
    if (!valid) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule '", rule.id, "': duties: ", DutyKindName(duty.kind),
          " has the invalid value '", duty.value, "'"));
    }
    switch (duty.kind) {
      case DutyKind::kDeleteAfter:
        return JsonValue::Object()
            .Set("action", "delete")
            .Set("constraint", JsonValue::Array().Push(Constraint(
                                   "elapsedTime", "lteq", Duration(n))));
      case DutyKind::kAggregateMinK:
        return JsonValue::Object().Set(
            "action", RefinedAction("aggregate",
                                    Constraint(Accord("subjectsPerAggregate"),
                                               "gteq", JsonValue(n))));
      case DutyKind::kAttribute:
        return JsonValue::Object()
            .Set("action",
                 RefinedAction("attribute",
                               Constraint(Accord("attributionText"), "eq",
                                          JsonValue(duty.value))))
            .Set("attributedParty", producer_iri_);
      case DutyKind::kNoOnwardTransfer:
        return JsonValue::Object().Set("action", Accord("noOnwardTransfer"));
      case DutyKind::kNotifyProducer:
        return JsonValue::Object()
            .Set("action", "inform")
            .Set("informedParty", producer_iri_);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("rule '", rule.id, "': duties: unknown kind"));
  }

  const Policy& policy_;
  const DatasetInfo& dataset_;
  const Taxonomy& taxonomy_;
  const std::string producer_iri_;
  const std::string dataset_iri_;
  std::string policy_uid_;
};

}  // namespace

std::string AccordIri(absl::string_view kind, absl::string_view id) {
  return absl::StrCat("urn:accord:", kind, ":", Encode(id));
}

std::string OdrlPurposeIri(const Taxonomy& taxonomy, absl::string_view id) {
  std::string dpv = taxonomy.DpvIri(id);
  return dpv.empty() ? AccordIri("purpose", id) : dpv;
}

absl::StatusOr<std::string> ExportOdrl(const Policy& policy,
                                       const DatasetInfo& dataset,
                                       absl::string_view producer,
                                       const Taxonomy& taxonomy,
                                       const OdrlExportOptions& options) {
  if (dataset.id.empty()) {
    return absl::InvalidArgumentError("dataset: id is empty");
  }
  if (producer.empty()) {
    return absl::InvalidArgumentError("producer: empty");
  }
  if (!policy.dataset.empty() && policy.dataset != dataset.id) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset: the policy is for '", policy.dataset, "', not '",
                     dataset.id, "'"));
  }
  return Exporter(policy, dataset, producer, taxonomy, options).Run();
}

}  // namespace accord::policy
