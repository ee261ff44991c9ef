#ifndef ACCORD_BROKER_CRYPTO_HMAC_H_
#define ACCORD_BROKER_CRYPTO_HMAC_H_

#include "absl/strings/string_view.h"
#include "broker/crypto/sha256.h"

namespace accord::crypto {

// Returns HMAC-SHA-256(key, data) (RFC 2104), computed with Sha256, and so
// thread-safe like it. Never fails: any key length is accepted (callers
// choose keys of at least 32 bytes).
Digest HmacSha256(absl::string_view key, absl::string_view data);

// Returns true when `a` and `b` are equal, in time that depends only on
// their lengths. Use it to compare MACs and secrets.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_HMAC_H_
