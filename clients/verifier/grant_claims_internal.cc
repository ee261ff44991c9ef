#include "clients/verifier/grant_claims_internal.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace accord::verifier {
namespace {

using formats::JsonValue;

absl::Status Bad(absl::string_view claim, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("grant claim \"", claim, "\" ", what));
}

absl::StatusOr<std::string> RequiredString(const JsonValue& o,
                                           absl::string_view key) {
  const JsonValue* v = o.Find(key);
  if (v == nullptr) return Bad(key, "missing");
  if (v->AsString() == nullptr) return Bad(key, "is not a string");
  return *v->AsString();
}

absl::Status OptionalString(const JsonValue& o, absl::string_view key,
                            std::string* out) {
  const JsonValue* v = o.Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (v->AsString() == nullptr) return Bad(key, "is not a string");
  *out = *v->AsString();
  return absl::OkStatus();
}

absl::Status OptionalInt(const JsonValue& o, absl::string_view key,
                         int64_t* out) {
  const JsonValue* v = o.Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->AsInt64().has_value()) return Bad(key, "is not an integer");
  *out = *v->AsInt64();
  return absl::OkStatus();
}

absl::Status StringList(const JsonValue& v, absl::string_view key,
                        std::vector<std::string>* out) {
  const JsonValue::Elements* items = v.AsArray();
  if (items == nullptr) return Bad(key, "is not an array");
  out->reserve(items->size());
  for (const JsonValue& item : *items) {
    if (item.AsString() == nullptr) return Bad(key, "holds a non-string");
    out->push_back(*item.AsString());
  }
  return absl::OkStatus();
}

// The duties of the "duties" object, in its order.
absl::Status Duties(const JsonValue& v, std::vector<Duty>* out) {
  const JsonValue::Members* members = v.AsObject();
  if (members == nullptr) return Bad("duties", "is not an object");
  out->reserve(members->size());
  for (const auto& [name, value] : *members) {
    Duty duty{name, false};
    switch (value.type()) {
      case JsonValue::Type::kBool:
        duty.value = *value.AsBool();
        break;
      case JsonValue::Type::kInt:
        duty.value = *value.AsInt64();
        break;
      case JsonValue::Type::kDouble:
        duty.value = *value.AsDouble();
        break;
      case JsonValue::Type::kString:
        duty.value = *value.AsString();
        break;
      default:
        return Bad("duties",
                   "holds a value that is not a boolean, number or string");
    }
    out->push_back(std::move(duty));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Grant> GrantFromClaims(const JsonValue& header,
                                      const JsonValue& payload) {
  if (!payload.is_object()) {
    return absl::InvalidArgumentError("grant claims: not a JSON object");
  }
  Grant g;
  if (const JsonValue* kid = header.Find("kid"); kid && kid->AsString()) {
    g.kid = *kid->AsString();
  }
  if (const JsonValue* alg = header.Find("alg"); alg && alg->AsString()) {
    g.algorithm = *alg->AsString();
  }
  struct Required {
    const char* key;
    std::string* out;
  };
  for (const Required& r :
       {Required{"sub", &g.partner}, Required{"aud", &g.audience},
        Required{"jti", &g.id}, Required{"dataset", &g.dataset},
        Required{"purpose", &g.purpose}}) {
    absl::StatusOr<std::string> v = RequiredString(payload, r.key);
    if (!v.ok()) return v.status();
    *r.out = *std::move(v);
  }
  if (absl::Status s = OptionalString(payload, "iss", &g.issuer); !s.ok()) {
    return s;
  }
  const JsonValue* exp = payload.Find("exp");
  if (exp == nullptr) return Bad("exp", "missing");
  if (!exp->AsInt64().has_value()) return Bad("exp", "is not an integer");
  g.expires_at = *exp->AsInt64();
  if (absl::Status s = OptionalInt(payload, "iat", &g.issued_at); !s.ok()) {
    return s;
  }
  g.not_before = g.issued_at;
  if (absl::Status s = OptionalInt(payload, "nbf", &g.not_before); !s.ok()) {
    return s;
  }
  if (absl::Status s = OptionalInt(payload, "rev", &g.revision); !s.ok()) {
    return s;
  }
  const JsonValue* fields = payload.Find("fields");
  if (fields == nullptr) return Bad("fields", "missing");
  if (absl::Status s = StringList(*fields, "fields", &g.fields); !s.ok()) {
    return s;
  }
  if (const JsonValue* subjects = payload.Find("subjects")) {
    g.has_subjects = true;
    if (absl::Status s = StringList(*subjects, "subjects", &g.subjects);
        !s.ok()) {
      return s;
    }
  }
  if (const JsonValue* policy = payload.Find("policy")) {
    if (!policy->is_object()) return Bad("policy", "is not an object");
    if (absl::Status s = OptionalInt(*policy, "version", &g.policy_version);
        !s.ok()) {
      return Bad("policy", "has a non-integer version");
    }
    if (absl::Status s = OptionalString(*policy, "hash", &g.policy_hash);
        !s.ok()) {
      return Bad("policy", "has a non-string hash");
    }
  }
  if (const JsonValue* duties = payload.Find("duties")) {
    if (absl::Status s = Duties(*duties, &g.duties); !s.ok()) return s;
  }
  const JsonValue* cnf = payload.Find("cnf");
  if (cnf == nullptr) return Bad("cnf", "missing");
  if (!cnf->is_object()) return Bad("cnf", "is not an object");
  const JsonValue* x5t = cnf->Find("x5t#S256");
  if (x5t == nullptr || x5t->AsString() == nullptr ||
      x5t->AsString()->empty()) {
    return Bad("cnf", "has no x5t#S256 string");
  }
  g.cnf_x5t_s256 = *x5t->AsString();
  g.claims_json = payload.Serialize();
  return g;
}

}  // namespace accord::verifier
