// Internal to broker/crypto: lets the certificate code use a SigningKey's
// OpenSSL key without widening SigningKey's public API.
#ifndef ACCORD_BROKER_CRYPTO_KEY_ACCESS_H_
#define ACCORD_BROKER_CRYPTO_KEY_ACCESS_H_

#include <openssl/evp.h>

#include "broker/crypto/signing_key.h"

namespace accord::crypto::internal {

struct KeyAccess {
  static EVP_PKEY* Pkey(const SigningKey& key) { return key.pkey_.get(); }
};

}  // namespace accord::crypto::internal

#endif  // ACCORD_BROKER_CRYPTO_KEY_ACCESS_H_
