#ifndef ACCORD_CLIENTS_VERIFIER_BROKER_KEYS_H_
#define ACCORD_CLIENTS_VERIFIER_BROKER_KEYS_H_

// The broker's grant-verification keys over gRPC
// (TrustService.GetVerificationKeys, mutual TLS), as a JwksSource loader:
//
//   auto loader = BrokerKeysLoader(endpoint);
//   auto keys = JwksSource::FromLoader(*std::move(loader), {});

#include "absl/status/statusor.h"
#include "clients/verifier/broker_endpoint.h"
#include "clients/verifier/key_source.h"

namespace accord::verifier {

// Returns the loader, or the errors of ValidateBrokerEndpoint, NOT_FOUND /
// FAILED_PRECONDITION naming a TLS file that cannot be read. Each load
// returns the broker's JWKS (without max-age: it is loaded again on an
// unknown kid) or the call's status: UNAVAILABLE when the broker cannot be
// reached or refuses the TLS handshake, UNAUTHENTICATED for a certificate
// of no known principal, DEADLINE_EXCEEDED after call_timeout.
absl::StatusOr<JwksLoader> BrokerKeysLoader(const BrokerEndpoint& endpoint);

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_BROKER_KEYS_H_
