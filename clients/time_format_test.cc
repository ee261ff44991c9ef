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
  CHECK(ParseTimestamp("2026-05-01T14:00:00+02:00", "f").value() == 1777636800);
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

TEST_CASE("time: durations with a unit or in seconds") {
  CHECK(ParseDuration("3600", "f").value() == 3600);
  CHECK(ParseDuration("90m", "f").value() == 5400);
  CHECK(ParseDuration("12h", "f").value() == 43200);
  CHECK(ParseDuration("180d", "f").value() == 180 * 86400);
  CHECK(ParseDuration("2w", "f").value() == 14 * 86400);
  for (const char* bad : {"", "d", "-3d", "1.5d", "3y", "10 d", "99999999w"}) {
    INFO(bad);
    auto parsed = ParseDuration(bad, "consent_duration");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("consent_duration: ") == 0);
  }
}

TEST_CASE("time: a point in time or a duration from now") {
  const int64_t now = 1777636800;
  CHECK(ParseTimeOrOffset("now", "f", now).value() == now);
  CHECK(ParseTimeOrOffset("90d", "f", now).value() == now + 90 * 86400);
  CHECK(ParseTimeOrOffset("2026-05-02T12:00:00Z", "f", now).value() ==
        now + 86400);
  CHECK(ParseTimeOrOffset("1777636800", "f", now).value() == now);
  auto bad = ParseTimeOrOffset("tomorrow", "closes_at", now);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("closes_at: ") == 0);
}

}  // namespace
}  // namespace accord::client
