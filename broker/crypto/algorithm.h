#ifndef ACCORD_BROKER_CRYPTO_ALGORITHM_H_
#define ACCORD_BROKER_CRYPTO_ALGORITHM_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace accord::crypto {

// The JWS signature algorithms Accord signs and verifies with.
enum class Algorithm {
  kES256,  // ECDSA P-256 with SHA-256, raw 64-byte r||s signatures
  kEdDSA,  // Ed25519, 64-byte signatures
  // RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 bits or more. Verification
  // only (citizen tokens from identity providers): SigningKey never holds
  // it; RsaSigningKey exists for tests and tools.
  kRS256,
};

// Returns the JOSE name: "ES256", "EdDSA" or "RS256".
absl::string_view AlgorithmName(Algorithm alg);

// Returns the algorithm whose JOSE name is exactly `name`, or nullopt for any
// other name (including "none", "HS256", "PS256", and different case).
std::optional<Algorithm> AlgorithmFromName(absl::string_view name);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_ALGORITHM_H_
