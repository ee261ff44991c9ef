#include "clients/time_format.h"

#include <catch2/catch.hpp>

namespace accord::client {
namespace {

TEST_CASE("time: formats RFC 3339 in UTC") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(1777636800) == "2026-05-01T12:00:00Z");
}

TEST_CASE("time: parses RFC 3339 and Unix seconds") {
  CHECK(ParseTimestamp("2026-05-01T12:00:00Z", "f").value() == 1777636800);
  CHECK(ParseTimestamp("2026-05-01T14:00:00+02:00", "f").value() ==
        1777636800);
  CHECK(ParseTimestamp("2026-05-01T12:00:00.75Z", "f").value() == 1777636800);
  CHECK(ParseTimestamp("1777636800", "f").value() == 1777636800);
  CHECK(ParseTimestamp(FormatRfc3339(1234567890), "f").value() == 1234567890);
}

TEST_CASE("time: rejects what is neither") {
  for (const char* bad : {"", "-5", "tomorrow", "2026-05-01", "12abc",
                          "99999999999999999999999"}) {
    INFO(bad);
    auto t = ParseTimestamp(bad, "--expires");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace accord::client
