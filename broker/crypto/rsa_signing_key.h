#ifndef ACCORD_BROKER_CRYPTO_RSA_SIGNING_KEY_H_
#define ACCORD_BROKER_CRYPTO_RSA_SIGNING_KEY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/verifying_key.h"

struct evp_pkey_st;

namespace accord::crypto {

// An RSA private key that signs RS256 JWS, the way an external identity
// provider does. The broker never signs with RSA: this exists so tests and
// tools can stand in for such a provider. Immutable; thread-safe.
class RsaSigningKey {
 public:
  // A fresh key of `bits` (2048 to 8192) from the OpenSSL CSPRNG. Returns
  // INVALID_ARGUMENT for another size, INTERNAL if OpenSSL fails.
  static absl::StatusOr<RsaSigningKey> Generate(int bits = 2048);

  // The JWS compact serialization of `payload_json` with header
  // {"alg":"RS256","typ":typ,"kid":kid()} ("typ" left out when empty).
  // Returns INVALID_ARGUMENT when the payload is not valid JSON, INTERNAL if
  // signing fails.
  absl::StatusOr<std::string> SignJws(absl::string_view typ,
                                      absl::string_view payload_json) const;

  // The public half (kty RSA, n, e); its kid is the RFC 7638 thumbprint.
  const VerifyingKey& verifying_key() const { return public_; }
  const std::string& kid() const { return public_.kid(); }

 private:
  RsaSigningKey(std::shared_ptr<evp_pkey_st> pkey, VerifyingKey pub)
      : pkey_(std::move(pkey)), public_(std::move(pub)) {}

  std::shared_ptr<evp_pkey_st> pkey_;
  VerifyingKey public_;
};

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_RSA_SIGNING_KEY_H_
