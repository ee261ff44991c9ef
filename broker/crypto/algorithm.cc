#include "broker/crypto/algorithm.h"

namespace accord::crypto {

absl::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kES256:
      return "ES256";
    case Algorithm::kEdDSA:
      return "EdDSA";
    case Algorithm::kRS256:
      return "RS256";
  }
  return "unknown";
}

std::optional<Algorithm> AlgorithmFromName(absl::string_view name) {
  if (name == "ES256") return Algorithm::kES256;
  if (name == "EdDSA") return Algorithm::kEdDSA;
  if (name == "RS256") return Algorithm::kRS256;
  return std::nullopt;
}

}  // namespace accord::crypto
