#include "broker/crypto/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

namespace accord::crypto {

Digest HmacSha256(absl::string_view key, absl::string_view data) {
  Digest out{};
  unsigned int len = 0;
  // An empty key is valid HMAC input; OpenSSL wants a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* key_ptr =
      key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           out.data(), &len) == nullptr ||
      len != out.size()) {
    // Only a broken OpenSSL build gets here; a wrong MAC must never be used.
    std::abort();
  }
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace accord::crypto
