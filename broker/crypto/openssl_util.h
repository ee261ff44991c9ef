// Internal to broker/crypto: owning pointers for OpenSSL objects and the
// one conversion from the OpenSSL error queue to a Status.
#ifndef ACCORD_BROKER_CRYPTO_OPENSSL_UTIL_H_
#define ACCORD_BROKER_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace accord::crypto::internal {

struct OsslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
};

template <typename T>
using OsslPtr = std::unique_ptr<T, OsslFree>;

// Returns a status with `code` and `what`, followed by the reason of the
// oldest queued OpenSSL error if any; clears the error queue. OpenSSL reasons
// never contain key material.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what);

// A read-only memory BIO over `data`.
OsslPtr<BIO> MemBio(absl::string_view data);

// The contents written so far to a memory BIO.
absl::string_view BioContents(BIO* bio);

}  // namespace accord::crypto::internal

#endif  // ACCORD_BROKER_CRYPTO_OPENSSL_UTIL_H_
