#ifndef ACCORD_CLIENTS_VERIFIER_GRANT_H_
#define ACCORD_CLIENTS_VERIFIER_GRANT_H_

// An Accord access grant as a data service sees it once verified: the
// claims of the signed token (see docs/architecture.md, "Access grant") in
// typed form.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"

namespace accord::verifier {

// One duty of the "duties" claim: what the partner must do with the data
// (the policy's duties, e.g. "delete_after", "aggregate_min_k",
// "attribute", "no_onward_transfer", "notify_producer"). The broker writes
// a flag duty as true, a decimal one (seconds, k) as an integer, any other
// as a string. A number with a fraction or an exponent, or beyond int64,
// reads as a double. A grant whose duty is null, an array or an object is
// refused (GrantCheck::kClaims).
struct Duty {
  std::string name;
  std::variant<bool, int64_t, double, std::string> value;
};

struct Grant {
  std::string kid;         // header "kid": the key that signed it
  std::string algorithm;   // header "alg"
  std::string issuer;      // "iss"
  std::string partner;     // "sub": the partner the grant was issued to
  std::string audience;    // "aud": the data service
  std::string id;          // "jti"
  int64_t issued_at = 0;   // "iat", seconds since the Unix epoch
  int64_t not_before = 0;  // "nbf" (issued_at when absent)
  int64_t expires_at = 0;  // "exp"
  std::string dataset;
  std::string purpose;
  std::vector<std::string> fields;    // the columns the partner may read
  bool has_subjects = false;          // PERSONAL datasets only
  std::vector<std::string> subjects;  // the pseudonyms it may read
  int64_t policy_version = 0;
  std::string policy_hash;
  std::vector<Duty> duties;  // "duties", in the order the token has them
  int64_t revision = 0;      // "rev"
  std::string cnf_x5t_s256;  // "cnf"."x5t#S256": the bound certificate
  // Every claim, as signed: the payload, one JSON object written compactly
  // with its members in the token's order. Whitespace and string escapes may
  // differ from the signed bytes; the values do not.
  std::string claims_json;

  // True when `field` is one of `fields`.
  bool CoversField(absl::string_view field) const;
  // True when the grant has no subject list (not a PERSONAL dataset) or
  // `subject` is in it.
  bool CoversSubject(absl::string_view subject) const;
  // The duty named `name`, or nullptr when the grant has none.
  const Duty* FindDuty(absl::string_view name) const;
};

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_GRANT_H_
