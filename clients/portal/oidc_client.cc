#include "clients/portal/oidc_client.h"

#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/jwt_claims.h"
#include "broker/crypto/random.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"
#include "clients/portal/https_client.h"

namespace accord::portal {
namespace {

absl::StatusOr<formats::JsonValue> GetJson(const std::string& url,
                                           const std::string& ca_file) {
  absl::StatusOr<HttpsReply> reply = HttpsGet(url, ca_file);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return absl::UnavailableError(
        absl::StrCat(url, ": HTTP status ", reply->status));
  }
  absl::StatusOr<formats::JsonValue> json = formats::ParseJson(reply->body);
  if (!json.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(url, ": ", json.status().message()));
  }
  return json;
}

absl::StatusOr<crypto::Jwks> FetchKeys(const std::string& url,
                                       const std::string& ca_file) {
  absl::StatusOr<HttpsReply> reply = HttpsGet(url, ca_file);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return absl::UnavailableError(
        absl::StrCat(url, ": HTTP status ", reply->status));
  }
  absl::StatusOr<crypto::Jwks> keys = crypto::Jwks::Parse(reply->body);
  if (!keys.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(url, ": ", keys.status().message()));
  }
  return keys;
}

std::string Origin(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return "";
  const size_t slash = url.find('/', scheme + 3);
  return std::string(url.substr(0, slash));
}

}  // namespace

std::string OidcClient::RandomToken() {
  return formats::Base64UrlEncode(crypto::RandomBytes(32));
}

std::string OidcClient::S256(const std::string& verifier) {
  return formats::Base64UrlEncode(crypto::AsBytes(crypto::Sha256(verifier)));
}

absl::StatusOr<std::unique_ptr<OidcClient>> OidcClient::Discover(
    OidcSettings settings) {
  const std::string url =
      absl::StrCat(settings.issuer, "/.well-known/openid-configuration");
  absl::StatusOr<formats::JsonValue> doc = GetJson(url, settings.ca_file);
  if (!doc.ok()) return doc.status();
  absl::StatusOr<std::string> issuer = doc->GetString("issuer");
  if (!issuer.ok() || *issuer != settings.issuer) {
    return absl::FailedPreconditionError(
        absl::StrCat(url, ": issuer is not '", settings.issuer, "' exactly"));
  }
  Endpoints endpoints;
  for (auto [name, field] :
       {std::pair<const char*, std::string*>{"authorization_endpoint",
                                             &endpoints.authorization},
        {"token_endpoint", &endpoints.token},
        {"jwks_uri", &endpoints.jwks},
        {"end_session_endpoint", &endpoints.end_session}}) {
    absl::StatusOr<std::string> value = doc->GetString(name);
    if (!value.ok() && std::string(name) == "end_session_endpoint") continue;
    if (!value.ok() || !absl::StartsWith(*value, "https://")) {
      return absl::FailedPreconditionError(
          absl::StrCat(url, ": ", name, " is not an https:// URL"));
    }
    *field = *std::move(value);
  }
  absl::StatusOr<crypto::Jwks> keys =
      FetchKeys(endpoints.jwks, settings.ca_file);
  if (!keys.ok()) return keys.status();
  return std::unique_ptr<OidcClient>(new OidcClient(
      std::move(settings), std::move(endpoints), *std::move(keys)));
}

std::string OidcClient::AuthorizationUrl(
    const std::string& state, const std::string& nonce,
    const std::string& code_verifier) const {
  return absl::StrCat(
      endpoints_.authorization,
      absl::StrContains(endpoints_.authorization, '?') ? "&" : "?",
      "response_type=code&client_id=", UrlEncode(settings_.client_id),
      "&redirect_uri=", UrlEncode(settings_.redirect_uri),
      "&scope=", UrlEncode(settings_.scope), "&state=", UrlEncode(state),
      "&nonce=", UrlEncode(nonce),
      "&code_challenge=", UrlEncode(S256(code_verifier)),
      "&code_challenge_method=S256");
}

std::string OidcClient::LogoutUrl(
    const std::string& id_token_hint,
    const std::string& post_logout_redirect_uri) const {
  if (endpoints_.end_session.empty()) return "";
  return absl::StrCat(
      endpoints_.end_session,
      absl::StrContains(endpoints_.end_session, '?') ? "&" : "?",
      "id_token_hint=", UrlEncode(id_token_hint),
      "&client_id=", UrlEncode(settings_.client_id),
      "&post_logout_redirect_uri=", UrlEncode(post_logout_redirect_uri));
}

std::string OidcClient::ProviderOrigin() const {
  return Origin(endpoints_.authorization);
}

absl::StatusOr<IdToken> OidcClient::Redeem(const std::string& code,
                                           const std::string& code_verifier,
                                           const std::string& nonce,
                                           int64_t now) {
  std::map<std::string, std::string> form = {
      {"grant_type", "authorization_code"},
      {"code", code},
      {"redirect_uri", settings_.redirect_uri},
      {"code_verifier", code_verifier}};
  if (settings_.client_secret.empty()) form["client_id"] = settings_.client_id;
  absl::StatusOr<HttpsReply> reply =
      HttpsPostForm(endpoints_.token, settings_.ca_file, form,
                    settings_.client_secret.empty() ? "" : settings_.client_id,
                    settings_.client_secret);
  if (!reply.ok()) return reply.status();
  absl::StatusOr<formats::JsonValue> json = formats::ParseJson(reply->body);
  if (reply->status != 200 || !json.ok()) {
    std::string error = "?";
    if (json.ok()) error = json->GetString("error").value_or("?");
    return absl::UnauthenticatedError(absl::StrCat(
        "token endpoint: HTTP status ", reply->status, ", error ", error));
  }
  absl::StatusOr<std::string> id_token = json->GetString("id_token");
  if (!id_token.ok()) {
    return absl::UnauthenticatedError("token endpoint: no id_token");
  }
  return Check(*id_token, nonce, now);
}

absl::StatusOr<IdToken> OidcClient::Check(const std::string& id_token,
                                          const std::string& nonce,
                                          int64_t now) {
  crypto::JwsPolicy policy;
  policy.allowed_algorithms = {crypto::Algorithm::kES256,
                               crypto::Algorithm::kEdDSA,
                               crypto::Algorithm::kRS256};
  absl::StatusOr<crypto::VerifiedJws> verified;
  {
    absl::MutexLock lock(&mu_);
    verified = crypto::VerifyJws(id_token, keys_, policy);
  }
  if (!verified.ok() && crypto::IsUnknownKidError(verified.status())) {
    // The provider may have rotated its keys since discovery: once more.
    absl::StatusOr<crypto::Jwks> fresh =
        FetchKeys(endpoints_.jwks, settings_.ca_file);
    if (!fresh.ok()) return fresh.status();
    absl::MutexLock lock(&mu_);
    keys_ = *std::move(fresh);
    verified = crypto::VerifyJws(id_token, keys_, policy);
  }
  if (!verified.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("id token: ", verified.status().message()));
  }
  crypto::ClaimExpectations expected;
  expected.now = now;
  expected.skew_seconds = settings_.clock_skew_seconds;
  expected.issuer = settings_.issuer;
  expected.audience = settings_.client_id;
  if (absl::Status s = crypto::CheckClaims(verified->payload, expected);
      !s.ok()) {
    return absl::UnauthenticatedError(absl::StrCat("id token: ", s.message()));
  }
  if (const formats::JsonValue* azp = verified->payload.Find("azp")) {
    if (azp->AsString() == nullptr || *azp->AsString() != settings_.client_id) {
      return absl::UnauthenticatedError("id token: azp is another client");
    }
  }
  absl::StatusOr<std::string> got_nonce = verified->payload.GetString("nonce");
  if (!got_nonce.ok() || *got_nonce != nonce) {
    return absl::UnauthenticatedError("id token: nonce does not match");
  }
  absl::StatusOr<std::string> sub = verified->payload.GetString("sub");
  absl::StatusOr<int64_t> exp = verified->payload.GetInt64("exp");
  if (!sub.ok() || sub->empty() || !exp.ok()) {
    return absl::UnauthenticatedError("id token: no sub or exp");
  }
  return IdToken{id_token, *std::move(sub), *exp};
}

}  // namespace accord::portal
