#ifndef ACCORD_BROKER_CRYPTO_VERIFYING_KEY_H_
#define ACCORD_BROKER_CRYPTO_VERIFYING_KEY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/algorithm.h"
#include "broker/formats/json.h"

struct evp_pkey_st;

namespace accord::crypto {

class SigningKey;

// A public key that checks ES256, EdDSA or RS256 signatures. Immutable, cheap
// to copy (the parsed key is shared) and safe to use from many threads. ES256
// verification reuses a per-thread OpenSSL context per key
// (verify_context.h), so only the first signature a thread checks with a
// key pays for setting one up.
class VerifyingKey {
 public:
  // Builds a key from a public JWK (RFC 7517/8037): kty "EC" with crv
  // "P-256" and 32-byte x, y on the curve, or kty "OKP" with crv "Ed25519"
  // and a 32-byte x, or kty "RSA" with n (2048 to 8192 bits) and e (odd,
  // at least 3), verifying RS256 only. "alg", if present, must match the key
  // type; "use", if
  // present, must be "sig". The kid is the JWK's "kid" when present,
  // otherwise the RFC 7638 thumbprint. Returns the key, or INVALID_ARGUMENT
  // naming the member at fault for symmetric ("oct") keys, private
  // members ("d" and others), unknown curves, bad encodings or points off
  // the curve.
  static absl::StatusOr<VerifyingKey> FromJwk(const formats::JsonValue& jwk);

  // Returns OK when `signature` (raw r||s for ES256, 64 bytes for EdDSA,
  // PKCS#1 v1.5 of the modulus length for RS256) is
  // a valid signature of `data` by this key; UNAUTHENTICATED otherwise
  // (including a signature of the wrong length).
  absl::Status Verify(absl::string_view data,
                      absl::string_view signature) const;

  Algorithm algorithm() const { return alg_; }
  // The key id: the JWK "kid" it was read with, or its thumbprint.
  const std::string& kid() const { return kid_; }
  // The RFC 7638 JWK thumbprint (SHA-256, base64url).
  const std::string& thumbprint() const { return thumbprint_; }
  // The public JWK: kty, crv, x (and y for EC) or n, e (RSA), kid, alg,
  // use "sig".
  formats::JsonValue PublicJwk() const;
  // Ed25519: the 32-byte key; ES256: the 65-byte uncompressed point;
  // RS256: the modulus.
  std::string RawPublicKey() const;

 private:
  friend class SigningKey;
  VerifyingKey() = default;

  // Builds the public half from raw coordinates (y empty for Ed25519).
  // `kid` empty means "use the thumbprint".
  static absl::StatusOr<VerifyingKey> FromCoordinates(Algorithm alg,
                                                      std::string x,
                                                      std::string y,
                                                      std::string kid);

  // The RSA members of a JWK whose other members were checked.
  static absl::StatusOr<VerifyingKey> FromRsaJwk(const formats::JsonValue& jwk,
                                                 std::string kid);

  std::shared_ptr<evp_pkey_st> pkey_;
  Algorithm alg_ = Algorithm::kES256;
  std::string x_;  // RSA: the modulus n
  std::string y_;  // RSA: the exponent e
  std::string thumbprint_;
  std::string kid_;
};

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_VERIFYING_KEY_H_
