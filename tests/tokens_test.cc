// Citizen identity: bearer tokens from a configured extra issuer (ES256,
// EdDSA and RS256 keys) against the real broker, through the real CLI.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/rsa_signing_key.h"
#include "broker/crypto/signing_key.h"
#include "broker/formats/base64url.h"
#include "tests/broker_harness.h"
#include "tests/cli_refusal.h"

namespace accord::testing {
namespace {

constexpr char kIssuer[] = "https://idp.test.example";
constexpr char kAudience[] = "accord-test";

struct Claims {
  std::string iss = kIssuer;
  std::string aud = kAudience;
  std::string sub = "citizen-42";
  int64_t exp_in = 600;  // seconds from now
  int64_t nbf_in = -60;  // seconds from now
  std::string padding;   // an extra claim, to make a token large
};

std::string Payload(const Claims& c) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  formats::JsonValue p = formats::JsonValue::Object();
  p.Set("iss", c.iss).Set("aud", c.aud).Set("sub", c.sub);
  p.Set("exp", static_cast<long long>(now + c.exp_in));
  p.Set("nbf", static_cast<long long>(now + c.nbf_in));
  p.Set("iat", static_cast<long long>(now - 1));
  if (!c.padding.empty()) p.Set("pad", c.padding);
  return p.Serialize();
}

// A header and payload signed by `signer` under another key's kid.
std::string Forge(const crypto::SigningKey& signer, const std::string& alg,
                  const std::string& kid, const std::string& payload) {
  const std::string input = absl::StrCat(
      formats::Base64UrlEncode(absl::StrCat(
          R"({"alg":")", alg, R"(","typ":"JWT","kid":")", kid, R"("})")),
      ".", formats::Base64UrlEncode(payload));
  return absl::StrCat(input, ".",
                      formats::Base64UrlEncode(*signer.Sign(input)));
}

struct Issuer {
  crypto::SigningKey es =
      *crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  crypto::SigningKey ed =
      *crypto::SigningKey::Generate(crypto::Algorithm::kEdDSA);
  crypto::RsaSigningKey rsa = *crypto::RsaSigningKey::Generate(2048);
  crypto::SigningKey stranger =
      *crypto::SigningKey::Generate(crypto::Algorithm::kES256);

  // Writes the JWKS and a broker config naming this issuer.
  std::string WriteConfig(const std::string& dir) const {
    const std::string jwks = dir + "/idp.jwks.json";
    std::ofstream(jwks) << crypto::Jwks::FromVerifyingKeys(
                               {es.verifying_key(), ed.verifying_key(),
                                rsa.verifying_key()})
                               .ToJson();
    const std::string config = dir + "/accord.yaml";
    std::ofstream(config) << "citizen_issuers:\n"
                          << "  - issuer: " << kIssuer << "\n"
                          << "    audience: " << kAudience << "\n"
                          << "    jwks_file: " << jwks << "\n"
                          << "    app_principals:\n"
                          << "      " << kAudience << ": citizen-app\n";
    return config;
  }
};

CliResult ListAs(const BrokerProcess& broker, const std::string& token) {
  return broker.Cli({"consent", "list", "--as", "citizen-app", "--token", token,
                     "--output", "json"});
}

size_t ConsentCount(const CliResult& r) {
  const formats::JsonValue* list = r.json.Find("consents");
  return list != nullptr && list->AsArray() != nullptr ? list->AsArray()->size()
                                                       : 0;
}

Refusal Unauthenticated(const CliResult& r) {
  return Refused(r, "UNAUTHENTICATED");
}

TEST_CASE("citizen tokens: valid ones of each algorithm, and every bad kind") {
  TempDir dir;
  Issuer idp;
  const std::string config = idp.WriteConfig(dir.path());
  BrokerProcess broker(dir.path() + "/var", {"--config", config});
  REQUIRE(broker.Start().ok());

  SECTION("ES256, EdDSA and RS256 tokens of the issuer are accepted") {
    const std::string payload = Payload({});
    for (const std::string& token : {*crypto::SignJws(idp.es, "JWT", payload),
                                     *crypto::SignJws(idp.ed, "JWT", payload),
                                     *idp.rsa.SignJws("JWT", payload)}) {
      CliResult r = ListAs(broker, token);
      INFO(r.err);
      CHECK(r.exit_code == 0);
    }
    // The same person under any of the issuer's keys is one pseudonym.
    CliResult by_rsa = broker.Cli(
        {"consent", "give", "--dataset", "rennes.energy.household-consumption",
         "--purpose", "research-and-development", "--partner", "partner-demo",
         "--as", "citizen-app", "--token", *idp.rsa.SignJws("JWT", payload),
         "--output", "json"});
    INFO(by_rsa.err);
    REQUIRE(by_rsa.exit_code == 0);
    CliResult by_ed = ListAs(broker, *crypto::SignJws(idp.ed, "JWT", payload));
    REQUIRE(by_ed.exit_code == 0);
    CHECK(ConsentCount(by_ed) == 1);
    // Another sub of the same issuer sees nothing of it.
    Claims other;
    other.sub = "citizen-43";
    CliResult by_other =
        ListAs(broker, *crypto::SignJws(idp.es, "JWT", Payload(other)));
    REQUIRE(by_other.exit_code == 0);
    CHECK(ConsentCount(by_other) == 0);
  }

  SECTION("bad tokens are UNAUTHENTICATED") {
    const std::string good = *idp.rsa.SignJws("JWT", Payload({}));
    Claims expired;
    expired.exp_in = -3600;
    expired.nbf_in = -7200;
    Claims early;
    early.nbf_in = 3600;
    Claims wrong_iss;
    wrong_iss.iss = "https://idp.dev.accord.local";
    Claims unknown_iss;
    unknown_iss.iss = "https://elsewhere.example";
    Claims wrong_aud;
    wrong_aud.aud = "someone-else";
    Claims no_sub;
    no_sub.sub = "";
    Claims big;
    big.padding = std::string(4700, 'x');  // a token of about 7 KiB
    const std::string payload = Payload({});
    const std::string none = absl::StrCat(
        formats::Base64UrlEncode(absl::StrCat(
            R"({"alg":"none","typ":"JWT","kid":")", idp.es.kid(), R"("})")),
        ".", formats::Base64UrlEncode(payload), ".");
    const struct {
      const char* name;
      std::string token;
    } cases[] = {
        {"expired", *crypto::SignJws(idp.es, "JWT", Payload(expired))},
        {"not yet valid", *crypto::SignJws(idp.ed, "JWT", Payload(early))},
        {"wrong key under a known kid",
         Forge(idp.stranger, "ES256", idp.es.kid(), payload)},
        {"unknown key", *crypto::SignJws(idp.stranger, "JWT", payload)},
        {"issuer of another configured provider",
         *idp.rsa.SignJws("JWT", Payload(wrong_iss))},
        {"unknown issuer",
         *crypto::SignJws(idp.es, "JWT", Payload(unknown_iss))},
        {"wrong audience", *idp.rsa.SignJws("JWT", Payload(wrong_aud))},
        {"empty sub", *crypto::SignJws(idp.es, "JWT", Payload(no_sub))},
        {"alg none", none},
        {"alg HS256", Forge(idp.es, "HS256", idp.es.kid(), payload)},
        {"RS256 header on an EC key",
         Forge(idp.es, "RS256", idp.es.kid(), payload)},
        {"truncated", good.substr(0, good.size() - 12)},
        {"two parts", good.substr(0, good.rfind('.'))},
        {"oversized", *idp.rsa.SignJws("JWT", Payload(big))},
        {"not a token", "hello"},
    };
    for (const auto& c : cases) {
      INFO(c.name);
      CliResult r = ListAs(broker, c.token);
      INFO(r.err);
      CHECK(Unauthenticated(r));
    }
    // A bad token writes nothing.
    CliResult give = broker.Cli(
        {"consent", "give", "--dataset", "rennes.energy.household-consumption",
         "--purpose", "research-and-development", "--partner", "partner-demo",
         "--as", "citizen-app", "--token",
         *crypto::SignJws(idp.es, "JWT", Payload(expired))});
    CHECK(Unauthenticated(give));
    CliResult mine = ListAs(broker, *crypto::SignJws(idp.es, "JWT", payload));
    REQUIRE(mine.exit_code == 0);
    CHECK(ConsentCount(mine) == 0);
  }
}

}  // namespace
}  // namespace accord::testing
