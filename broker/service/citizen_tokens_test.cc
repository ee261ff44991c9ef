#include "broker/service/citizen_tokens.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

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
    std::ofstream(jwks_file) << absl::StrCat(R"({"keys":[)",
                                             key.PublicJwk().Serialize(), "]}");
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

CitizenTokens Load(const TestIssuer& issuer) {
  auto tokens = CitizenTokens::Load(
      {{kIssuer, kAudience, issuer.jwks_file, {{kAudience, {kApp}}}}},
      std::string(32, 's'), 60);
  REQUIRE(tokens.ok());
  return *std::move(tokens);
}

TEST_CASE("a token verified once is still checked for time at every use") {
  TestIssuer issuer;
  const CitizenTokens tokens = Load(issuer);
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
  const CitizenTokens tokens = Load(issuer);
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
  const CitizenTokens tokens = Load(issuer);
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
                                       {kAudience, {kApp}}}}},
                                    std::string(32, 's'), 60);
  REQUIRE(loaded.ok());
  const CitizenTokens& tokens = *loaded;
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
  const CitizenTokens tokens = Load(issuer);
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

}  // namespace
}  // namespace accord::service
