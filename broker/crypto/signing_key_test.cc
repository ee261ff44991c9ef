#include "broker/crypto/signing_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "broker/formats/base64url.h"
#include "broker/formats/json.h"

namespace accord::crypto {
namespace {

std::string TempDir() {
  std::string tmpl = "/tmp/accord_crypto_test.XXXXXX";
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

// RFC 8037 Appendix A.1 Ed25519 private key as PKCS#8: the fixed DER prefix
// followed by the 32-byte seed.
std::string Rfc8037Pem() {
  std::string seed =
      *formats::Base64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
  std::string der = std::string(
                        "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65"
                        "\x70\x04\x22\x04\x20",
                        16) +
                    seed;
  return "-----BEGIN PRIVATE KEY-----\n" + formats::Base64Encode(der) +
         "\n-----END PRIVATE KEY-----\n";
}

TEST_CASE("algorithm names", "[key]") {
  REQUIRE(AlgorithmName(Algorithm::kES256) == "ES256");
  REQUIRE(AlgorithmName(Algorithm::kEdDSA) == "EdDSA");
  REQUIRE(AlgorithmFromName("ES256") == Algorithm::kES256);
  REQUIRE_FALSE(AlgorithmFromName("none").has_value());
  REQUIRE_FALSE(AlgorithmFromName("HS256").has_value());
  REQUIRE_FALSE(AlgorithmFromName("es256").has_value());
}

TEST_CASE("generated keys sign and their public halves verify", "[key]") {
  for (Algorithm alg : {Algorithm::kES256, Algorithm::kEdDSA}) {
    absl::StatusOr<SigningKey> key = SigningKey::Generate(alg);
    REQUIRE(key.ok());
    REQUIRE(key->algorithm() == alg);
    absl::StatusOr<std::string> sig = key->Sign("hello");
    REQUIRE(sig.ok());
    REQUIRE(sig->size() == 64);
    REQUIRE(key->verifying_key().Verify("hello", *sig).ok());
    REQUIRE(key->verifying_key().Verify("hellO", *sig).code() ==
            absl::StatusCode::kUnauthenticated);
    std::string bad = *sig;
    bad[10] ^= 1;
    REQUIRE(key->verifying_key().Verify("hello", bad).code() ==
            absl::StatusCode::kUnauthenticated);
    REQUIRE(key->verifying_key().Verify("hello", sig->substr(1)).code() ==
            absl::StatusCode::kUnauthenticated);
    REQUIRE(key->RawPublicKey().size() ==
            (alg == Algorithm::kES256 ? 65u : 32u));

    // The JWK round-trips to an equivalent verifying key.
    formats::JsonValue jwk = key->PublicJwk();
    REQUIRE(*jwk.GetString("alg") == AlgorithmName(alg));
    REQUIRE(*jwk.GetString("use") == "sig");
    REQUIRE(*jwk.GetString("kid") == key->kid());
    REQUIRE(jwk.Find("d") == nullptr);
    absl::StatusOr<VerifyingKey> pub = VerifyingKey::FromJwk(jwk);
    REQUIRE(pub.ok());
    REQUIRE(pub->kid() == key->kid());
    REQUIRE(pub->Verify("hello", *sig).ok());
  }
}

TEST_CASE("ES256 signatures are raw r||s and ECDSA is randomized", "[key]") {
  absl::StatusOr<SigningKey> key = SigningKey::Generate(Algorithm::kES256);
  REQUIRE(key.ok());
  std::string a = *key->Sign("m");
  std::string b = *key->Sign("m");
  REQUIRE(a.size() == 64);
  REQUIRE(a != b);
  REQUIRE(key->verifying_key().Verify("m", b).ok());
}

TEST_CASE("RFC 8037 Ed25519 key: thumbprint and signature", "[key]") {
  absl::StatusOr<SigningKey> key = SigningKey::FromPem(Rfc8037Pem());
  REQUIRE(key.ok());
  REQUIRE(key->algorithm() == Algorithm::kEdDSA);
  // RFC 8037 A.3.
  REQUIRE(key->kid() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  REQUIRE(*key->PublicJwk().GetString("x") ==
          "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  // RFC 8037 A.4: signature over
  // "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".
  absl::StatusOr<std::string> sig =
      key->Sign("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
  REQUIRE(sig.ok());
  REQUIRE(
      formats::Base64UrlEncode(*sig) ==
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt"
      "9g7sVvpAr_MuM0KAg");
}

TEST_CASE("FromPem rejects other key kinds", "[key]") {
  REQUIRE(SigningKey::FromPem("not a pem").status().code() ==
          absl::StatusCode::kInvalidArgument);
  REQUIRE(SigningKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END "
                              "PRIVATE KEY-----\n")
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
  // An X25519 key (PKCS#8, OID 1.3.101.110) is not a signing key.
  std::string der = std::string(
                        "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65"
                        "\x6e\x04\x22\x04\x20",
                        16) +
                    std::string(32, '\x07');
  std::string pem = "-----BEGIN PRIVATE KEY-----\n" +
                    formats::Base64Encode(der) +
                    "\n-----END PRIVATE KEY-----\n";
  REQUIRE(SigningKey::FromPem(pem).status().code() ==
          absl::StatusCode::kInvalidArgument);
}

// PEM of a key made by OpenSSL directly, in PKCS#8 or the traditional form.
std::string OpenSslPem(const char* type, const char* param, bool pkcs8,
                       const char* password = nullptr) {
  EVP_PKEY* pkey = param != nullptr
                       ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, param)
                   : std::string(type) == "RSA"
                       ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, size_t{2048})
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  REQUIRE(pkey != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  int ok = pkcs8 ? PEM_write_bio_PKCS8PrivateKey(
                       bio, pkey, password ? EVP_aes_256_cbc() : nullptr,
                       password, password ? 8 : 0, nullptr, nullptr)
                 : PEM_write_bio_PrivateKey_traditional(
                       bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  REQUIRE(ok == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return pem;
}

TEST_CASE("FromPem accepts PKCS#8 P-256 and Ed25519 only", "[key]") {
  absl::StatusOr<SigningKey> p256 =
      SigningKey::FromPem(OpenSslPem("EC", "P-256", true));
  REQUIRE(p256.ok());
  REQUIRE(p256->algorithm() == Algorithm::kES256);
  absl::StatusOr<SigningKey> ed =
      SigningKey::FromPem(OpenSslPem("ED25519", nullptr, true));
  REQUIRE(ed.ok());
  REQUIRE(ed->algorithm() == Algorithm::kEdDSA);
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  // SEC1 ("BEGIN EC PRIVATE KEY"), another curve, encrypted PKCS#8, RSA.
  REQUIRE(
      SigningKey::FromPem(OpenSslPem("EC", "P-256", false)).status().code() ==
      kInvalid);
  REQUIRE(
      SigningKey::FromPem(OpenSslPem("EC", "P-384", true)).status().code() ==
      kInvalid);
  REQUIRE(SigningKey::FromPem(OpenSslPem("EC", "P-256", true, "password"))
              .status()
              .code() == kInvalid);
  REQUIRE(
      SigningKey::FromPem(OpenSslPem("RSA", nullptr, true)).status().code() ==
      kInvalid);
}

TEST_CASE("key files are written 0600 and read back", "[key]") {
  std::string dir = TempDir();
  std::string path = dir + "/grant.pem";
  absl::StatusOr<SigningKey> key = SigningKey::Generate(Algorithm::kES256);
  REQUIRE(key.ok());
  REQUIRE(key->WritePemFile(path).ok());
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  REQUIRE((st.st_mode & 0777) == 0600);
  absl::StatusOr<SigningKey> back = SigningKey::ReadPemFile(path);
  REQUIRE(back.ok());
  REQUIRE(back->kid() == key->kid());
  REQUIRE(key->verifying_key().Verify("x", *back->Sign("x")).ok());

  // Group-readable: refused, and the error names the path only.
  REQUIRE(chmod(path.c_str(), 0640) == 0);
  absl::StatusOr<SigningKey> refused = SigningKey::ReadPemFile(path);
  REQUIRE(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(refused.status().message().find(path) != absl::string_view::npos);
  REQUIRE(refused.status().message().find("PRIVATE") ==
          absl::string_view::npos);

  // A symbolic link to a 0600 file is read; the target's mode counts.
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  std::string link = dir + "/link.pem";
  REQUIRE(symlink(path.c_str(), link.c_str()) == 0);
  REQUIRE(SigningKey::ReadPemFile(link).ok());
  REQUIRE(chmod(path.c_str(), 0604) == 0);
  REQUIRE(SigningKey::ReadPemFile(link).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  unlink(link.c_str());

  REQUIRE(SigningKey::ReadPemFile(dir + "/missing.pem").status().code() ==
          absl::StatusCode::kNotFound);

  // Garbage with a correct mode: invalid, without echoing the content.
  std::string junk = dir + "/junk.pem";
  {
    std::ofstream out(junk);
    out << "-----BEGIN PRIVATE KEY-----\nc2VjcmV0c2VjcmV0\n-----END PRIVATE "
           "KEY-----\n";
  }
  REQUIRE(chmod(junk.c_str(), 0600) == 0);
  absl::StatusOr<SigningKey> bad = SigningKey::ReadPemFile(junk);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(bad.status().message().find("c2VjcmV0") == absl::string_view::npos);

  unlink(path.c_str());
  unlink(junk.c_str());
  rmdir(dir.c_str());
}

TEST_CASE("VerifyingKey::FromJwk rejects unusable keys", "[key]") {
  absl::StatusOr<SigningKey> key = SigningKey::Generate(Algorithm::kES256);
  REQUIRE(key.ok());
  formats::JsonValue good = key->PublicJwk();
  auto rejects = [](const formats::JsonValue& jwk) {
    return VerifyingKey::FromJwk(jwk).status().code() ==
           absl::StatusCode::kInvalidArgument;
  };
  formats::JsonValue oct = formats::JsonValue::Object();
  oct.Set("kty", "oct").Set("k", "c2VjcmV0");
  REQUIRE(rejects(oct));
  formats::JsonValue with_d = good;
  with_d.Set("d", "AAAA");
  REQUIRE(rejects(with_d));
  formats::JsonValue wrong_alg = good;
  wrong_alg.Set("alg", "EdDSA");
  REQUIRE(rejects(wrong_alg));
  formats::JsonValue hs = good;
  hs.Set("alg", "HS256");
  REQUIRE(rejects(hs));
  formats::JsonValue wrong_crv = good;
  wrong_crv.Set("crv", "P-384");
  REQUIRE(rejects(wrong_crv));
  formats::JsonValue enc = good;
  enc.Set("use", "enc");
  REQUIRE(rejects(enc));
  formats::JsonValue short_x = good;
  short_x.Set("x", formats::Base64UrlEncode(std::string(31, '\1')));
  REQUIRE(rejects(short_x));
  // A point not on the curve: y + 1.
  std::string y = *formats::Base64UrlDecode(*good.GetString("y"));
  y[31] = static_cast<char>(y[31] ^ 1);
  formats::JsonValue off_curve = good;
  off_curve.Set("y", formats::Base64UrlEncode(y));
  REQUIRE(rejects(off_curve));
  REQUIRE(rejects(formats::JsonValue("string")));

  // No kid: the thumbprint is used.
  formats::JsonValue no_kid = formats::JsonValue::Object();
  for (const auto& [k, v] : *good.AsObject()) {
    if (k != "kid") no_kid.Set(k, v);
  }
  absl::StatusOr<VerifyingKey> pub = VerifyingKey::FromJwk(no_kid);
  REQUIRE(pub.ok());
  REQUIRE(pub->kid() == key->kid());
}

}  // namespace
}  // namespace accord::crypto
