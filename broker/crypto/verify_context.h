// Internal to broker/crypto: verification (and signing) contexts kept per
// thread. Making
// an EVP_PKEY_CTX and initializing it for verification costs a provider
// fetch on OpenSSL 3 (about as much as hashing and parsing a whole grant);
// a context, once initialized, verifies any number of signatures by its
// key. Each thread keeps a few, for the keys it used last.
#ifndef ACCORD_BROKER_CRYPTO_VERIFY_CONTEXT_H_
#define ACCORD_BROKER_CRYPTO_VERIFY_CONTEXT_H_

#include <openssl/evp.h>

#include "absl/strings/string_view.h"

namespace accord::crypto::internal {

// Verifies `der_signature` over the pre-computed `digest` with `pkey`
// (EVP_PKEY_verify) on a context of this thread initialized for `pkey`,
// made on first use. Returns true when the signature verifies; false when it
// does not or no context could be made (the OpenSSL error queue is cleared).
//
// A cached context holds a reference to its key, so a key stays alive, and
// its address is not reused, while any thread caches a context for it.
bool VerifyDigestCached(EVP_PKEY* pkey, absl::string_view digest,
                        const unsigned char* der_signature, size_t der_len);

// Signs the pre-computed `digest` with `pkey` (EVP_PKEY_sign) on a context
// of this thread initialized for signing with `pkey`, made on first use,
// writing the DER signature to `der` (capacity `*der_len`, set to the
// length written). Returns true on success; false when signing failed or no
// context could be made (the OpenSSL error queue is left for the caller).
// The same key lifetime rule as above applies.
bool SignDigestCached(EVP_PKEY* pkey, absl::string_view digest,
                      unsigned char* der, size_t* der_len);

}  // namespace accord::crypto::internal

#endif  // ACCORD_BROKER_CRYPTO_VERIFY_CONTEXT_H_
