#include "broker/service/grant_issuer.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/random.h"

namespace accord::service {
namespace {

using formats::JsonValue;

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
  // The claims are written straight into one string, the parts every
  // slice shares serialized once: the same bytes JsonValue would write
  // (keys in this order, no spaces), without a tree per grant.
  const std::string fields = StringArray(d.fields, 0, d.fields.size()).Serialize();
  const std::string duties = Duties(d).Serialize();
  JsonValue policy_claim = JsonValue::Object();
  policy_claim.Set("version", static_cast<long long>(answer.policy->ref.version()))
      .Set("hash", answer.policy->ref.hash());
  const std::string policy = policy_claim.Serialize();
  JsonValue cnf_claim = JsonValue::Object();
  cnf_claim.Set("x5t#S256", order.cert_thumbprint);
  const std::string cnf = cnf_claim.Serialize();
  std::string head;  // {"iss":..,"sub":..,"aud":..,"jti":
  head.append("{\"iss\":");
  formats::AppendJsonString(order.issuer, &head);
  head.append(",\"sub\":");
  formats::AppendJsonString(order.partner, &head);
  head.append(",\"aud\":");
  formats::AppendJsonString(order.audience, &head);
  head.append(",\"jti\":");
  std::string middle;  // ,"iat":..,"fields":[..]
  absl::StrAppend(&middle, ",\"iat\":", order.now, ",\"nbf\":", order.now,
                  ",\"exp\":", exp, ",\"dataset\":");
  formats::AppendJsonString(answer.policy->dataset.id(), &middle);
  middle.append(",\"purpose\":");
  formats::AppendJsonString(order.purpose, &middle);
  absl::StrAppend(&middle, ",\"fields\":", fields);
  const std::string tail =
      absl::StrCat(",\"policy\":", policy, ",\"duties\":", duties,
                   ",\"rev\":", answer.revision, ",\"cnf\":", cnf, "}");

  std::vector<IssuedGrant> grants;
  grants.reserve(slices);
  std::string claims;
  for (size_t i = 0; i < slices; ++i) {
    IssuedGrant g;
    const std::string jti = crypto::RandomId();
    const size_t begin = i * cap;
    const size_t end = personal ? std::min(subjects.size(), begin + cap) : 0;
    claims.assign(head);
    formats::AppendJsonString(jti, &claims);
    claims.append(middle);
    if (personal) {
      claims.append(",\"subjects\":[");
      for (size_t k = begin; k < end; ++k) {
        if (k > begin) claims.push_back(',');
        formats::AppendJsonString(subjects[k], &claims);
      }
      claims.push_back(']');
    }
    claims.append(tail);
    absl::StatusOr<std::string> token =
        crypto::SignJws(key, kGrantType, claims);
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
