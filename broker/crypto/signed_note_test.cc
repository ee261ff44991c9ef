#include "broker/crypto/signed_note.h"

#include <catch2/catch.hpp>
#include <string>

#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

// The example of the C2SP signed-note specification (also the example of
// Go's golang.org/x/mod/sumdb/note).
constexpr char kVerifierKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kSignerKeyData[] =
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kNote[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnA"
    "M=\n";

// The example's private key, wrapped as PKCS#8 PEM.
SigningKey ExampleKey() {
  std::string data = *formats::Base64Decode(kSignerKeyData);
  REQUIRE(data.size() == 33);
  std::string der = std::string(
                        "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65"
                        "\x70\x04\x22\x04\x20",
                        16) +
                    data.substr(1);
  absl::StatusOr<SigningKey> key = SigningKey::FromPem(
      "-----BEGIN PRIVATE KEY-----\n" + formats::Base64Encode(der) +
      "\n-----END PRIVATE KEY-----\n");
  REQUIRE(key.ok());
  return std::move(*key);
}

TEST_CASE("reproduces the C2SP signed-note example", "[note]") {
  absl::StatusOr<NoteSigner> signer =
      NoteSigner::Create("PeterNeumann", ExampleKey());
  REQUIRE(signer.ok());
  REQUIRE(signer->VerifierKey() == kVerifierKey);
  REQUIRE(signer->key_hash() == 0xc74f20a3);
  absl::StatusOr<std::string> note = signer->Sign(kText);
  REQUIRE(note.ok());
  REQUIRE(*note == kNote);
  absl::StatusOr<std::string> text = VerifyNote(kNote, kVerifierKey);
  REQUIRE(text.ok());
  REQUIRE(*text == kText);
}

TEST_CASE("signed notes round-trip and detect tampering", "[note]") {
  absl::StatusOr<NoteSigner> signer = NoteSigner::Create(
      "accord.example/log", *SigningKey::Generate(Algorithm::kEdDSA));
  REQUIRE(signer.ok());
  const std::string text = "accord.example/log\n42\nq80=\n";
  std::string note = *signer->Sign(text);
  REQUIRE(*VerifyNote(note, signer->VerifierKey()) == text);

  const auto kUnauth = absl::StatusCode::kUnauthenticated;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  std::string tampered = note;
  tampered[note.find("42")] = '3';
  REQUIRE(VerifyNote(tampered, signer->VerifierKey()).status().code() ==
          kUnauth);
  // Another key's verifier: no signature by it.
  REQUIRE(VerifyNote(note, kVerifierKey).status().code() == kUnauth);
  // A foreign signature line is ignored; ours still verifies.
  std::string cosigned = note + "\xE2\x80\x94 other AAAAAAAAAAAA\n";
  REQUIRE(VerifyNote(cosigned, signer->VerifierKey()).ok());
  // A signature line with our name and hash but a wrong signature fails.
  std::string forged = kNote;
  size_t blob = forged.find("x08go/");
  forged[blob + 20] = forged[blob + 20] == 'A' ? 'B' : 'A';
  REQUIRE(VerifyNote(forged, kVerifierKey).status().code() == kUnauth);
  // Malformed notes.
  REQUIRE(VerifyNote(text, signer->VerifierKey()).status().code() == kInvalid);
  REQUIRE(VerifyNote(note.substr(0, note.size() - 1), signer->VerifierKey())
              .status()
              .code() == kInvalid);
  std::string ascii_dash = note;
  ascii_dash.replace(note.find("\xE2\x80\x94"), 3, "-");
  REQUIRE(VerifyNote(ascii_dash, signer->VerifierKey()).status().code() ==
          kInvalid);
  std::string with_tab = "a\tb\n" + note.substr(text.size());
  REQUIRE(VerifyNote(with_tab, signer->VerifierKey()).status().code() ==
          kInvalid);
}

TEST_CASE("verifier keys and signer names are validated", "[note]") {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  for (const char* bad :
       {"", "PeterNeumann", "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"}) {
    INFO(bad);
    REQUIRE(VerifyNote(kNote, bad).status().code() == kInvalid);
  }
  REQUIRE(NoteSigner::Create("a b", *SigningKey::Generate(Algorithm::kEdDSA))
              .status()
              .code() == kInvalid);
  REQUIRE(NoteSigner::Create("a+b", *SigningKey::Generate(Algorithm::kEdDSA))
              .status()
              .code() == kInvalid);
  REQUIRE(NoteSigner::Create("", *SigningKey::Generate(Algorithm::kEdDSA))
              .status()
              .code() == kInvalid);
  REQUIRE(NoteSigner::Create("log", *SigningKey::Generate(Algorithm::kES256))
              .status()
              .code() == kInvalid);
  absl::StatusOr<NoteSigner> signer =
      NoteSigner::Create("log", *SigningKey::Generate(Algorithm::kEdDSA));
  REQUIRE(signer->Sign("no newline").status().code() == kInvalid);
  REQUIRE(signer->Sign("").status().code() == kInvalid);
  REQUIRE(signer->Sign("bell\a\n").status().code() == kInvalid);
}

}  // namespace
}  // namespace accord::crypto
