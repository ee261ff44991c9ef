#include "broker/service/grant_issuer.h"

#include <algorithm>

#include "absl/types/span.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/random.h"

namespace accord::service {
namespace {

constexpr absl::string_view kGrantType = "grant+jwt";

}  // namespace

absl::StatusOr<std::vector<IssuedGrant>> IssueGrants(
    const crypto::SigningKey& key, const GrantOrder& order,
    const AccessAnswer& answer) {
  const policy::Decision& d = answer.decision;
  const std::vector<std::string>& subjects = d.subjects;
  const bool personal =
      answer.policy->info.classification == policy::Classification::kPersonal;
  const size_t cap = std::max<size_t>(1, order.max_subjects_per_grant);
  const size_t slices = personal ? (subjects.size() + cap - 1) / cap : 1;
  const int64_t exp = order.now + d.lifetime_seconds;
  const GrantClaimsWriter writer(order, answer);

  std::vector<IssuedGrant> grants;
  grants.reserve(slices);
  std::string claims;
  for (size_t i = 0; i < slices; ++i) {
    IssuedGrant g;
    const std::string jti = crypto::RandomId();
    const size_t begin = i * cap;
    const size_t end = personal ? std::min(subjects.size(), begin + cap) : 0;
    writer.Write(jti, absl::MakeConstSpan(subjects).subspan(begin, end - begin),
                 &claims);
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
