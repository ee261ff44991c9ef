#include "broker/crypto/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "broker/crypto/hmac.h"

namespace accord::crypto {
namespace {

// Bytes that differ with `seed` and position.
std::string Bytes(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>((i * 131 + seed * 17 + (i >> 3)) & 0xff);
  }
  return s;
}

// OpenSSL's one-shot calls: the reference the reused contexts must match.
Digest OneShotSha256(absl::string_view data) {
  Digest out;
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(),
                     nullptr) == 1);
  REQUIRE(len == out.size());
  return out;
}

Digest OneShotHmac(absl::string_view key, absl::string_view data) {
  Digest out;
  unsigned int len = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(data.data()), data.size(),
               out.data(), &len) != nullptr);
  REQUIRE(len == out.size());
  return out;
}

TEST_CASE("SHA-256 matches FIPS 180-2's examples", "[sha256]") {
  CHECK(ToHex(Sha256("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ToHex(Sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ToHex(Sha256(
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(ToHex(Sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // The three-part form, split inside the message and with empty parts.
  CHECK(ToHex(Sha256("a", "b", "c")) == ToHex(Sha256("abc")));
  CHECK(ToHex(Sha256("", "abc", "")) == ToHex(Sha256("abc")));
  CHECK(ToHex(Sha256("", "", "")) == ToHex(Sha256("")));
}

TEST_CASE("SHA-256 equals OpenSSL's one-shot digest at every length and split",
          "[sha256]") {
  // Lengths across the 55/56/64-byte padding boundaries and several blocks.
  for (size_t n = 0; n <= 300; ++n) {
    const std::string data = Bytes(n, static_cast<int>(n));
    const Digest want = OneShotSha256(data);
    INFO("length " << n);
    REQUIRE(Sha256(data) == want);
    const size_t i = n / 3, j = n - n / 5;
    REQUIRE(Sha256(absl::string_view(data).substr(0, i),
                   absl::string_view(data).substr(i, j - i),
                   absl::string_view(data).substr(j)) == want);
  }
}

TEST_CASE("HMAC-SHA-256 equals OpenSSL's one-shot HMAC for keys of any length",
          "[hmac]") {
  // Keys shorter than, equal to and longer than the 64-byte block.
  for (size_t k : {0, 1, 16, 32, 63, 64, 65, 100, 200}) {
    for (size_t n : {0, 1, 33, 55, 56, 64, 119, 1000}) {
      const std::string key = Bytes(k, 1), data = Bytes(n, 2);
      INFO("key " << k << " bytes, data " << n << " bytes");
      REQUIRE(HmacSha256(key, data) == OneShotHmac(key, data));
    }
  }
}

TEST_CASE("SHA-256 and HMAC-SHA-256 from several threads at once",
          "[sha256][hmac]") {
  // Every thread hashes the same inputs in a different order, each on its
  // own context; any state carried over from one hash to the next, or
  // shared between threads, would change an answer.
  struct Case {
    std::string key, data;
    Digest sha, mac;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 64; ++i) {
    Case c{Bytes(static_cast<size_t>(i * 3), i),
           Bytes(i * 37 % 301, i + 1),
           {},
           {}};
    c.sha = OneShotSha256(c.data);
    c.mac = OneShotHmac(c.key, c.data);
    cases.push_back(std::move(c));
  }
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cases, &wrong, &done, t] {
      for (int r = 0; r < kRounds; ++r) {
        for (size_t i = 0; i < cases.size(); ++i) {
          const Case& c = cases[(i * (t + 1) + r) % cases.size()];
          if (Sha256(c.data) != c.sha) wrong.fetch_add(1);
          if (HmacSha256(c.key, c.data) != c.mac) wrong.fetch_add(1);
          done.fetch_add(2);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(done.load() == kThreads * kRounds * 64 * 2);
  CHECK(wrong.load() == 0);
}

}  // namespace
}  // namespace accord::crypto
