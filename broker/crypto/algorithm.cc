#include "broker/crypto/algorithm.h"

namespace accord::crypto {

absl::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kES256:
      return "ES256";
    case Algorithm::kEdDSA:
      return "EdDSA";
  }
  return "unknown";
}

std::optional<Algorithm> AlgorithmFromName(absl::string_view name) {
  if (name == "ES256") return Algorithm::kES256;
  if (name == "EdDSA") return Algorithm::kEdDSA;
  return std::nullopt;
}

}  // namespace accord::crypto
