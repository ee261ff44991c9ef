#ifndef ACCORD_BROKER_SERVICE_OIDC_DISCOVERY_H_
#define ACCORD_BROKER_SERVICE_OIDC_DISCOVERY_H_

// OpenID Connect Discovery of a citizen issuer configured by its URL alone:
// the broker asks the provider where its keys are
// (`<issuer>/.well-known/openid-configuration`, then its `jwks_uri`), both
// over HTTPS, and holds the answer to the configuration.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/jwks/jwks_source.h"

namespace accord::service {

// How long a discovered key set is used before it is fetched again: the
// JWKS response's Cache-Control max-age, clamped to
// [kMinKeysMaxAge, kMaxKeysMaxAge]; kDefaultKeysMaxAge without one.
inline constexpr absl::Duration kMinKeysMaxAge = absl::Seconds(30);
inline constexpr absl::Duration kMaxKeysMaxAge = absl::Hours(24);
inline constexpr absl::Duration kDefaultKeysMaxAge = absl::Minutes(5);

// Bound on connecting, and on each read, of one discovery or JWKS fetch.
inline constexpr absl::Duration kDiscoveryFetchTimeout = absl::Seconds(5);

// `issuer` is usable as a discovery base: an https URL with a host, no
// user info, query or fragment. Returns OK or INVALID_ARGUMENT saying why.
absl::Status CheckIssuerUrl(absl::string_view issuer);

// "<issuer>/.well-known/openid-configuration" (a trailing '/' of the
// issuer is not doubled, as OpenID Connect Discovery 1.0 section 4 says).
std::string DiscoveryUrl(absl::string_view issuer);

// Reads a discovery document (JSON text). Its `issuer` must equal
// `issuer` exactly (section 4.3: no normalisation, a trailing '/' counts)
// and its `jwks_uri` must be an https URL. Returns the jwks_uri, or
// FAILED_PRECONDITION naming the field at fault (never echoing more than
// the URLs).
absl::StatusOr<std::string> JwksUriOf(absl::string_view document,
                                      absl::string_view issuer);

// The cache lifetime of a key set whose response said `max_age`.
absl::Duration KeysMaxAge(std::optional<absl::Duration> max_age);

// A loader for jwks::JwksSource that fetches the discovery document of
// `issuer`, checks it (JwksUriOf), then fetches the JWKS at its jwks_uri,
// with the clamped max-age of the JWKS response. Both fetches trust only
// the CA certificates of `ca_file` when it is set, else the system's
// store; no redirects are followed. Blocks on the network: call it from a
// thread that may wait. Its errors are FetchDocument's and JwksUriOf's,
// prefixed with what was being fetched.
jwks::JwksLoader DiscoveryLoader(std::string issuer, std::string ca_file);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_OIDC_DISCOVERY_H_
