#ifndef ACCORD_BROKER_CRYPTO_RANDOM_H_
#define ACCORD_BROKER_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>

namespace accord::crypto {

// Returns `n` bytes from the OpenSSL CSPRNG (RAND_bytes). If the CSPRNG
// fails the process aborts: continuing with predictable ids or secrets is
// worse than stopping.
std::string RandomBytes(size_t n);

// Returns a fresh identifier: base64url of 16 random bytes (22 characters).
// Never starts with '-' or '_', so it is never taken for a command-line flag.
std::string RandomId();

}  // namespace accord::crypto

#endif  // ACCORD_BROKER_CRYPTO_RANDOM_H_
