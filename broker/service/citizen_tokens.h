#ifndef ACCORD_BROKER_SERVICE_CITIZEN_TOKENS_H_
#define ACCORD_BROKER_SERVICE_CITIZEN_TOKENS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/formats/json.h"
#include "broker/service/citizen_key_refresher.h"
#include "broker/service/citizen_keys.h"
#include "broker/service/config.h"

namespace accord::service {

// Verifies citizens' bearer tokens from the configured OIDC issuers and
// derives their pseudonyms. An issuer's keys come from its jwks_file, or are
// discovered from its URL and kept fresh on a background thread
// (citizen_keys.h, citizen_key_refresher.h): verifying a token never waits
// for the network. A token whose signature verified is remembered (up to
// kMaxRememberedTokens) with the key set that verified it: at its next use
// only its claims are checked again, unless its issuer's keys changed since,
// and then it is verified again (a withdrawn key stops working). Thread-safe.
class CitizenTokens {
 public:
  // Opens each issuer's keys (reads its JWKS file; for an issuer by URL
  // nothing is fetched here) and, when any issuer is by URL, starts the
  // thread that fetches them. `pseudonym_secret` must hold at least 32
  // bytes. Errors: FAILED_PRECONDITION naming the file at fault,
  // INVALID_ARGUMENT naming an issuer URL that cannot be discovered.
  static absl::StatusOr<std::unique_ptr<CitizenTokens>> Load(
      const std::vector<CitizenIssuer>& issuers, std::string pseudonym_secret,
      int64_t clock_skew_seconds);
  // Over keys already opened, one per issuer in the same order, without a
  // refresher thread: the caller drives CitizenKeys::Refresh (tests).
  static absl::StatusOr<std::unique_ptr<CitizenTokens>> FromKeys(
      const std::vector<CitizenIssuer>& issuers,
      std::vector<std::unique_ptr<CitizenKeys>> keys,
      std::string pseudonym_secret, int64_t clock_skew_seconds);

  ~CitizenTokens();  // stops the refresher thread
  CitizenTokens(const CitizenTokens&) = delete;
  CitizenTokens& operator=(const CitizenTokens&) = delete;

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
  // failure is UNAUTHENTICATED with the check that failed, except for a
  // token whose `iss` names an issuer discovered by URL and whose `kid`
  // that issuer's current keys lack:
  //  - UNAVAILABLE, asking the client to retry in a few seconds, when the
  //    issuer's keys are not loaded yet or the kid is new to the broker: a
  //    refresh of the issuer's keys is requested (at most one fetch every
  //    CitizenKeys::kRefreshFloor), and a retry after it succeeds when the
  //    provider publishes the key;
  //  - UNAUTHENTICATED when the provider published that kid earlier and
  //    has withdrawn it ("no longer publishes"), or when a load of its keys
  //    begun after the kid was first seen does not hold it ("does not
  //    publish"): a made-up kid is asked to retry once, then refused.
  // The token's content is never echoed.
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
    std::unique_ptr<CitizenKeys> keys;
  };
  class Verified;  // citizen_tokens.cc
  CitizenTokens(std::vector<Issuer> issuers, std::string secret, int64_t skew);

  // The claims checks of `payload` for `issuer`, presented by
  // `app_principal`, at `now`, then its pseudonym.
  absl::StatusOr<std::string> Admit(const Issuer& issuer,
                                    const formats::JsonValue& payload,
                                    absl::string_view app_principal,
                                    int64_t now) const;
  // For a token that named a kid `issuer` (discovered by URL) lacks: the
  // UNAVAILABLE (a refresh asked for) or UNAUTHENTICATED of Pseudonym.
  absl::Status UnknownKid(const Issuer& issuer, absl::string_view kid) const;

  std::vector<Issuer> issuers_;
  std::string secret_;
  int64_t skew_;
  std::unique_ptr<Verified> verified_;
  // Fetches the keys of issuers by URL; null when there are none.
  std::unique_ptr<CitizenKeyRefresher> refresher_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CITIZEN_TOKENS_H_
