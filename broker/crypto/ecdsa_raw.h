// Internal to broker/crypto: JOSE carries ECDSA signatures as raw r||s
// (RFC 7518 §3.4); OpenSSL speaks DER. These convert between the two.
#ifndef ACCORD_BROKER_CRYPTO_ECDSA_RAW_H_
#define ACCORD_BROKER_CRYPTO_ECDSA_RAW_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace accord::crypto::internal {

// Room for the DER form of a P-256 signature: SEQUENCE of two INTEGERs of
// at most 33 bytes each.
constexpr size_t kMaxDerP256Signature = 72;

// Writes the DER form of a 64-byte r||s signature to `der` (room for
// kMaxDerP256Signature bytes) without allocating. Returns its length, or 0
// when `raw` has another length.
size_t RawToDerSignature(absl::string_view raw, unsigned char* der);

// As above, into a string. Returns false when `raw` has another length.
bool RawToDerSignature(absl::string_view raw, std::string* der);

// Converts a DER ECDSA signature to 64-byte r||s. Returns false when `der`
// does not parse or r or s do not fit in 32 bytes.
bool DerToRawSignature(absl::string_view der, std::string* raw);

}  // namespace accord::crypto::internal

#endif  // ACCORD_BROKER_CRYPTO_ECDSA_RAW_H_
