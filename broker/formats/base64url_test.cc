#include "broker/formats/base64url.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace accord::formats {
namespace {

TEST_CASE("base64url encodes RFC 4648 vectors without padding", "[base64]") {
  REQUIRE(Base64UrlEncode("") == "");
  REQUIRE(Base64UrlEncode("f") == "Zg");
  REQUIRE(Base64UrlEncode("fo") == "Zm8");
  REQUIRE(Base64UrlEncode("foo") == "Zm9v");
  REQUIRE(Base64UrlEncode("foob") == "Zm9vYg");
  REQUIRE(Base64UrlEncode("\xfb\xff") == "-_8");
  REQUIRE(Base64Encode("\xfb\xff") == "+/8=");
  REQUIRE(Base64Encode("fooba") == "Zm9vYmE=");
  REQUIRE(Base64Encode("f") == "Zg==");
}

TEST_CASE("base64url round-trips all byte values", "[base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 17) {
    std::string data = all.substr(0, n);
    REQUIRE(*Base64UrlDecode(Base64UrlEncode(data)) == data);
    REQUIRE(*Base64Decode(Base64Encode(data)) == data);
  }
}

TEST_CASE("base64url decoding is strict", "[base64]") {
  REQUIRE(*Base64UrlDecode("Zm8") == "fo");
  for (const char* bad : {"Zm8=", "Zg==", "Z", "Zm9v Yg", "Zm+v", "Zm/v", "Zh",
                          "Zm9", "Zm\n8", "Zm8*"}) {
    INFO(bad);
    absl::StatusOr<std::string> s = Base64UrlDecode(bad);
    REQUIRE_FALSE(s.ok());
    REQUIRE(s.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("base64url accepts exactly the canonical encodings", "[base64]") {
  // Every text the decoder accepts re-encodes to itself, and a bad
  // character is reported at its own offset, wherever it sits.
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text(next() % 23, 'A');
    for (char& c : text) c = alphabet[next() % 64];
    absl::StatusOr<std::string> decoded = Base64UrlDecode(text);
    if (decoded.ok()) {
      REQUIRE(Base64UrlEncode(*decoded) == text);
    } else {
      // Only an impossible length or non-zero unused bits are refused.
      REQUIRE((text.size() % 4 == 1 ||
               absl::StrContains(decoded.status().message(), "trailing")));
    }
    if (text.size() % 4 != 1 && !text.empty()) {
      const size_t at = next() % text.size();
      std::string bad = text;
      bad[at] = "=+/ .\n\0\xff"[next() % 8];
      absl::StatusOr<std::string> refused = Base64UrlDecode(bad);
      REQUIRE_FALSE(refused.ok());
      REQUIRE(absl::StrContains(refused.status().message(),
                                absl::StrCat("offset ", at)));
    }
  }
}

TEST_CASE("standard base64 decoding is strict", "[base64]") {
  REQUIRE(*Base64Decode("Zm8=") == "fo");
  REQUIRE(*Base64Decode("Zg==") == "f");
  for (const char* bad : {"Zm8", "Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm-v",
                          "Zm_v", "Zg=A", "====", "Zm 8="}) {
    INFO(bad);
    REQUIRE_FALSE(Base64Decode(bad).ok());
  }
}

}  // namespace
}  // namespace accord::formats
