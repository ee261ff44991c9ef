#ifndef ACCORD_CLIENTS_VERIFIER_GRANT_CLAIMS_INTERNAL_H_
#define ACCORD_CLIENTS_VERIFIER_GRANT_CLAIMS_INTERNAL_H_

// Internal to the verifier library, not one of its public headers: the
// reading of a verified grant's JSON into a Grant. Data services get
// Grants from GrantVerifier (grant_verifier.h).

#include "absl/status/statusor.h"
#include "broker/formats/json.h"
#include "clients/verifier/grant.h"

namespace accord::verifier {

// Builds a Grant from a verified header and payload. Returns it, or
// INVALID_ARGUMENT naming the claim that is missing or of the wrong type:
// "sub", "aud" (one string), "jti", "exp", "dataset", "purpose", "fields"
// (array of strings) and "cnf" (object with a string "x5t#S256") are
// required; "subjects" (array of strings), "policy", "duties" (object of
// booleans, numbers and strings), "rev", "iss", "iat", "nbf" are read when
// present.
absl::StatusOr<Grant> GrantFromClaims(const formats::JsonValue& header,
                                      const formats::JsonValue& payload);

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_GRANT_CLAIMS_INTERNAL_H_
