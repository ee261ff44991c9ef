#ifndef ACCORD_CLIENTS_VERIFIER_GRANT_VERIFIER_H_
#define ACCORD_CLIENTS_VERIFIER_GRANT_VERIFIER_H_

// The downstream grant verifier: what a data service calls before it serves
// a record. It checks an Accord grant offline against the broker's JWKS,
// using the broker's own JWS and claim checks (broker/crypto), so there is
// one implementation of JWS verification. No gRPC here (broker_keys.h and
// revocation_watcher.h, in accord_verifier_grpc, talk to the broker).
//
//   JwksSource::Options tls;
//   tls.ca_file = "/etc/accord/ca.pem";
//   auto keys = JwksSource::Open("https://broker:7480/.well-known/jwks.json",
//                                tls);
//   GrantVerifier verifier(*std::move(keys), {.audience =
//   "data.rennes.example"}); absl::StatusOr<Grant> g =
//   verifier.VerifyForCertificate(token, peer_pem);

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/verifier/grant.h"
#include "clients/verifier/key_source.h"
#include "clients/verifier/revoked_grants.h"

namespace accord::crypto {
struct JwsPolicy;
}  // namespace accord::crypto

namespace accord::verifier {

// Parsed once, then read-only.
struct GrantVerifierOptions {
  // The expected "aud": this data service. Required unless
  // `skip_audience_check` (for tools that only inspect a grant).
  std::string audience;
  bool skip_audience_check = false;
  // The expected "iss"; empty: not checked.
  std::string issuer;
  // Tolerated clock difference for exp / nbf / iat.
  int64_t skew_seconds = 60;
  // Accepted "alg" values, by their JOSE names: "ES256" and "EdDSA" are
  // the only ones grants use; any other name is a configuration error
  // ("none" and HMAC can never be accepted).
  std::vector<std::string> allowed_algorithms = {"ES256", "EdDSA"};
  // Bound on the token size, before any decoding.
  size_t max_token_bytes = 16 * 1024;
  // When set, a grant whose id it holds is refused (kRevoked), and every
  // grant is refused while it cannot vouch for being current
  // (kRevocations). Filled by a RevocationWatcher.
  std::shared_ptr<const RevokedGrants> revoked;
  NowFunction now = absl::Now;
};

// The check a refusal came from, carried in the status (see FailedCheck).
enum class GrantCheck {
  kConfig,       // the verifier is misconfigured (no audience, no algorithms,
                 // an unknown algorithm name)
  kFormat,       // not a well-formed JWS / grant (INVALID_ARGUMENT)
  kKey,          // no key with this kid, even after refreshing the JWKS
  kKeys,         // the JWKS could not be refreshed (UNAVAILABLE or as loaded)
  kSignature,    // alg not allowed, wrong typ, crit, bad signature
  kLifetime,     // expired, not yet valid, issued in the future
  kIssuer,       // "iss" is not the expected issuer
  kAudience,     // "aud" is not this service
  kClaims,       // a grant claim missing or of the wrong type
  kBinding,      // "cnf" does not match the presenting certificate
  kRevoked,      // the broker revoked this grant (PERMISSION_DENIED)
  kRevocations,  // the revocation stream is down (UNAVAILABLE)
};

// "config", "format", "key", "keys", "signature", "lifetime", "iss", "aud",
// "claims", "cnf", "revoked", "revocations".
absl::string_view GrantCheckName(GrantCheck check);

// The check that produced `status` (a GrantVerifier error), or nullopt for
// OK and for statuses that did not come from a GrantVerifier.
std::optional<GrantCheck> FailedCheck(const absl::Status& status);

// Verifies grants. Thread-safe: one instance serves all requests.
class GrantVerifier {
 public:
  GrantVerifier(std::shared_ptr<JwksSource> keys, GrantVerifierOptions options);

  // Verifies `token` and checks that its "cnf" binds it to the client
  // certificate the caller presented (`client_cert_pem`, as the TLS stack
  // reports it). Returns the grant, or an error whose message starts with
  // the check name ("aud: ...") and whose FailedCheck() tells which check
  // failed:
  //  - INVALID_ARGUMENT: malformed token, claims of the wrong type, or a
  //    presenting certificate that cannot be parsed (kBinding);
  //  - UNAUTHENTICATED: a well-formed grant that must not be honoured
  //    (signature, algorithm, kid, lifetime, issuer, audience, binding);
  //  - PERMISSION_DENIED: a valid grant the broker revoked since (kRevoked:
  //    its consent was withdrawn or the partner released it);
  //  - UNAVAILABLE: revocations are consulted and their stream has been
  //    down too long to vouch for the grant (kRevocations);
  //  - FAILED_PRECONDITION: the verifier has no audience, no algorithm or
  //    an unknown one (kConfig);
  //  - the JWKS load error when an unknown kid forced a refresh that failed.
  // A JWKS past its max-age is loaded again first; when that load fails
  // the cached set is used.
  absl::StatusOr<Grant> VerifyForCertificate(
      absl::string_view token, absl::string_view client_cert_pem) const;

  // As VerifyForCertificate, with the presenting certificate given by its
  // RFC 8705 thumbprint (base64url SHA-256 of the DER), as a TLS-terminating
  // proxy forwards it.
  absl::StatusOr<Grant> VerifyForThumbprint(absl::string_view token,
                                            absl::string_view x5t_s256) const;

  // Verifies everything except the certificate binding. For tools that
  // inspect a grant; a data service must use one of the two above.
  absl::StatusOr<Grant> VerifyUnbound(absl::string_view token) const;

  const GrantVerifierOptions& options() const { return options_; }

 private:
  absl::StatusOr<Grant> Verify(absl::string_view token,
                               std::optional<absl::string_view> x5t_s256) const;

  const std::shared_ptr<JwksSource> keys_;
  const GrantVerifierOptions options_;
  // The JWS checks the options ask for, built once; null when the options
  // name an unknown algorithm.
  std::shared_ptr<const crypto::JwsPolicy> jws_policy_;
};

}  // namespace accord::verifier

#endif  // ACCORD_CLIENTS_VERIFIER_GRANT_VERIFIER_H_
