#ifndef ACCORD_BROKER_SERVICE_RECEIPT_H_
#define ACCORD_BROKER_SERVICE_RECEIPT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/consent.pb.h"
#include "broker/crypto/signing_key.h"

namespace accord::service {

// What marks a JWS as a consent receipt (RFC 8725 §3.11, explicit typing):
// the header `typ` and the `aud`. No grant verifier accepts either (grants
// are `grant+jwt` for a data service's audience), and a receipt has no
// `exp`, which grant verifiers require.
inline constexpr absl::string_view kReceiptType = "consent-receipt+jwt";
inline constexpr absl::string_view kReceiptAudience =
    "urn:accord:consent-receipt";

// Signs a consent receipt (JWS, typ kReceiptType, aud kReceiptAudience)
// recording the consent's current state, in the spirit of the Kantara
// consent receipt and ISO/IEC TS 27560: receipt id (`jti`), timestamp
// (`iat`), subject pseudonym (`sub`), controller, dataset, purpose,
// recipient, notice {version, hash}, legal basis, state and consent id.
// `key` must be a receipt key (KeyRing of kReceiptKeys), never a grant key:
// anyone verifies the receipt with the receipt JWKS, which keeps every
// receipt key for ever. Errors: the signer's.
absl::StatusOr<std::string> SignReceipt(const crypto::SigningKey& key,
                                        absl::string_view issuer,
                                        absl::string_view controller,
                                        const accord::v1::Consent& consent,
                                        int64_t now);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_RECEIPT_H_
