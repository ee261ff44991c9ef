#ifndef ACCORD_BROKER_CRYPTO_JWT_CLAIMS_H_
#define ACCORD_BROKER_CRYPTO_JWT_CLAIMS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "broker/formats/json.h"

namespace accord::crypto {

// What a JWT's registered claims (RFC 7519 §4.1) must satisfy.
struct ClaimExpectations {
  int64_t now = 0;            // seconds since the Unix epoch
  int64_t skew_seconds = 60;  // tolerated clock difference
  std::string issuer;         // empty: "iss" not checked
  std::string audience;       // empty: "aud" not checked
  bool require_exp = true;
};

// Checks `payload` (a verified JWT claims set) against `expected`:
//  - "exp": required unless !require_exp; expired when now >= exp + skew;
//  - "nbf": if present, not yet valid when now + skew < nbf;
//  - "iat": if present, must not be after now + skew;
//  - "iss": equal to `issuer` when that is set;
//  - "aud": a string equal to `audience`, or an array of strings containing
//    it, when `audience` is set.
// Returns OK; INVALID_ARGUMENT when the payload is not an object or a claim
// has the wrong type; UNAUTHENTICATED for a failed check. Each message names
// the claim ("token expired", "aud mismatch", ...).
absl::Status CheckClaims(const formats::JsonValue& payload,
                         const ClaimExpectations& expected);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_JWT_CLAIMS_H_
