#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "broker/crypto/hmac.h"
#include "broker/crypto/random.h"
#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

TEST_CASE("HMAC-SHA-256 matches RFC 4231", "[hmac]") {
  // Test case 1.
  CHECK(ToHex(HmacSha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  CHECK(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 3: 50 bytes of data.
  CHECK(ToHex(HmacSha256(std::string(20, '\xaa'), std::string(50, '\xdd'))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Test case 4: a 25-byte key.
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4.push_back(c);
  CHECK(ToHex(HmacSha256(key4, std::string(50, '\xcd'))) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test case 5: the vector gives the first 128 bits.
  CHECK(ToHex(HmacSha256(std::string(20, '\x0c'), "Test With Truncation"))
            .substr(0, 32) == "a3b6167473100ee06e0c796c2955552b");
  // Test case 6: a key longer than the block size.
  CHECK(ToHex(HmacSha256(std::string(131, '\xaa'),
                         "Test Using Larger Than Block-Size Key - Hash Key "
                         "First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Test case 7: key and data longer than the block size.
  CHECK(ToHex(HmacSha256(
            std::string(131, '\xaa'),
            "This is a test using a larger than block-size key and a larger "
            "than block-size data. The key needs to be hashed before being "
            "used by the HMAC algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  CHECK(HmacSha256("", "") != HmacSha256("k", ""));
}

TEST_CASE("ConstantTimeEquals", "[hmac]") {
  REQUIRE(ConstantTimeEquals("abc", "abc"));
  REQUIRE_FALSE(ConstantTimeEquals("abc", "abd"));
  REQUIRE_FALSE(ConstantTimeEquals("abc", "ab"));
  REQUIRE(ConstantTimeEquals("", ""));
}

TEST_CASE("random bytes and ids", "[random]") {
  REQUIRE(RandomBytes(0).empty());
  REQUIRE(RandomBytes(33).size() == 33);
  REQUIRE(RandomBytes(32) != RandomBytes(32));
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = RandomId();
    REQUIRE(id.size() == 22);
    REQUIRE(formats::Base64UrlDecode(id)->size() == 16);
    ids.insert(id);
  }
  REQUIRE(ids.size() == 100);
}

TEST_CASE("random ids never read as command-line flags") {
  // With 1 in 32 draws starting with '-' or '_', 5000 draws would show one.
  for (int i = 0; i < 5000; ++i) {
    const std::string id = RandomId();
    REQUIRE(id[0] != '-');
    REQUIRE(id[0] != '_');
  }
}

}  // namespace
}  // namespace accord::crypto
