#ifndef ACCORD_BROKER_SERVICE_CALLER_H_
#define ACCORD_BROKER_SERVICE_CALLER_H_

#include <grpcpp/server_context.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/admin.pb.h"
#include "broker/crypto/x509.h"
#include "broker/service/citizen_tokens.h"
#include "broker/service/clock.h"
#include "broker/store/store.h"

namespace accord::service {

// The authenticated caller of one RPC.
struct Caller {
  // The principal the client certificate maps to.
  accord::v1::Principal principal;
  // base64url SHA-256 of the client certificate (the grant `cnf` value).
  std::string cert_thumbprint;
  // The citizen's pseudonym, for methods that take a citizen token.
  std::string subject;
};

// Authenticates callers: client certificate -> principal, role check against
// the authorization table, and the citizen token where the method needs it.
// A certificate maps to a principal by its URI SAN (which must lie under
// `trust_domain`) or by its SHA-256; operators and auditors (IsPinnedRole)
// by their SHA-256 only.
// The rate-limit key of the citizen whose pseudonym is `subject` (no
// principal id contains a ':').
std::string CitizenRateKey(absl::string_view subject);

class Authenticator {
 public:
  Authenticator(store::Store* store, const CitizenTokens* citizens,
                const Clock* clock, std::string trust_domain)
      : store_(store),
        citizens_(citizens),
        clock_(clock),
        trust_domain_(std::move(trust_domain)) {}

  // Charges the rate limit of `key`: its error is the call's. Called once
  // the principal is known and allowed the method, with the principal's id;
  // for a method that takes a citizen token, after the token checked out,
  // with the citizen's key instead (CitizenRateKey), so that the citizens
  // of one app do not share one bucket. A citizen token that does not
  // check out is charged to the app principal.
  using Admit = std::function<absl::Status(absl::string_view key)>;

  // Errors: UNAUTHENTICATED (no certificate; a URI SAN outside the trust
  // domain; a certificate of no principal, or a pinned principal's URI on
  // a certificate of another fingerprint; a missing or invalid citizen
  // token, or one minted for another app principal), PERMISSION_DENIED
  // (known caller, wrong role; or a method outside the table), or
  // `admit`'s.
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context,
                                      absl::string_view method,
                                      const Admit& admit = nullptr);

 private:
  absl::StatusOr<crypto::CertificateInfo> ParseCached(const std::string& pem)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The pseudonym of the citizen whose bearer token `app` forwards.
  absl::StatusOr<std::string> CitizenOf(const grpc::ServerContextBase& context,
                                        const accord::v1::Principal& app) const;

  store::Store* const store_;
  const CitizenTokens* const citizens_;
  const Clock* const clock_;
  const std::string trust_domain_;
  absl::Mutex mu_;
  // Parsed certificates by PEM; bounded (cleared when full).
  absl::flat_hash_map<std::string, crypto::CertificateInfo> certs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CALLER_H_
