#ifndef ACCORD_CLIENTS_VERIFIER_GRANT_H_
#define ACCORD_CLIENTS_VERIFIER_GRANT_H_

// An Accord access grant as a data service sees it once verified: the
// claims of the signed token (see docs/architecture.md, "Access grant") in typed form.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/formats/json.h"

namespace accord::verifier {

struct Grant {
  std::string kid;        // header "kid": the key that signed it
  std::string algorithm;  // header "alg"
  std::string issuer;     // "iss"
  std::string partner;    // "sub": the partner the grant was issued to
  std::string audience;   // "aud": the data service
  std::string id;         // "jti"
  int64_t issued_at = 0;  // "iat", seconds since the Unix epoch
  int64_t not_before = 0; // "nbf" (issued_at when absent)
  int64_t expires_at = 0; // "exp"
  std::string dataset;
  std::string purpose;
  std::vector<std::string> fields;    // the columns the partner may read
  bool has_subjects = false;          // PERSONAL datasets only
  std::vector<std::string> subjects;  // the pseudonyms it may read
  int64_t policy_version = 0;
  std::string policy_hash;
  formats::JsonValue duties;  // object: duty name -> true / number / string
  int64_t revision = 0;      // "rev"
  std::string cnf_x5t_s256;  // "cnf"."x5t#S256": the bound certificate
  formats::JsonValue claims;  // every claim, as signed

  // True when `field` is one of `fields`.
  bool CoversField(absl::string_view field) const;
  // True when the grant has no subject list (not a PERSONAL dataset) or
  // `subject` is in it.
  bool CoversSubject(absl::string_view subject) const;
};

// Builds a Grant from a verified header and payload. Returns it, or
// INVALID_ARGUMENT naming the claim that is missing or of the wrong type:
// "sub", "aud" (one string), "jti", "exp", "dataset", "purpose", "fields"
// (array of strings) and "cnf" (object with a string "x5t#S256") are
// required; "subjects" (array of strings), "policy", "duties", "rev",
// "iss", "iat", "nbf" are read when present.
absl::StatusOr<Grant> GrantFromClaims(const formats::JsonValue& header,
                                      formats::JsonValue payload);

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_GRANT_H_
