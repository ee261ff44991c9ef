#include "broker/service/grant_issuer.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "broker/crypto/json.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/random.h"

namespace accord::service {
namespace {

using crypto::JsonValue;

constexpr absl::string_view kGrantType = "grant+jwt";

JsonValue StringArray(const std::vector<std::string>& items, size_t begin,
                      size_t end) {
  JsonValue array = JsonValue::Array();
  for (size_t i = begin; i < end; ++i) array.Push(items[i]);
  return array;
}

// Duties as one object: a flag duty is `true`, a numeric one a number, any
// other a string, so gateways can map claims without parsing.
JsonValue Duties(const policy::Decision& d) {
  JsonValue duties = JsonValue::Object();
  for (const policy::Duty& duty : d.duties) {
    const absl::string_view kind = policy::DutyKindName(duty.kind);
    int64_t n;
    if (duty.value.empty()) {
      duties.Set(kind, true);
    } else if (absl::SimpleAtoi(duty.value, &n)) {
      duties.Set(kind, static_cast<long long>(n));
    } else {
      duties.Set(kind, duty.value);
    }
  }
  return duties;
}

}  // namespace

absl::StatusOr<std::vector<IssuedGrant>> IssueGrants(
    const crypto::SigningKey& key, const GrantOrder& order,
    const AccessAnswer& answer) {
  const policy::Decision& d = answer.decision;
  const std::vector<std::string>& subjects = d.subjects;
  const bool personal = answer.policy->info.classification ==
                        policy::Classification::kPersonal;
  const size_t cap = std::max<size_t>(1, order.max_subjects_per_grant);
  const size_t slices = personal ? (subjects.size() + cap - 1) / cap : 1;
  const int64_t exp = order.now + d.lifetime_seconds;
  const JsonValue fields = StringArray(d.fields, 0, d.fields.size());
  const JsonValue duties = Duties(d);
  JsonValue policy_claim = JsonValue::Object();
  policy_claim.Set("version", static_cast<long long>(answer.policy->ref.version()))
      .Set("hash", answer.policy->ref.hash());
  JsonValue cnf = JsonValue::Object();
  cnf.Set("x5t#S256", order.cert_thumbprint);

  std::vector<IssuedGrant> grants;
  grants.reserve(slices);
  for (size_t i = 0; i < slices; ++i) {
    IssuedGrant g;
    const std::string jti = crypto::RandomId();
    const size_t begin = i * cap;
    const size_t end = personal ? std::min(subjects.size(), begin + cap) : 0;
    JsonValue claims = JsonValue::Object();
    claims.Set("iss", order.issuer)
        .Set("sub", order.partner)
        .Set("aud", order.audience)
        .Set("jti", jti)
        .Set("iat", static_cast<long long>(order.now))
        .Set("nbf", static_cast<long long>(order.now))
        .Set("exp", static_cast<long long>(exp))
        .Set("dataset", answer.policy->dataset.id())
        .Set("purpose", order.purpose)
        .Set("fields", fields);
    if (personal) claims.Set("subjects", StringArray(subjects, begin, end));
    claims.Set("policy", policy_claim)
        .Set("duties", duties)
        .Set("rev", static_cast<long long>(answer.revision))
        .Set("cnf", cnf);
    absl::StatusOr<std::string> token =
        crypto::SignJws(key, kGrantType, claims.Serialize());
    if (!token.ok()) return token.status();
    g.token = *std::move(token);

    store::GrantRecord& r = g.record;
    r.set_id(jti);
    r.set_partner(order.partner);
    r.set_dataset_id(answer.policy->dataset.id());
    r.set_purpose(order.purpose);
    for (const std::string& f : d.fields) r.add_fields(f);
    for (size_t k = begin; k < end; ++k) r.add_subjects(subjects[k]);
    r.set_audience(order.audience);
    r.set_issued_at(order.now);
    r.set_expires_at(exp);
    *r.mutable_policy() = answer.policy->ref;
    for (const std::string& c : d.consent_ids) r.add_consent_ids(c);
    r.set_kid(key.kid());
    grants.push_back(std::move(g));
  }
  return grants;
}

}  // namespace accord::service
