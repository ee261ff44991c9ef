#include "clients/dev_token.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "broker/dev/dev_layout.h"

namespace accord::client {
namespace {

TEST_CASE("dev token: signed by the issuer with the shared claims") {
  auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  REQUIRE(key.ok());
  auto token = MintDevCitizenToken(*key, "alice", 1000);
  REQUIRE(token.ok());

  auto verified =
      crypto::VerifyJws(*token, crypto::Jwks::FromKeys({&*key}), {});
  REQUIRE(verified.ok());
  CHECK(verified->header.GetString("typ").value() == "JWT");
  CHECK(verified->header.GetString("alg").value() == "ES256");
  const formats::JsonValue& claims = verified->payload;
  CHECK(claims.GetString("iss").value() == "https://idp.dev.accord.local");
  CHECK(claims.GetString("aud").value() == "accord");
  CHECK(claims.GetString("azp").value() == "accord-dev-citizen-app");
  CHECK(claims.GetString("sub").value() == "alice");
  CHECK(claims.GetInt64("iat").value() == 1000);
  CHECK(claims.GetInt64("nbf").value() == 1000);
  CHECK(claims.GetInt64("exp").value() == 4600);

  auto other = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  REQUIRE(other.ok());
  CHECK_FALSE(
      crypto::VerifyJws(*token, crypto::Jwks::FromKeys({&*other}), {}).ok());
}

TEST_CASE("dev token: rejects an empty name") {
  auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  REQUIRE(key.ok());
  CHECK(MintDevCitizenToken(*key, "", 1).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(MintDevCitizenToken(*key, std::string(257, 'a'), 1).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("dev token: reads the issuer key from the data directory") {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("accord-devtoken-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  CHECK(
      MintDevCitizenTokenFromDataDir(dir.string(), "bob", 5).status().code() ==
      absl::StatusCode::kNotFound);

  std::filesystem::create_directories(dir / "dev-pki");
  auto key = crypto::SigningKey::Generate(crypto::Algorithm::kES256);
  REQUIRE(key.ok());
  REQUIRE(key->WritePemFile(dev::IssuerKeyPath(dir.string())).ok());
  auto token = MintDevCitizenTokenFromDataDir(dir.string(), "bob", 5);
  REQUIRE(token.ok());
  auto verified =
      crypto::VerifyJws(*token, crypto::Jwks::FromKeys({&*key}), {});
  REQUIRE(verified.ok());
  CHECK(verified->payload.GetString("sub").value() == "bob");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace accord::client
