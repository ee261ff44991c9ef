#include "broker/crypto/sha256.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace accord::crypto {

// The low-level SHA256_* calls are deprecated in OpenSSL 3 but are the
// fastest path: the one-shot SHA256() of OpenSSL 3 makes, fetches and frees
// an EVP context per call, which costs more than hashing the many small
// inputs here (Merkle nodes, JWS signing inputs).
Digest Sha256(absl::string_view data) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Digest Sha256(absl::string_view a, absl::string_view b, absl::string_view c) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, a.data(), a.size());
  SHA256_Update(&ctx, b.data(), b.size());
  SHA256_Update(&ctx, c.data(), c.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string ToHex(const Digest& d) {
  return absl::BytesToHexString(AsBytes(d));
}

}  // namespace accord::crypto
