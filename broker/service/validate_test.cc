#include "broker/service/validate.h"

#include <catch2/catch.hpp>
#include <string>

#include "broker/service/limits.h"

namespace accord::service {
namespace {

TEST_CASE("identifiers") {
  CHECK(CheckId("f", "rennes.energy.household-consumption").ok());
  CHECK(CheckId("f", "a").ok());
  CHECK(absl::IsInvalidArgument(CheckId("f", "")));
  CHECK(absl::IsInvalidArgument(CheckId("f", "Upper")));
  CHECK(absl::IsInvalidArgument(CheckId("f", ".dot-first")));
  CHECK(absl::IsInvalidArgument(CheckId("f", std::string(129, 'a'))));
  CHECK(CheckId("dataset.id", "").message().rfind("dataset.id", 0) == 0);
}

TEST_CASE("text") {
  CHECK(CheckText("t", "Qualité de l'air", 200).ok());
  CHECK(absl::IsInvalidArgument(CheckText("t", "", 10)));
  CHECK(absl::IsInvalidArgument(CheckText("t", "a\nb", 10)));
  CHECK(absl::IsInvalidArgument(CheckText("t", "\xc3", 10)));
  CHECK(absl::IsInvalidArgument(CheckText("t", "\xff\xfe", 10)));
  CHECK(absl::IsInvalidArgument(CheckText("t", "abcdef", 5)));
}

TEST_CASE("text is strict UTF-8, as proto3 string fields need") {
  CHECK(CheckText("t", "\xc2\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\xb2", 20).ok());
  CHECK(CheckText("t", "\xed\x9f\xbf \xf4\x8f\xbf\xbf", 20).ok());
  // Overlong forms, surrogates, code points above U+10FFFF (found by
  // accord-validate-fuzz), lone continuation bytes.
  for (const char* bad :
       {"\xc0\x80", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80", "\xf4\x9f\x9a\xb2",
        "\xf5\x80\x80\x80", "\x80"}) {
    INFO(bad);
    CHECK(absl::IsInvalidArgument(CheckText("t", bad, 20)));
  }
}

TEST_CASE("identifier lists reject duplicates and overflow") {
  google::protobuf::RepeatedPtrField<std::string> list;
  *list.Add() = "a";
  *list.Add() = "b";
  CHECK(CheckIdList("fields", list, 2).ok());
  CHECK(absl::IsInvalidArgument(CheckIdList("fields", list, 1)));
  *list.Add() = "a";
  CHECK(absl::IsInvalidArgument(CheckIdList("fields", list, 10)));
}

TEST_CASE("page sizes") {
  uint32_t n = 0;
  CHECK(CheckPageSize(0, &n).ok());
  CHECK(n == 100);
  CHECK(CheckPageSize(1000, &n).ok());
  CHECK(n == 1000);
  CHECK(absl::IsInvalidArgument(CheckPageSize(1001, &n)));
}

TEST_CASE("lengths, counts and page tokens are bounded") {
  CHECK(CheckLength("f", "", 3).ok());
  CHECK(CheckLength("f", "abc", 3).ok());
  CHECK(absl::IsInvalidArgument(CheckLength("f", "abcd", 3)));
  CHECK(CheckLength("partner", "abcd", 3).message().rfind("partner", 0) == 0);
  CHECK(CheckCount("l", 3, 3).ok());
  CHECK(absl::IsInvalidArgument(CheckCount("l", 4, 3)));
  uint32_t n = 0;
  CHECK(CheckPage(0, std::string(kMaxPageTokenBytes, 't'), &n).ok());
  CHECK(n == kDefaultPageSize);
  const absl::Status long_token =
      CheckPage(0, std::string(kMaxPageTokenBytes + 1, 't'), &n);
  CHECK(absl::IsInvalidArgument(long_token));
  CHECK(long_token.message().rfind("page_token", 0) == 0);
  CHECK(absl::IsInvalidArgument(CheckPage(kMaxPageSize + 1, "", &n)));
}

TEST_CASE("subjects are base64url pseudonyms") {
  CHECK(CheckSubject("s", "abc-DEF_123").ok());
  CHECK(absl::IsInvalidArgument(CheckSubject("s", "a b")));
  CHECK(absl::IsInvalidArgument(CheckSubject("s", "")));
  CHECK(absl::IsInvalidArgument(CheckSubject("s", std::string(65, 'a'))));
}

}  // namespace
}  // namespace accord::service
