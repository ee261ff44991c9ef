#include "broker/crypto/jwks.h"

#include <catch2/catch.hpp>
#include <string>

#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

constexpr char kRfc7515X[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfc7515Y[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

TEST_CASE("RFC 7515 A.3 ES256 signature verifies as raw r||s", "[jwks]") {
  std::string json =
      std::string(R"({"keys":[{"kty":"EC","crv":"P-256","x":")") + kRfc7515X +
      R"(","y":")" + kRfc7515Y + R"("}]})";
  absl::StatusOr<Jwks> jwks = Jwks::Parse(json);
  REQUIRE(jwks.ok());
  REQUIRE(jwks->keys().size() == 1);
  const VerifyingKey& key = jwks->keys()[0];
  // No kid in the JWK: the RFC 7638 thumbprint stands in.
  REQUIRE(key.kid() == key.thumbprint());
  REQUIRE(jwks->Find(key.kid()) == &key);
  const std::string input =
      "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogIm"
      "h0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
  std::string sig = *formats::Base64UrlDecode(
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKT"
      "UJqPP3-Kg6NU1Q");
  REQUIRE(key.Verify(input, sig).ok());
  REQUIRE(key.Verify(input + "x", sig).code() ==
          absl::StatusCode::kUnauthenticated);
}

TEST_CASE("RFC 7638 thumbprint example (RSA is refused, EC/OKP computed)",
          "[jwks]") {
  // RFC 8037 A.3: the Ed25519 public key's thumbprint.
  absl::StatusOr<Jwks> jwks =
      Jwks::Parse(R"({"keys":[{"kty":"OKP","crv":"Ed25519",)"
                  R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  REQUIRE(jwks.ok());
  REQUIRE(jwks->Find("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k") != nullptr);
  REQUIRE(Jwks::Parse(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})")
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Jwks::Parse rejects bad sets", "[jwks]") {
  for (const char* bad : {"", "[]", "{}", R"({"keys":{}})", R"({"keys":[1]})",
                          R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"}) {
    INFO(bad);
    REQUIRE(Jwks::Parse(bad).status().code() ==
            absl::StatusCode::kInvalidArgument);
  }
  REQUIRE(Jwks::Parse(R"({"keys":[]})").ok());
}

TEST_CASE("Jwks from signing keys round-trips through JSON", "[jwks]") {
  absl::StatusOr<SigningKey> es = SigningKey::Generate(Algorithm::kES256);
  absl::StatusOr<SigningKey> ed = SigningKey::Generate(Algorithm::kEdDSA);
  REQUIRE(es.ok());
  REQUIRE(ed.ok());
  Jwks jwks = Jwks::FromKeys({&*es, &*ed, &*es});
  REQUIRE(jwks.keys().size() == 2);
  absl::StatusOr<Jwks> back = Jwks::Parse(jwks.ToJson());
  REQUIRE(back.ok());
  REQUIRE(back->keys().size() == 2);
  REQUIRE(back->Find(es->kid())->algorithm() == Algorithm::kES256);
  REQUIRE(back->Find(ed->kid())->algorithm() == Algorithm::kEdDSA);
  REQUIRE(back->Find("nope") == nullptr);
  REQUIRE(back->ToJson().find("\"d\"") == std::string::npos);
  // Duplicate kids in a parsed set are an error.
  std::string pub = es->PublicJwk().Serialize();
  REQUIRE(Jwks::Parse("{\"keys\":[" + pub + "," + pub + "]}").status().code() ==
          absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::crypto
