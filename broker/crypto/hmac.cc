#include "broker/crypto/hmac.h"

#include <openssl/crypto.h>

#include <cstring>

namespace accord::crypto {

// HMAC (RFC 2104) as two SHA-256 digests, H((K ^ opad) || H((K ^ ipad) ||
// data)), through Sha256 (sha256.cc: EVP, the digest fetched once, one
// context per thread). OpenSSL 3's one-shot HMAC() and a fresh EVP_MAC
// context fetch the MAC and digest and allocate per call, several times
// the cost of the short inputs here (an opening per subject of a grant);
// keys change from call to call, so there is no keyed state to keep.
Digest HmacSha256(absl::string_view key, absl::string_view data) {
  constexpr size_t kBlock = 64;  // SHA-256's block size
  unsigned char pad[kBlock] = {};
  if (key.size() > kBlock) {
    const Digest hashed = Sha256(key);
    std::memcpy(pad, hashed.data(), hashed.size());
  } else if (!key.empty()) {
    std::memcpy(pad, key.data(), key.size());
  }
  const auto bytes = [&pad] {
    return absl::string_view(reinterpret_cast<const char*>(pad), kBlock);
  };
  for (unsigned char& b : pad) b ^= 0x36;
  const Digest inner = Sha256(bytes(), data);
  for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
  const Digest out = Sha256(bytes(), AsBytes(inner));
  OPENSSL_cleanse(pad, sizeof(pad));
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace accord::crypto
