#ifndef ACCORD_CLIENTS_PORTAL_OIDC_CLIENT_H_
#define ACCORD_CLIENTS_PORTAL_OIDC_CLIENT_H_

// The portal as an OpenID Connect relying party: the provider's discovery
// document and keys, the authorization request (code flow with PKCE S256,
// state and nonce), the code redeemed at the token endpoint, the ID token
// checked, and RP-initiated logout. Thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/crypto/jwks.h"

namespace accord::portal {

struct OidcSettings {
  std::string issuer;   // exact `iss`, https://
  std::string ca_file;  // the provider's CA; empty: system roots
  std::string client_id;
  std::string client_secret;  // empty: a public client (PKCE only)
  std::string redirect_uri;
  std::string scope = "openid";
  int64_t clock_skew_seconds = 60;
};

// What the portal keeps of a verified ID token.
struct IdToken {
  std::string compact;  // the JWT, forwarded to the broker
  std::string subject;  // `sub`
  int64_t expires_at = 0;
};

class OidcClient {
 public:
  // Fetches /.well-known/openid-configuration under the issuer, checks its
  // `issuer` is the configured one exactly and that it names https
  // authorization, token and JWKS endpoints, and fetches the JWKS. Errors:
  // the fetch's, or FAILED_PRECONDITION naming the field at fault.
  static absl::StatusOr<std::unique_ptr<OidcClient>> Discover(
      OidcSettings settings);

  // The URL to send the browser to, for `state`, `nonce` and the PKCE
  // `code_verifier` (its S256 challenge is sent).
  std::string AuthorizationUrl(const std::string& state,
                               const std::string& nonce,
                               const std::string& code_verifier) const;

  // Redeems `code` with `code_verifier` and checks the ID token returned:
  // signature by a key of the provider's JWKS (fetched again once for an
  // unknown kid), ES256/EdDSA/RS256 only, `iss`, `aud` (holding the client
  // id; `azp`, when present, the client id), `exp`, and `nonce`. Errors:
  // UNAUTHENTICATED naming the check that failed, or the fetch's.
  absl::StatusOr<IdToken> Redeem(const std::string& code,
                                 const std::string& code_verifier,
                                 const std::string& nonce, int64_t now);

  // The provider's end_session_endpoint with id_token_hint, client_id and
  // post_logout_redirect_uri; empty when the provider has none.
  std::string LogoutUrl(const std::string& id_token_hint,
                        const std::string& post_logout_redirect_uri) const;

  // The provider's origin (scheme://host:port), for the page's CSP.
  std::string ProviderOrigin() const;

  // A fresh random PKCE verifier, state or nonce (32 bytes, base64url).
  static std::string RandomToken();
  // base64url(SHA-256(verifier)).
  static std::string S256(const std::string& verifier);

 private:
  struct Endpoints {
    std::string authorization;
    std::string token;
    std::string jwks;
    std::string end_session;  // may be empty
  };
  OidcClient(OidcSettings settings, Endpoints endpoints, crypto::Jwks keys)
      : settings_(std::move(settings)),
        endpoints_(std::move(endpoints)),
        keys_(std::move(keys)) {}

  absl::StatusOr<IdToken> Check(const std::string& id_token,
                                const std::string& nonce, int64_t now);

  const OidcSettings settings_;
  const Endpoints endpoints_;
  absl::Mutex mu_;
  crypto::Jwks keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_OIDC_CLIENT_H_
