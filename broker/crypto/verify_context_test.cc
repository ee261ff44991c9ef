// The ES256 verification path: raw r||s to DER without OpenSSL's encoder,
// and the per-thread verification contexts behind VerifyingKey::Verify.
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "broker/crypto/ecdsa_raw.h"
#include "broker/crypto/random.h"
#include "broker/crypto/signing_key.h"

namespace accord::crypto {
namespace {

// DER of r||s as OpenSSL's own encoder writes it.
std::string OpenSslDer(const std::string& raw) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr),
                 BN_bin2bn(bytes + 32, 32, nullptr));
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  ECDSA_SIG_free(sig);
  return der;
}

TEST_CASE("raw r||s becomes the DER that OpenSSL writes", "[ecdsa]") {
  std::vector<std::string> cases = {
      std::string(64, '\0'),    // r = s = 0
      std::string(64, '\xff'),  // high bits set
      std::string(31, '\0') + "\x01" + std::string(32, '\x7f'),
      std::string(5, '\0') + std::string(27, '\x80') + std::string(32, '\x01'),
  };
  for (int i = 0; i < 200; ++i) {
    std::string raw = RandomBytes(64);
    // Leading zero bytes of varied lengths on either half.
    for (int k = 0; k < i % 9; ++k) raw[(i % 2 == 0 ? 0 : 32) + k] = '\0';
    cases.push_back(raw);
  }
  for (const std::string& raw : cases) {
    std::string der;
    REQUIRE(internal::RawToDerSignature(raw, &der));
    CHECK(der == OpenSslDer(raw));
    CHECK(der.size() <= internal::kMaxDerP256Signature);
    std::string back;
    REQUIRE(internal::DerToRawSignature(der, &back));
    CHECK(back == raw);
  }
  std::string der;
  CHECK_FALSE(internal::RawToDerSignature(std::string(63, 'a'), &der));
  unsigned char buffer[internal::kMaxDerP256Signature];
  CHECK(internal::RawToDerSignature(std::string(65, 'a'), buffer) == 0);
}

struct Signed {
  SigningKey key;
  std::string message;
  std::string signature;
};

std::vector<Signed> SignedByKeys(int n) {
  std::vector<Signed> out;
  for (int i = 0; i < n; ++i) {
    SigningKey key = *SigningKey::Generate(Algorithm::kES256);
    std::string message = "grant-" + std::to_string(i);
    std::string signature = *key.Sign(message);
    out.push_back({std::move(key), std::move(message), std::move(signature)});
  }
  return out;
}

TEST_CASE(
    "more keys than a thread caches each verify only their own signatures",
    "[ecdsa]") {
  const std::vector<Signed> all = SignedByKeys(7);
  for (int round = 0; round < 3; ++round) {
    for (const Signed& verifier : all) {
      for (const Signed& s : all) {
        const bool own = &verifier == &s;
        INFO("round " << round << " own " << own);
        CHECK(
            verifier.key.verifying_key().Verify(s.message, s.signature).ok() ==
            own);
      }
    }
  }
}

TEST_CASE("a refused signature does not spoil the next verification",
          "[ecdsa]") {
  const std::vector<Signed> one = SignedByKeys(1);
  const VerifyingKey& key = one[0].key.verifying_key();
  std::string forged = one[0].signature;
  forged[40] ^= 0x01;
  for (int i = 0; i < 5; ++i) {
    CHECK(key.Verify(one[0].message, forged).code() ==
          absl::StatusCode::kUnauthenticated);
    CHECK(key.Verify(one[0].message, std::string(64, '\0')).code() ==
          absl::StatusCode::kUnauthenticated);
    CHECK(key.Verify(one[0].message, one[0].signature).ok());
  }
}

TEST_CASE("keys that come and go never verify with a stale context",
          "[ecdsa]") {
  // Each key is freed before the next is made, so allocations (and key
  // addresses) are reused: each key must still accept only its own
  // signatures.
  std::string previous_message, previous_signature;
  for (int i = 0; i < 30; ++i) {
    std::vector<Signed> one = SignedByKeys(1);
    const VerifyingKey& key = one[0].key.verifying_key();
    CHECK(key.Verify(one[0].message, one[0].signature).ok());
    if (!previous_signature.empty()) {
      CHECK_FALSE(key.Verify(previous_message, previous_signature).ok());
    }
    previous_message = one[0].message;
    previous_signature = one[0].signature;
  }
}

TEST_CASE("verifying from many threads at once gives the same answers",
          "[ecdsa]") {
  const std::vector<Signed> all = SignedByKeys(3);
  std::atomic<int> wrong{0};
  std::atomic<int> checked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        const Signed& verifier = all[(i + t) % all.size()];
        const Signed& s = all[(i * 7 + t) % all.size()];
        const bool own = &verifier == &s;
        if (verifier.key.verifying_key().Verify(s.message, s.signature).ok() !=
            own) {
          ++wrong;
        }
        ++checked;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(checked == 240);
  CHECK(wrong == 0);
}

}  // namespace
}  // namespace accord::crypto
