#ifndef ACCORD_BROKER_SERVICE_RECEIPT_H_
#define ACCORD_BROKER_SERVICE_RECEIPT_H_

#include <string>

#include "absl/status/statusor.h"
#include "accord/v1/consent.pb.h"
#include "broker/crypto/signing_key.h"

namespace accord::service {

// Signs a consent receipt (JWS, typ `consent-receipt+jwt`) recording the
// consent's current state, in the spirit of the Kantara consent receipt and
// ISO/IEC TS 27560: receipt id (`jti`), timestamp (`iat`), subject
// pseudonym (`sub`), controller, dataset, purpose, recipient, notice
// {version, hash}, legal basis, state and consent id. Anyone can verify it
// with the broker's JWKS. Errors: the signer's.
absl::StatusOr<std::string> SignReceipt(const crypto::SigningKey& key,
                                        absl::string_view issuer,
                                        absl::string_view controller,
                                        const accord::v1::Consent& consent,
                                        int64_t now);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_RECEIPT_H_
