#include "broker/store/keys.h"

#include <catch2/catch.hpp>

namespace accord::store::keys {
namespace {

TEST_CASE("big-endian integers sort like numbers") {
  CHECK(BE64(1) < BE64(2));
  CHECK(BE64(255) < BE64(256));
  CHECK(ReadBE64(BE64(0x0102030405060708ull)) == 0x0102030405060708ull);
  CHECK(Policy("d", 2) < Policy("d", 10));
}

TEST_CASE("a subject's grants list newest first") {
  CHECK(GrantBySubject("s", 10, "a") < GrantBySubject("s", 9, "a"));
}

TEST_CASE("prefix ends bound every key of the prefix") {
  CHECK(PrefixEnd("ab") == "ac");
  CHECK(PrefixEnd(std::string("a\xff", 2)) == "b");
  CHECK(PrefixEnd("").empty());
  const std::string p = ConsentBySubjectPrefix("s");
  CHECK(ConsentBySubject("s", "zz") < PrefixEnd(p));
  CHECK(ConsentBySubject("s2", "a") >= PrefixEnd(p));
}

}  // namespace
}  // namespace accord::store::keys
