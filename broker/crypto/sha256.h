#ifndef ACCORD_BROKER_CRYPTO_SHA256_H_
#define ACCORD_BROKER_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace accord::crypto {

// A SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

// Returns SHA-256(data). Thread-safe: each thread hashes on its own EVP
// context (OpenSSL's SHA-256 fetched once for the process). Never returns
// a wrong digest: aborts if OpenSSL cannot hash (a broken installation).
Digest Sha256(absl::string_view data);

// Returns SHA-256(a || b || c) without concatenating the inputs first.
Digest Sha256(absl::string_view a, absl::string_view b,
              absl::string_view c = {});

// Views a digest as bytes.
inline absl::string_view AsBytes(const Digest& d) {
  return absl::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

// Lowercase hex of a digest.
std::string ToHex(const Digest& d);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_SHA256_H_
