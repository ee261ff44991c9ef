#include "broker/service/oidc_discovery.h"

#include <catch2/catch.hpp>
#include <string>

namespace accord::service {
namespace {

constexpr char kIssuer[] = "https://idp.example/realms/citizens";

TEST_CASE("the discovery URL of an issuer") {
  CHECK(DiscoveryUrl(kIssuer) ==
        "https://idp.example/realms/citizens/.well-known/openid-configuration");
  CHECK(DiscoveryUrl("https://idp.example/") ==
        "https://idp.example/.well-known/openid-configuration");
  CHECK(CheckIssuerUrl(kIssuer).ok());
  CHECK(CheckIssuerUrl("https://127.0.0.1:8443").ok());
  for (const char* bad :
       {"http://idp.example", "idp.example", "https://",
        "https://idp.example/?a=b", "https://idp.example/#x",
        "https://user@idp.example", "https://idp.example:0"}) {
    INFO(bad);
    CHECK(absl::IsInvalidArgument(CheckIssuerUrl(bad)));
  }
}

TEST_CASE(
    "a discovery document must name the configured issuer exactly and an https "
    "jwks_uri") {
  auto good =
      JwksUriOf(R"({"issuer":"https://idp.example/realms/citizens",)"
                R"("jwks_uri":"https://idp.example/realms/citizens/certs"})",
                kIssuer);
  REQUIRE(good.ok());
  CHECK(*good == "https://idp.example/realms/citizens/certs");

  const struct {
    const char* name;
    const char* document;
    const char* says;
  } bad[] = {
      {"another issuer",
       R"({"issuer":"https://elsewhere.example","jwks_uri":"https://idp.example/certs"})",
       "issuer"},
      {"a trailing slash",
       R"({"issuer":"https://idp.example/realms/citizens/","jwks_uri":"https://idp.example/certs"})",
       "issuer"},
      {"no issuer", R"({"jwks_uri":"https://idp.example/certs"})", "issuer"},
      {"issuer not a string",
       R"({"issuer":1,"jwks_uri":"https://idp.example/certs"})", "issuer"},
      {"http jwks_uri",
       R"({"issuer":"https://idp.example/realms/citizens","jwks_uri":"http://idp.example/certs"})",
       "jwks_uri"},
      {"no jwks_uri", R"({"issuer":"https://idp.example/realms/citizens"})",
       "jwks_uri"},
      {"malformed jwks_uri",
       R"({"issuer":"https://idp.example/realms/citizens","jwks_uri":"https://idp example/certs"})",
       "jwks_uri"},
      {"not JSON", "<html>", "JSON"},
      {"an array", "[]", "JSON"},
  };
  for (const auto& c : bad) {
    INFO(c.name);
    auto refused = JwksUriOf(c.document, kIssuer);
    REQUIRE(absl::IsFailedPrecondition(refused.status()));
    INFO(refused.status().message());
    CHECK(refused.status().message().find(c.says) != std::string::npos);
  }
}

TEST_CASE("a discovered key set's max-age is clamped, with a default") {
  CHECK(KeysMaxAge(std::nullopt) == kDefaultKeysMaxAge);
  CHECK(KeysMaxAge(absl::ZeroDuration()) == kMinKeysMaxAge);
  CHECK(KeysMaxAge(absl::Seconds(1)) == kMinKeysMaxAge);
  CHECK(KeysMaxAge(absl::Seconds(600)) == absl::Seconds(600));
  CHECK(KeysMaxAge(absl::Hours(48)) == kMaxKeysMaxAge);
}

}  // namespace
}  // namespace accord::service
