#ifndef ACCORD_BROKER_SERVICE_GRANT_CLAIMS_JSON_H_
#define ACCORD_BROKER_SERVICE_GRANT_CLAIMS_JSON_H_

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "broker/formats/json.h"
#include "broker/service/grant_claims.h"

namespace accord::service {

// The claims GrantClaimsWriter writes, built member by member as a
// formats::JsonValue: the reference its bytes are compared with
// (grant_claims_test) and measured against (accord-claims-bench). Not used
// on the grant path, which writes the same bytes without a tree.
inline formats::JsonValue GrantClaimsJson(
    const GrantOrder& order, const AccessAnswer& answer, absl::string_view jti,
    absl::Span<const std::string> subjects) {
  using formats::JsonValue;
  const policy::Decision& d = answer.decision;
  JsonValue fields = JsonValue::Array();
  for (const std::string& f : d.fields) fields.Push(f);
  JsonValue duties = DutiesClaim(d);
  JsonValue claims = JsonValue::Object();
  claims.Set("iss", order.issuer)
      .Set("sub", order.partner)
      .Set("aud", order.audience)
      .Set("jti", jti)
      .Set("iat", static_cast<long long>(order.now))
      .Set("nbf", static_cast<long long>(order.now))
      .Set("exp", static_cast<long long>(order.now + d.lifetime_seconds))
      .Set("dataset", answer.policy->dataset.id())
      .Set("purpose", order.purpose)
      .Set("fields", std::move(fields));
  if (answer.policy->info.classification == policy::Classification::kPersonal) {
    JsonValue named = JsonValue::Array();
    for (const std::string& s : subjects) named.Push(s);
    claims.Set("subjects", std::move(named));
  }
  JsonValue policy = JsonValue::Object();
  policy.Set("version", static_cast<long long>(answer.policy->ref.version()))
      .Set("hash", answer.policy->ref.hash());
  JsonValue cnf = JsonValue::Object();
  cnf.Set("x5t#S256", order.cert_thumbprint);
  claims.Set("policy", std::move(policy))
      .Set("duties", std::move(duties))
      .Set("rev", static_cast<long long>(answer.revision))
      .Set("cnf", std::move(cnf));
  return claims;
}

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_GRANT_CLAIMS_JSON_H_
