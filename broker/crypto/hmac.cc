#include "broker/crypto/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>

namespace accord::crypto {

// HMAC (RFC 2104) over the low-level SHA-256 calls, for the reason
// sha256.cc gives: OpenSSL 3's one-shot HMAC() fetches the MAC and digest
// implementations on every call, about 30 times the cost of hashing the
// short inputs it gets here (a commitment opening per subject of a grant).
// The SHA256_* calls are deprecated in OpenSSL 3; accord_crypto builds with
// -Wno-deprecated-declarations for them.
Digest HmacSha256(absl::string_view key, absl::string_view data) {
  constexpr size_t kBlock = SHA256_CBLOCK;
  unsigned char block[kBlock] = {};
  if (key.size() > kBlock) {
    const Digest hashed = Sha256(key);
    std::memcpy(block, hashed.data(), hashed.size());
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  Digest inner{};
  SHA256_CTX ctx;
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, pad, kBlock) != 1 ||
      SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
      SHA256_Final(inner.data(), &ctx) != 1) {
    // Only a broken OpenSSL build gets here; a wrong MAC must never be used.
    std::abort();
  }
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  Digest out{};
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, pad, kBlock) != 1 ||
      SHA256_Update(&ctx, inner.data(), inner.size()) != 1 ||
      SHA256_Final(out.data(), &ctx) != 1) {
    std::abort();
  }
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace accord::crypto
