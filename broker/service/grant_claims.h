#ifndef ACCORD_BROKER_SERVICE_GRANT_CLAIMS_H_
#define ACCORD_BROKER_SERVICE_GRANT_CLAIMS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "broker/formats/json.h"
#include "broker/service/decider.h"

namespace accord::service {

// What a permitted request turns into.
struct GrantOrder {
  std::string issuer;    // `iss`
  std::string partner;   // `sub`
  std::string audience;  // `aud`
  std::string purpose;
  std::string cert_thumbprint;  // `cnf.x5t#S256`
  int64_t now = 0;
  uint32_t max_subjects_per_grant = 1000;
};

// The "duties" claim: one object, a flag duty `true`, a decimal one a
// number, any other a string, so gateways map claims without parsing.
formats::JsonValue DutiesClaim(const policy::Decision& d);

// The claims of the grants of one permitted request (docs/architecture.md,
// "Access grant"), written straight into a string: the parts every grant
// of the request shares are serialized once, at construction, and no JSON
// tree is built per grant. The bytes are those formats::JsonValue::Serialize
// gives for the object with these members in this order: iss, sub, aud,
// jti, iat, nbf, exp (now + lifetime), dataset, purpose, fields, subjects
// (PERSONAL datasets only), policy {version, hash}, duties (a flag duty
// `true`, a decimal one a number, any other a string; a kind named twice
// keeps its first place and its last value), rev, cnf {x5t#S256}
// (grant_claims_test checks this). Strings must be UTF-8; numbers must fit
// in int64 (store revisions, policy versions and times do).
class GrantClaimsWriter {
 public:
  // `order` and `answer` are read here only.
  GrantClaimsWriter(const GrantOrder& order, const AccessAnswer& answer);

  // Replaces *out with the claims of the grant `jti` naming `subjects`
  // (ignored unless the dataset is PERSONAL).
  void Write(absl::string_view jti, absl::Span<const std::string> subjects,
             std::string* out) const;

 private:
  bool personal_;
  std::string head_;    // {"iss":..,"sub":..,"aud":..,"jti":
  std::string middle_;  // ,"iat":..,"fields":[..]
  std::string tail_;    // ,"policy":..,"cnf":{..}}
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_GRANT_CLAIMS_H_
