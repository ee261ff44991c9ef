#include "broker/service/citizen_tokens.h"

#include <fstream>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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

// The header `typ`, when present, must say the token is a plain JWT or an
// access token.
absl::Status CheckType(const crypto::JsonValue& header) {
  const crypto::JsonValue* typ = header.Find("typ");
  if (typ == nullptr) return absl::OkStatus();
  auto value = header.GetString("typ");
  if (value.ok()) {
    for (absl::string_view accepted : CitizenTokens::kAcceptedTypes) {
      if (absl::EqualsIgnoreCase(*value, accepted)) return absl::OkStatus();
    }
  }
  return absl::UnauthenticatedError(
      "citizen token: typ is not a JWT or access token type");
}

// The client the token was minted for (`azp`, else a single-string `aud`)
// must be one the issuer's config binds to the presenting app principal.
absl::Status CheckClient(const CitizenIssuer& issuer,
                         const crypto::JsonValue& payload,
                         absl::string_view app_principal) {
  std::string client;
  if (payload.Find("azp") != nullptr) {
    auto azp = payload.GetString("azp");
    if (!azp.ok()) {
      return absl::UnauthenticatedError("citizen token: azp is not a string");
    }
    client = *std::move(azp);
  } else {
    auto aud = payload.GetString("aud");
    if (!aud.ok()) {
      return absl::UnauthenticatedError(
          "citizen token: azp is required when aud is not a single string");
    }
    client = *std::move(aud);
  }
  auto apps = issuer.app_principals.find(client);
  if (apps != issuer.app_principals.end()) {
    for (const std::string& app : apps->second) {
      if (app == app_principal) return absl::OkStatus();
    }
  }
  return absl::UnauthenticatedError(
      "citizen token: azp: minted for a client not bound to this app");
}

}  // namespace

// Tokens whose signature verified, with the issuer that signed them.
class CitizenTokens::Verified {
 public:
  struct Token {
    size_t issuer;  // index in issuers_
    crypto::JsonValue payload;
  };

  std::shared_ptr<const Token> Find(absl::string_view token) const {
    absl::MutexLock l(&mu_);
    auto it = tokens_.find(token);
    return it == tokens_.end() ? nullptr : it->second;
  }

  size_t size() const {
    absl::MutexLock l(&mu_);
    return tokens_.size();
  }

  void Remember(absl::string_view token, std::shared_ptr<const Token> t) {
    absl::MutexLock l(&mu_);
    if (tokens_.size() >= kMaxRememberedTokens) tokens_.clear();
    tokens_.emplace(token, std::move(t));
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Token>> tokens_
      ABSL_GUARDED_BY(mu_);
};

CitizenTokens::CitizenTokens(std::vector<Issuer> issuers, std::string secret,
                             int64_t skew)
    : issuers_(std::move(issuers)),
      secret_(std::move(secret)),
      skew_(skew),
      verified_(std::make_shared<Verified>()) {}

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

size_t CitizenTokens::remembered() const { return verified_->size(); }

absl::StatusOr<std::string> CitizenTokens::Admit(
    const Issuer& issuer, const crypto::JsonValue& payload,
    absl::string_view app_principal, int64_t now) const {
  crypto::ClaimExpectations expect;
  expect.now = now;
  expect.skew_seconds = skew_;
  expect.issuer = issuer.config.issuer;
  expect.audience = issuer.config.audience;
  if (absl::Status s = crypto::CheckClaims(payload, expect); !s.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("citizen token: ", s.message()));
  }
  if (absl::Status s = CheckClient(issuer.config, payload, app_principal);
      !s.ok()) {
    return s;
  }
  auto sub = payload.GetString("sub");
  if (!sub.ok() || sub->empty() || sub->size() > 255 ||
      sub->find('\0') != std::string::npos) {
    return absl::UnauthenticatedError("citizen token: bad or missing sub");
  }
  return PseudonymFor(issuer.config.issuer, *sub);
}

absl::StatusOr<std::string> CitizenTokens::Pseudonym(
    absl::string_view token, absl::string_view app_principal,
    int64_t now) const {
  if (auto known = verified_->Find(token)) {
    return Admit(issuers_[known->issuer], known->payload, app_principal, now);
  }
  absl::Status last = absl::UnauthenticatedError("no citizen issuer is configured");
  static const crypto::JwsPolicy* const kPolicy =
      new crypto::JwsPolicy(TokenPolicy());
  for (size_t i = 0; i < issuers_.size(); ++i) {
    const Issuer& issuer = issuers_[i];
    auto verified = crypto::VerifyJws(token, issuer.keys, *kPolicy);
    if (!verified.ok()) {
      last = verified.status();
      continue;
    }
    // Checked before the token is remembered: later uses skip the header.
    if (absl::Status s = CheckType(verified->header); !s.ok()) return s;
    auto pseudonym = Admit(issuer, verified->payload, app_principal, now);
    if (pseudonym.ok()) {
      verified_->Remember(token, std::make_shared<const Verified::Token>(
                                     Verified::Token{i,
                                                     std::move(verified->payload)}));
    }
    return pseudonym;
  }
  return absl::UnauthenticatedError(
      absl::StrCat("citizen token: ", last.message()));
}

}  // namespace accord::service
