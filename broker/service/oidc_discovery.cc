#include "broker/service/oidc_discovery.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"
#include "broker/jwks/jwks_url.h"

namespace accord::service {

absl::Status CheckIssuerUrl(absl::string_view issuer) {
  if (!absl::StartsWith(issuer, "https://")) {
    return absl::InvalidArgumentError(
        "an issuer discovered by URL must be an https:// URL");
  }
  if (absl::StrContains(issuer, "?") || absl::StrContains(issuer, "#")) {
    return absl::InvalidArgumentError("an issuer URL has no query or fragment");
  }
  absl::StatusOr<jwks::JwksUrl> url =
      jwks::ParseJwksUrl(issuer, /*allow_loopback_http=*/false);
  if (!url.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a usable https URL (", url.status().message(), ")"));
  }
  return absl::OkStatus();
}

std::string DiscoveryUrl(absl::string_view issuer) {
  if (absl::EndsWith(issuer, "/")) issuer.remove_suffix(1);
  return absl::StrCat(issuer, "/.well-known/openid-configuration");
}

absl::StatusOr<std::string> JwksUriOf(absl::string_view document,
                                      absl::string_view issuer) {
  absl::StatusOr<formats::JsonValue> json = formats::ParseJson(document);
  if (!json.ok() || json->Find("issuer") == nullptr) {
    return absl::FailedPreconditionError(
        "openid configuration: not a JSON object with an issuer");
  }
  absl::StatusOr<std::string> said = json->GetString("issuer");
  if (!said.ok() || *said != issuer) {
    return absl::FailedPreconditionError(absl::StrCat(
        "openid configuration: issuer ",
        said.ok() ? absl::StrCat("'", *said, "'") : "(not a string)",
        " is not the configured issuer '", issuer, "'"));
  }
  absl::StatusOr<std::string> jwks_uri = json->GetString("jwks_uri");
  if (!jwks_uri.ok()) {
    return absl::FailedPreconditionError(
        "openid configuration: no jwks_uri string");
  }
  if (!absl::StartsWith(*jwks_uri, "https://")) {
    return absl::FailedPreconditionError(
        absl::StrCat("openid configuration: jwks_uri '", *jwks_uri,
                     "' is not an https URL"));
  }
  if (absl::StatusOr<jwks::JwksUrl> url =
          jwks::ParseJwksUrl(*jwks_uri, /*allow_loopback_http=*/false);
      !url.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "openid configuration: jwks_uri: ", url.status().message()));
  }
  return *std::move(jwks_uri);
}

absl::Duration KeysMaxAge(std::optional<absl::Duration> max_age) {
  if (!max_age.has_value()) return kDefaultKeysMaxAge;
  return std::clamp(*max_age, kMinKeysMaxAge, kMaxKeysMaxAge);
}

jwks::JwksLoader DiscoveryLoader(std::string issuer, std::string ca_file) {
  jwks::JwksSource::Options options;
  options.ca_file = std::move(ca_file);
  options.use_system_roots = options.ca_file.empty();
  options.fetch_timeout = kDiscoveryFetchTimeout;
  return [issuer = std::move(issuer),
          options]() -> absl::StatusOr<jwks::JwksDocument> {
    absl::StatusOr<jwks::JwksDocument> discovery = jwks::FetchDocument(
        "openid configuration", DiscoveryUrl(issuer), options);
    if (!discovery.ok()) return discovery.status();
    absl::StatusOr<std::string> jwks_uri = JwksUriOf(discovery->json, issuer);
    if (!jwks_uri.ok()) return jwks_uri.status();
    absl::StatusOr<jwks::JwksDocument> jwks =
        jwks::FetchJwksUrl(*jwks_uri, options);
    if (!jwks.ok()) return jwks.status();
    jwks->max_age = KeysMaxAge(jwks->max_age);
    return jwks;
  };
}

}  // namespace accord::service
