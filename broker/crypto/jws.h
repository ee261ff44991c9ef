#ifndef ACCORD_BROKER_CRYPTO_JWS_H_
#define ACCORD_BROKER_CRYPTO_JWS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/algorithm.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/signing_key.h"
#include "broker/formats/json.h"

namespace accord::crypto {

// Signs `payload_json` (which must be one valid JSON value) and returns the
// JWS compact serialization `b64url(header).b64url(payload).b64url(sig)`
// with protected header {"alg":...,"typ":typ,"kid":key.kid()} ("typ" left
// out when empty). Returns INVALID_ARGUMENT naming the payload when it is not
// valid JSON, INTERNAL if signing fails.
absl::StatusOr<std::string> SignJws(const SigningKey& key,
                                    absl::string_view typ,
                                    absl::string_view payload_json);

// What a verifier accepts.
struct JwsPolicy {
  std::vector<Algorithm> allowed_algorithms = {Algorithm::kES256,
                                               Algorithm::kEdDSA};
  size_t max_bytes = 16 * 1024;  // of the whole compact serialization
  // When non-empty, the header "typ" must equal it (ASCII case-insensitive).
  std::string expected_typ;
};

struct VerifiedJws {
  formats::JsonValue header;   // the protected header (an object)
  formats::JsonValue payload;  // the payload (an object)
};

// Verifies a compact JWS against `jwks` and returns its header and payload.
// The header must be a JSON object with a string "alg" and "kid"; the
// payload a JSON object. Errors, each naming the check that failed:
//  - INVALID_ARGUMENT: malformed input — too large, not three parts, bad
//    base64url, header or payload not a JSON object, "alg"/"kid" missing or
//    not strings.
//  - UNAUTHENTICATED: the token is well-formed but not acceptable — "alg"
//    not allowed by `policy` (including "none" and HS*), "crit" present,
//    "typ" not the expected one, unknown kid (IsUnknownKidError() is true:
//    the caller may refresh its JWKS and retry once), header alg different
//    from the key's algorithm, signature not valid.
// The payload is parsed only after the signature verifies.
absl::StatusOr<VerifiedJws> VerifyJws(absl::string_view compact,
                                      const Jwks& jwks,
                                      const JwsPolicy& policy = {});

// True when `status` is VerifyJws's "no key with this kid" error.
bool IsUnknownKidError(const absl::Status& status);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_JWS_H_
