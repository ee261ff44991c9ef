#ifndef ACCORD_BROKER_CRYPTO_JWKS_H_
#define ACCORD_BROKER_CRYPTO_JWKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/signing_key.h"
#include "broker/crypto/verifying_key.h"

namespace accord::crypto {

// A JWK Set (RFC 7517 §5) of public verification keys, looked up by kid.
// Immutable once built; copyable; safe to share between threads.
class Jwks {
 public:
  Jwks() = default;  // empty: finds nothing

  // Parses `{"keys":[...]}`. Every key must be usable (VerifyingKey::FromJwk)
  // and kids must be unique; a key without "kid" gets its RFC 7638
  // thumbprint. Returns the set, or INVALID_ARGUMENT naming the index of the
  // key at fault (or the JSON problem).
  static absl::StatusOr<Jwks> Parse(absl::string_view json);

  // The public halves of `keys`, in order; a key given twice appears once.
  static Jwks FromKeys(const std::vector<const SigningKey*>& keys);
  // The given verifying keys, in order; a later key with an already present
  // kid is dropped.
  static Jwks FromVerifyingKeys(std::vector<VerifyingKey> keys);

  // Returns the key with this kid, or nullptr.
  const VerifyingKey* Find(absl::string_view kid) const;

  const std::vector<VerifyingKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

  // `{"keys":[...]}` with each key's public JWK (kty, crv, x, y, kid, alg,
  // use), compact.
  std::string ToJson() const;

 private:
  std::vector<VerifyingKey> keys_;
};

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_JWKS_H_
