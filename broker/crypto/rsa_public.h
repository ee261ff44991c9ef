// Internal to broker/crypto: RSA public keys from JWK members and RS256
// (RSASSA-PKCS1-v1_5 with SHA-256) verification.
#ifndef ACCORD_BROKER_CRYPTO_RSA_PUBLIC_H_
#define ACCORD_BROKER_CRYPTO_RSA_PUBLIC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/openssl_util.h"
#include "broker/formats/json.h"

namespace accord::crypto::internal {

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

struct RsaPublic {
  OsslPtr<EVP_PKEY> pkey;
  std::string n;  // modulus, big-endian, no leading zero byte
  std::string e;  // public exponent, big-endian, no leading zero byte
};

// Reads "n" and "e" of an RSA JWK. Returns the key, or INVALID_ARGUMENT
// naming the member at fault: missing, not base64url, a leading zero byte,
// a modulus outside 2048..8192 bits, an even or too small exponent.
absl::StatusOr<RsaPublic> RsaPublicFromJwk(const formats::JsonValue& jwk);

// Builds the key from its big-endian modulus and exponent.
absl::StatusOr<RsaPublic> RsaPublicFromParts(std::string n, std::string e);

// OK when `signature` is a valid RS256 signature of `data` by `pkey`;
// UNAUTHENTICATED otherwise (including a signature whose length is not the
// modulus length).
absl::Status VerifyRs256(EVP_PKEY* pkey, absl::string_view data,
                         absl::string_view signature);

// The RFC 7638 thumbprint input: {"e":...,"kty":"RSA","n":...}.
std::string RsaThumbprintInput(const std::string& n, const std::string& e);

}  // namespace accord::crypto::internal

#endif  // ACCORD_BROKER_CRYPTO_RSA_PUBLIC_H_
