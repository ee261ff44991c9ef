#include "broker/service/citizen_tokens.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "broker/crypto/hmac.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/jwt_claims.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/base64url.h"
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
absl::Status CheckType(const formats::JsonValue& header) {
  const formats::JsonValue* typ = header.Find("typ");
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
                         const formats::JsonValue& payload,
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

// The string `name` of the JSON object in base64url `part` of a token whose
// signature has not been verified (only to route it to an issuer); empty
// when there is none.
std::string UnverifiedString(absl::string_view part, absl::string_view name) {
  absl::StatusOr<std::string> json = formats::Base64UrlDecode(part);
  if (!json.ok()) return "";
  absl::StatusOr<formats::JsonValue> value = formats::ParseJson(*json);
  if (!value.ok()) return "";
  return value->GetString(name).value_or("");
}

}  // namespace

// Tokens whose signature verified, with the issuer that signed them.
class CitizenTokens::Verified {
 public:
  struct Token {
    size_t issuer;  // index in issuers_
    // The issuer's key set that verified it: when the issuer's current set
    // is another, the token is verified again.
    std::shared_ptr<const crypto::Jwks> keys;
    formats::JsonValue payload;
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
    tokens_.insert_or_assign(std::string(token), std::move(t));
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
      verified_(std::make_unique<Verified>()) {}

CitizenTokens::~CitizenTokens() {
  if (refresher_ != nullptr) refresher_->Stop();
}

absl::StatusOr<std::unique_ptr<CitizenTokens>> CitizenTokens::FromKeys(
    const std::vector<CitizenIssuer>& issuers,
    std::vector<std::unique_ptr<CitizenKeys>> keys,
    std::string pseudonym_secret, int64_t clock_skew_seconds) {
  if (pseudonym_secret.size() < 32) {
    return absl::FailedPreconditionError(
        "the pseudonym secret must hold at least 32 bytes");
  }
  if (keys.size() != issuers.size()) {
    return absl::InvalidArgumentError("one key set per citizen issuer");
  }
  std::vector<Issuer> loaded;
  for (size_t i = 0; i < issuers.size(); ++i) {
    if (keys[i] == nullptr) {
      return absl::InvalidArgumentError("one key set per citizen issuer");
    }
    loaded.push_back(Issuer{issuers[i], std::move(keys[i])});
  }
  return std::unique_ptr<CitizenTokens>(new CitizenTokens(
      std::move(loaded), std::move(pseudonym_secret), clock_skew_seconds));
}

absl::StatusOr<std::unique_ptr<CitizenTokens>> CitizenTokens::Load(
    const std::vector<CitizenIssuer>& issuers, std::string pseudonym_secret,
    int64_t clock_skew_seconds) {
  std::vector<std::unique_ptr<CitizenKeys>> keys;
  for (const CitizenIssuer& config : issuers) {
    auto opened = CitizenKeys::Open(config);
    if (!opened.ok()) return opened.status();
    keys.push_back(*std::move(opened));
  }
  auto tokens = FromKeys(issuers, std::move(keys), std::move(pseudonym_secret),
                         clock_skew_seconds);
  if (!tokens.ok()) return tokens.status();
  std::vector<CitizenKeys*> discovered;
  for (const Issuer& issuer : (*tokens)->issuers_) {
    if (issuer.keys->discovered()) discovered.push_back(issuer.keys.get());
  }
  if (!discovered.empty()) {
    (*tokens)->refresher_ =
        std::make_unique<CitizenKeyRefresher>(std::move(discovered));
    (*tokens)->refresher_->Start();
  }
  return tokens;
}

std::string CitizenTokens::PseudonymFor(absl::string_view issuer,
                                        absl::string_view sub) const {
  const std::string input =
      absl::StrCat(issuer, absl::string_view("\0", 1), sub);
  return formats::Base64UrlEncode(
      crypto::AsBytes(crypto::HmacSha256(secret_, input)));
}

size_t CitizenTokens::remembered() const { return verified_->size(); }

absl::StatusOr<std::string> CitizenTokens::Admit(
    const Issuer& issuer, const formats::JsonValue& payload,
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

absl::Status CitizenTokens::UnknownKid(const Issuer& issuer,
                                       absl::string_view kid) const {
  switch (issuer.keys->Lookup(kid)) {
    case CitizenKeys::Missing::kWithdrawn:
      return absl::UnauthenticatedError(
          "citizen token: kid: its issuer no longer publishes this key");
    case CitizenKeys::Missing::kNotPublished:
      return absl::UnauthenticatedError(
          "citizen token: kid: its issuer does not publish this key");
    case CitizenKeys::Missing::kPending:
      break;
  }
  if (refresher_ != nullptr) refresher_->Wake();
  if (!issuer.keys->loaded()) {
    return absl::UnavailableError(
        absl::StrCat("citizen token: the keys of issuer ", issuer.config.issuer,
                     " are not loaded yet; retry in a few seconds"));
  }
  return absl::UnavailableError(absl::StrCat(
      "citizen token: kid: not among the keys of issuer ", issuer.config.issuer,
      " the broker holds; it is fetching them again: retry in a few seconds"));
}

absl::StatusOr<std::string> CitizenTokens::Pseudonym(
    absl::string_view token, absl::string_view app_principal,
    int64_t now) const {
  if (auto known = verified_->Find(token)) {
    const Issuer& issuer = issuers_[known->issuer];
    if (issuer.keys->Current() == known->keys) {
      return Admit(issuer, known->payload, app_principal, now);
    }
    // The issuer's keys changed since: verified again below.
  }
  absl::Status last =
      absl::UnauthenticatedError("no citizen issuer is configured");
  static const crypto::JwsPolicy* const kPolicy =
      new crypto::JwsPolicy(TokenPolicy());
  for (size_t i = 0; i < issuers_.size(); ++i) {
    const Issuer& issuer = issuers_[i];
    std::shared_ptr<const crypto::Jwks> keys = issuer.keys->Current();
    auto verified = crypto::VerifyJws(token, *keys, *kPolicy);
    if (!verified.ok()) {
      last = verified.status();
      if (issuer.keys->discovered() && crypto::IsUnknownKidError(last)) {
        // Routed by the claims it has not proven yet, only to decide
        // between "retry" and "refused": nothing is accepted unverified.
        std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
        if (parts.size() == 3 &&
            UnverifiedString(parts[1], "iss") == issuer.config.issuer) {
          return UnknownKid(issuer, UnverifiedString(parts[0], "kid"));
        }
      }
      continue;
    }
    // Checked before the token is remembered: later uses skip the header.
    if (absl::Status s = CheckType(verified->header); !s.ok()) return s;
    auto pseudonym = Admit(issuer, verified->payload, app_principal, now);
    if (pseudonym.ok()) {
      verified_->Remember(
          token, std::make_shared<const Verified::Token>(Verified::Token{
                     i, std::move(keys), std::move(verified->payload)}));
    }
    return pseudonym;
  }
  return absl::UnauthenticatedError(
      absl::StrCat("citizen token: ", last.message()));
}

}  // namespace accord::service
