#include <catch2/catch.hpp>
#include <string>

#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "broker/crypto/rsa_signing_key.h"
#include "broker/formats/base64url.h"
#include "broker/formats/json.h"

namespace accord::crypto {
namespace {

JwsPolicy WithRs256() {
  JwsPolicy policy;
  policy.allowed_algorithms = {Algorithm::kES256, Algorithm::kEdDSA,
                               Algorithm::kRS256};
  return policy;
}

TEST_CASE("RS256 tokens verify against the RSA JWK only when allowed",
          "[rsa]") {
  RsaSigningKey key = *RsaSigningKey::Generate();
  Jwks jwks = Jwks::FromVerifyingKeys({key.verifying_key()});
  absl::StatusOr<std::string> token = key.SignJws("JWT", R"({"sub":"a"})");
  REQUIRE(token.ok());

  absl::StatusOr<VerifiedJws> ok = VerifyJws(*token, jwks, WithRs256());
  REQUIRE(ok.ok());
  REQUIRE(*ok->payload.GetString("sub") == "a");
  // The default policy (grants) does not accept RSA.
  REQUIRE(VerifyJws(*token, jwks).status().code() ==
          absl::StatusCode::kUnauthenticated);

  RsaSigningKey other = *RsaSigningKey::Generate();
  std::string forged = *other.SignJws("JWT", R"({"sub":"a"})");
  // Same kid, other key's signature.
  const size_t dot = forged.rfind('.');
  std::string swapped =
      token->substr(0, token->rfind('.')) + forged.substr(dot);
  REQUIRE(VerifyJws(swapped, jwks, WithRs256()).status().code() ==
          absl::StatusCode::kUnauthenticated);
  // A truncated signature.
  REQUIRE_FALSE(
      VerifyJws(token->substr(0, token->size() - 4), jwks, WithRs256()).ok());
}

TEST_CASE("RSA JWKs: round trip, thumbprint kid, size and member checks",
          "[rsa]") {
  RsaSigningKey key = *RsaSigningKey::Generate();
  const std::string json =
      Jwks::FromVerifyingKeys({key.verifying_key()}).ToJson();
  absl::StatusOr<Jwks> back = Jwks::Parse(json);
  REQUIRE(back.ok());
  REQUIRE(back->keys().size() == 1);
  REQUIRE(back->keys()[0].algorithm() == Algorithm::kRS256);
  REQUIRE(back->keys()[0].kid() == key.kid());
  REQUIRE(back->keys()[0].thumbprint() == key.verifying_key().thumbprint());

  formats::JsonValue jwk = key.verifying_key().PublicJwk();
  REQUIRE(*jwk.GetString("kty") == "RSA");
  REQUIRE(*jwk.GetString("alg") == "RS256");

  formats::JsonValue wrong_alg = jwk;
  wrong_alg.Set("alg", "ES256");
  REQUIRE(VerifyingKey::FromJwk(wrong_alg).status().code() ==
          absl::StatusCode::kInvalidArgument);

  formats::JsonValue small = jwk;  // a 1024-bit modulus
  small.Set("n", formats::Base64UrlEncode(std::string(128, '\xC5')));
  REQUIRE(VerifyingKey::FromJwk(small).status().code() ==
          absl::StatusCode::kInvalidArgument);

  formats::JsonValue even = jwk;
  even.Set("e", formats::Base64UrlEncode(std::string("\x01\x00\x00", 3)));
  REQUIRE(VerifyingKey::FromJwk(even).status().code() ==
          absl::StatusCode::kInvalidArgument);

  formats::JsonValue missing = formats::JsonValue::Object();
  missing.Set("kty", "RSA").Set("n", *jwk.GetString("n"));
  REQUIRE(VerifyingKey::FromJwk(missing).status().code() ==
          absl::StatusCode::kInvalidArgument);

  formats::JsonValue priv = jwk;
  priv.Set("d", "AQAB");
  REQUIRE(VerifyingKey::FromJwk(priv).status().code() ==
          absl::StatusCode::kInvalidArgument);

  REQUIRE(RsaSigningKey::Generate(1024).status().code() ==
          absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::crypto
