#include "broker/service/citizen_tokens.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/signing_key.h"

namespace accord::service {
namespace {

constexpr char kIssuer[] = "https://id.example";
constexpr char kAudience[] = "accord";
constexpr int64_t kNow = 1'700'000'000;
// The app principal the issuer's client `accord` is bound to.
constexpr char kApp[] = "citizen-app";

// An issuer whose JWKS file holds one fresh ES256 key.
struct TestIssuer {
  TestIssuer() : key(*crypto::SigningKey::Generate(crypto::Algorithm::kES256)) {
    char path[] = "/tmp/accord-citizen-test-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    jwks_file = path;
    std::ofstream(jwks_file)
        << absl::StrCat(R"({"keys":[)", key.PublicJwk().Serialize(), "]}");
  }
  ~TestIssuer() { std::remove(jwks_file.c_str()); }

  std::string Token(const std::string& sub, int64_t exp) const {
    auto token = crypto::SignJws(
        key, "JWT",
        absl::StrCat(R"({"iss":")", kIssuer, R"(","aud":")", kAudience,
                     R"(","sub":")", sub, R"(","exp":)", exp, "}"));
    REQUIRE(token.ok());
    return *token;
  }

  crypto::SigningKey key;
  std::string jwks_file;
};

std::unique_ptr<CitizenTokens> Load(const TestIssuer& issuer) {
  auto tokens = CitizenTokens::Load(
      {{kIssuer, kAudience, issuer.jwks_file, {{kAudience, {kApp}}}, ""}},
      std::string(32, 's'), 60);
  REQUIRE(tokens.ok());
  return *std::move(tokens);
}

TEST_CASE("a token verified once is still checked for time at every use") {
  TestIssuer issuer;
  const std::unique_ptr<CitizenTokens> loaded = Load(issuer);
  const CitizenTokens& tokens = *loaded;
  const std::string token = issuer.Token("alice", kNow + 600);
  auto first = tokens.Pseudonym(token, kApp, kNow);
  REQUIRE(first.ok());
  CHECK(*first == tokens.PseudonymFor(kIssuer, "alice"));
  // Remembered: the same pseudonym, and expiry still applies (with skew).
  CHECK(tokens.remembered() == 1);
  CHECK(*tokens.Pseudonym(token, kApp, kNow + 650) == *first);
  auto expired = tokens.Pseudonym(token, kApp, kNow + 700);
  REQUIRE(absl::IsUnauthenticated(expired.status()));
  CHECK(expired.status().message().find("exp") != std::string::npos);
}

TEST_CASE("only tokens that verified are remembered") {
  TestIssuer issuer;
  const std::unique_ptr<CitizenTokens> loaded = Load(issuer);
  const CitizenTokens& tokens = *loaded;
  // Expired at first use: refused, and refused again later at a time when
  // it would not be expired, since nothing was remembered that skips the
  // signature.
  std::string token = issuer.Token("bob", kNow - 600);
  CHECK(absl::IsUnauthenticated(tokens.Pseudonym(token, kApp, kNow).status()));
  CHECK(tokens.remembered() == 0);
  CHECK(tokens.Pseudonym(token, kApp, kNow - 700).ok());
  // A token whose signature is altered is refused every time.
  std::string forged = issuer.Token("carol", kNow + 600);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CHECK(absl::IsUnauthenticated(tokens.Pseudonym(forged, kApp, kNow).status()));
  CHECK(absl::IsUnauthenticated(tokens.Pseudonym(forged, kApp, kNow).status()));
  CHECK(tokens.remembered() == 1);  // bob's, from its valid use only
  // Another issuer's key: refused.
  TestIssuer other;
  CHECK(absl::IsUnauthenticated(
      tokens.Pseudonym(other.Token("carol", kNow + 600), kApp, kNow).status()));
}

TEST_CASE("the remembered tokens are bounded") {
  TestIssuer issuer;
  const std::unique_ptr<CitizenTokens> loaded = Load(issuer);
  const CitizenTokens& tokens = *loaded;
  const std::string first = issuer.Token("s0", kNow + 600);
  REQUIRE(tokens.Pseudonym(first, kApp, kNow).ok());
  for (size_t i = 1; i <= CitizenTokens::kMaxRememberedTokens; ++i) {
    REQUIRE(tokens
                .Pseudonym(issuer.Token(absl::StrCat("s", i), kNow + 600), kApp,
                           kNow)
                .ok());
    REQUIRE(tokens.remembered() <= CitizenTokens::kMaxRememberedTokens);
  }
  // The bound was reached and the set started over.
  CHECK(tokens.remembered() < CitizenTokens::kMaxRememberedTokens);
  // Forgotten or not, the first token still gives the same answer.
  CHECK(*tokens.Pseudonym(first, kApp, kNow) ==
        tokens.PseudonymFor(kIssuer, "s0"));
}

// A token of `issuer` with the header `typ` and extra claims `extra` (JSON
// members, each followed by a comma), valid at kNow.
std::string TokenWith(const TestIssuer& issuer, absl::string_view typ,
                      absl::string_view extra, absl::string_view aud = "") {
  auto token = crypto::SignJws(
      issuer.key, typ,
      absl::StrCat(
          R"({"iss":")", kIssuer, R"(","aud":)",
          aud.empty() ? absl::StrCat("\"", kAudience, "\"") : std::string(aud),
          ",", extra, R"("sub":"dan","exp":)", kNow + 600, "}"));
  REQUIRE(token.ok());
  return *token;
}

TEST_CASE(
    "a citizen token is honoured only through the app it was minted for") {
  TestIssuer issuer;
  auto loaded = CitizenTokens::Load({{kIssuer,
                                      kAudience,
                                      issuer.jwks_file,
                                      {{"app-a-client", {"app-a"}},
                                       {"shared-client", {"app-a", "app-b"}},
                                       {kAudience, {kApp}}},
                                      ""}},
                                    std::string(32, 's'), 60);
  REQUIRE(loaded.ok());
  const CitizenTokens& tokens = **loaded;
  const std::string for_a =
      TokenWith(issuer, "JWT", R"("azp":"app-a-client",)");
  CHECK(tokens.Pseudonym(for_a, "app-a", kNow).ok());
  // Remembered after its first use, and still refused through app B.
  CHECK(
      absl::IsUnauthenticated(tokens.Pseudonym(for_a, "app-b", kNow).status()));
  CHECK(absl::IsUnauthenticated(tokens.Pseudonym(for_a, kApp, kNow).status()));
  // A client bound to two apps works through both.
  const std::string shared =
      TokenWith(issuer, "JWT", R"("azp":"shared-client",)");
  CHECK(tokens.Pseudonym(shared, "app-a", kNow).ok());
  CHECK(tokens.Pseudonym(shared, "app-b", kNow).ok());
  // An unknown client id, and a non-string azp: refused.
  CHECK(absl::IsUnauthenticated(
      tokens
          .Pseudonym(TokenWith(issuer, "JWT", R"("azp":"stranger",)"), "app-a",
                     kNow)
          .status()));
  CHECK(absl::IsUnauthenticated(
      tokens.Pseudonym(TokenWith(issuer, "JWT", R"("azp":7,)"), "app-a", kNow)
          .status()));
  // Without azp the single aud is the client id; an aud list needs azp.
  CHECK(tokens.Pseudonym(TokenWith(issuer, "JWT", ""), kApp, kNow).ok());
  CHECK(absl::IsUnauthenticated(
      tokens.Pseudonym(TokenWith(issuer, "JWT", ""), "app-a", kNow).status()));
  const std::string listed =
      TokenWith(issuer, "JWT", "", R"(["accord","app-a-client"])");
  CHECK(absl::IsUnauthenticated(
      tokens.Pseudonym(listed, "app-a", kNow).status()));
  const std::string listed_azp =
      TokenWith(issuer, "JWT", R"("azp":"app-a-client",)",
                R"(["accord","app-a-client"])");
  CHECK(tokens.Pseudonym(listed_azp, "app-a", kNow).ok());
}

TEST_CASE("a citizen token's typ must be a JWT or access token type") {
  TestIssuer issuer;
  const std::unique_ptr<CitizenTokens> loaded = Load(issuer);
  const CitizenTokens& tokens = *loaded;
  for (absl::string_view typ :
       {"JWT", "jwt", "at+jwt", "application/at+jwt", ""}) {
    INFO(typ);
    CHECK(tokens.Pseudonym(TokenWith(issuer, typ, ""), kApp, kNow).ok());
  }
  for (absl::string_view typ :
       {"grant+jwt", "consent-receipt+jwt", "logout+jwt", "dpop+jwt", "JOSE"}) {
    INFO(typ);
    CHECK(absl::IsUnauthenticated(
        tokens.Pseudonym(TokenWith(issuer, typ, ""), kApp, kNow).status()));
  }
}

// An issuer discovered by URL, its provider played by a loader that
// publishes `published` (with a max-age of 60 s), on a settable clock.
struct DiscoveredIssuer {
  DiscoveredIssuer() {
    auto keys = CitizenKeys::FromLoader(
        kIssuer,
        [this]() -> absl::StatusOr<jwks::JwksDocument> {
          ++fetches;
          if (published.empty()) return absl::UnavailableError("provider down");
          std::string json = R"({"keys":[)";
          for (size_t i = 0; i < published.size(); ++i) {
            absl::StrAppend(&json, i == 0 ? "" : ",",
                            published[i]->PublicJwk().Serialize());
          }
          return jwks::JwksDocument(absl::StrCat(json, "]}"),
                                    absl::Seconds(60));
        },
        [this] { return absl::FromUnixSeconds(now); });
    REQUIRE(keys.ok());
    this->keys = keys->get();
    auto loaded = CitizenTokens::FromKeys(
        {{kIssuer, kAudience, "", {{kAudience, {kApp}}}, ""}},
        [&] {
          std::vector<std::unique_ptr<CitizenKeys>> v;
          v.push_back(*std::move(keys));
          return v;
        }(),
        std::string(32, 's'), 60);
    REQUIRE(loaded.ok());
    tokens = *std::move(loaded);
  }

  absl::StatusOr<std::string> Pseudonym(const crypto::SigningKey& key,
                                        const std::string& sub) {
    auto token = crypto::SignJws(
        key, "JWT",
        absl::StrCat(R"({"iss":")", kIssuer, R"(","aud":")", kAudience,
                     R"(","sub":")", sub, R"(","exp":)", kNow + 3600, "}"));
    REQUIRE(token.ok());
    return tokens->Pseudonym(*token, kApp, kNow);
  }

  int64_t now = kNow;
  int fetches = 0;
  std::vector<const crypto::SigningKey*> published;
  CitizenKeys* keys = nullptr;
  std::unique_ptr<CitizenTokens> tokens;
};

TEST_CASE(
    "an issuer discovered by URL: retry until its keys load, new kids after a "
    "refresh, withdrawn keys refused") {
  DiscoveredIssuer idp;
  const crypto::SigningKey first =
      *crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  const crypto::SigningKey second =
      *crypto::SigningKey::Generate(crypto::Algorithm::kES256);

  // Nothing loaded: UNAVAILABLE, and nothing was fetched on this thread.
  CHECK(absl::IsUnavailable(idp.Pseudonym(first, "alice").status()));
  CHECK(idp.fetches == 0);
  CHECK(idp.keys->refresh_wanted());
  // The provider is down: still UNAVAILABLE, the error kept.
  CHECK_FALSE(idp.keys->Refresh());
  CHECK(absl::IsUnavailable(idp.keys->last_error()));
  CHECK(absl::IsUnavailable(idp.Pseudonym(first, "alice").status()));

  idp.published = {&first};
  CHECK_FALSE(idp.keys->Refresh());  // the floor holds
  idp.now += 10;
  REQUIRE(idp.keys->Refresh());
  CHECK(idp.keys->last_error().ok());
  auto alice = idp.Pseudonym(first, "alice");
  REQUIRE(alice.ok());
  CHECK(*alice == idp.tokens->PseudonymFor(kIssuer, "alice"));

  // Rotation: a token under a new kid asks for a refresh, and verifies
  // once the floor has passed and the set is loaded again.
  idp.published = {&second, &first};
  CHECK(absl::IsUnavailable(idp.Pseudonym(second, "bob").status()));
  CHECK_FALSE(idp.keys->Refresh());
  idp.now += 10;
  REQUIRE(idp.keys->Refresh());
  CHECK(idp.Pseudonym(second, "bob").ok());
  CHECK(idp.Pseudonym(first, "alice").ok());
  CHECK_FALSE(idp.keys->refresh_wanted());

  // The provider withdraws the first key: once the set is stale and loaded
  // again, a token under it is refused, remembered or not.
  idp.published = {&second};
  idp.now += 59;
  CHECK_FALSE(idp.keys->Refresh());
  CHECK(idp.Pseudonym(first, "alice").ok());
  idp.now += 2;
  REQUIRE(idp.keys->Refresh());
  auto withdrawn = idp.Pseudonym(first, "alice");
  CHECK(absl::IsUnauthenticated(withdrawn.status()));
  CHECK(withdrawn.status().message().find("no longer publishes") !=
        std::string::npos);
  CHECK(idp.Pseudonym(second, "bob").ok());
  // A kid it never published: retry until a load begun after it was
  // first seen, then refused.
  const crypto::SigningKey stranger =
      *crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  CHECK(absl::IsUnavailable(idp.Pseudonym(stranger, "mallory").status()));
  CHECK(absl::IsUnavailable(idp.Pseudonym(stranger, "mallory").status()));
  idp.now += 10;
  REQUIRE(idp.keys->Refresh());
  auto made_up = idp.Pseudonym(stranger, "mallory");
  CHECK(absl::IsUnauthenticated(made_up.status()));
  CHECK(made_up.status().message().find("does not publish") !=
        std::string::npos);
  // ... unless a later load holds it (the provider published it since).
  idp.published = {&second, &stranger};
  idp.now += 61;
  REQUIRE(idp.keys->Refresh());
  CHECK(idp.Pseudonym(stranger, "mallory").ok());
}

}  // namespace
}  // namespace accord::service
