#ifndef ACCORD_BROKER_SERVICE_CITIZEN_TOKENS_H_
#define ACCORD_BROKER_SERVICE_CITIZEN_TOKENS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/crypto/jwks.h"
#include "broker/service/config.h"

namespace accord::service {

// Verifies citizens' bearer tokens from the configured OIDC issuers and
// derives their pseudonyms. The issuers are immutable after Load, so a token
// whose signature verified once is remembered (up to kMaxRememberedTokens)
// and only its claims are checked again at its next use. Thread-safe.
class CitizenTokens {
 public:
  // Reads each issuer's JWKS file. `pseudonym_secret` must hold at least 32
  // bytes. Errors: INVALID_ARGUMENT / NOT_FOUND naming the file at fault.
  static absl::StatusOr<CitizenTokens> Load(
      const std::vector<CitizenIssuer>& issuers, std::string pseudonym_secret,
      int64_t clock_skew_seconds);

  // Verifies `token` (a compact JWT, without "Bearer ") presented by the
  // app principal `app_principal` at time `now`: at most 6 KiB, signature
  // by a key of a configured issuer, algorithm allow-list (ES256, EdDSA,
  // RS256 with keys of 2048 bits or more; never "none" or HS*), header `typ`
  // absent or one of kAcceptedTypes (so grants, receipts, logout or DPoP
  // tokens are refused), `exp` (required) and `nbf` with the skew, `iss`
  // equal to that issuer, `aud` holding its audience, and the token's client
  // id — `azp`, or `aud` when it is a single string and there is no `azp` —
  // mapped by the issuer's app_principals to `app_principal` (a token minted
  // for one app is refused through another). Returns the subject
  // pseudonym: base64url(HMAC-SHA-256(secret, iss || 0x00 || sub)). Any
  // failure is UNAUTHENTICATED with the check that failed; the token's
  // content is never echoed.
  absl::StatusOr<std::string> Pseudonym(absl::string_view token,
                                        absl::string_view app_principal,
                                        int64_t now) const;

  // Header `typ` values accepted (ASCII case-insensitive): plain JWTs (ID
  // tokens carry "JWT" or nothing) and RFC 9068 access tokens.
  static constexpr absl::string_view kAcceptedTypes[] = {"JWT", "at+jwt",
                                                         "application/at+jwt"};

  static constexpr size_t kMaxRememberedTokens = 4096;

  // How many verified tokens are remembered now.
  size_t remembered() const;

  // The pseudonym for a known (issuer, sub) pair, for tools and tests.
  std::string PseudonymFor(absl::string_view issuer,
                           absl::string_view sub) const;

 private:
  struct Issuer {
    CitizenIssuer config;
    crypto::Jwks keys;
  };
  class Verified;  // citizen_tokens.cc
  CitizenTokens(std::vector<Issuer> issuers, std::string secret, int64_t skew);

  // The claims checks of `payload` for `issuer`, presented by
  // `app_principal`, at `now`, then its pseudonym.
  absl::StatusOr<std::string> Admit(const Issuer& issuer,
                                    const crypto::JsonValue& payload,
                                    absl::string_view app_principal,
                                    int64_t now) const;

  std::vector<Issuer> issuers_;
  std::string secret_;
  int64_t skew_;
  std::shared_ptr<Verified> verified_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CITIZEN_TOKENS_H_
