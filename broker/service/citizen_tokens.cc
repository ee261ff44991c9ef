#include "broker/service/citizen_tokens.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "broker/crypto/base64url.h"
#include "broker/crypto/hmac.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/jwt_claims.h"
#include "broker/crypto/sha256.h"
#include "broker/service/limits.h"

namespace accord::service {
namespace {

crypto::JwsPolicy TokenPolicy() {
  crypto::JwsPolicy policy;
  policy.allowed_algorithms = {crypto::Algorithm::kES256,
                               crypto::Algorithm::kEdDSA,
                               crypto::Algorithm::kRS256};
  policy.max_bytes = kMaxCitizenTokenBytes;
  return policy;
}

}  // namespace

absl::StatusOr<CitizenTokens> CitizenTokens::Load(
    const std::vector<CitizenIssuer>& issuers, std::string pseudonym_secret,
    int64_t clock_skew_seconds) {
  if (pseudonym_secret.size() < 32) {
    return absl::FailedPreconditionError(
        "the pseudonym secret must hold at least 32 bytes");
  }
  std::vector<Issuer> loaded;
  for (const CitizenIssuer& config : issuers) {
    std::ifstream in(config.jwks_file, std::ios::binary);
    if (!in) {
      return absl::FailedPreconditionError(absl::StrCat(
          "citizen issuer ", config.issuer, ": cannot read ", config.jwks_file));
    }
    std::stringstream text;
    text << in.rdbuf();
    auto jwks = crypto::Jwks::Parse(text.str());
    if (!jwks.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("citizen issuer ", config.issuer, ": ", config.jwks_file,
                       ": ", jwks.status().message()));
    }
    loaded.push_back(Issuer{config, *std::move(jwks)});
  }
  return CitizenTokens(std::move(loaded), std::move(pseudonym_secret),
                       clock_skew_seconds);
}

std::string CitizenTokens::PseudonymFor(absl::string_view issuer,
                                        absl::string_view sub) const {
  const std::string input = absl::StrCat(issuer, absl::string_view("\0", 1), sub);
  return crypto::Base64UrlEncode(
      crypto::AsBytes(crypto::HmacSha256(secret_, input)));
}

absl::StatusOr<std::string> CitizenTokens::Pseudonym(absl::string_view token,
                                                     int64_t now) const {
  absl::Status last = absl::UnauthenticatedError("no citizen issuer is configured");
  static const crypto::JwsPolicy* const kPolicy =
      new crypto::JwsPolicy(TokenPolicy());
  for (const Issuer& issuer : issuers_) {
    auto verified = crypto::VerifyJws(token, issuer.keys, *kPolicy);
    if (!verified.ok()) {
      last = verified.status();
      continue;
    }
    crypto::ClaimExpectations expect;
    expect.now = now;
    expect.skew_seconds = skew_;
    expect.issuer = issuer.config.issuer;
    expect.audience = issuer.config.audience;
    if (absl::Status s = crypto::CheckClaims(verified->payload, expect);
        !s.ok()) {
      return absl::UnauthenticatedError(
          absl::StrCat("citizen token: ", s.message()));
    }
    auto sub = verified->payload.GetString("sub");
    if (!sub.ok() || sub->empty() || sub->size() > 255 ||
        sub->find('\0') != std::string::npos) {
      return absl::UnauthenticatedError("citizen token: bad or missing sub");
    }
    return PseudonymFor(issuer.config.issuer, *sub);
  }
  return absl::UnauthenticatedError(
      absl::StrCat("citizen token: ", last.message()));
}

}  // namespace accord::service
