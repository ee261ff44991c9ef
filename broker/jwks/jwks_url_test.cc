#include "broker/jwks/jwks_url.h"

#include <catch2/catch.hpp>

namespace accord::jwks {
namespace {

TEST_CASE("JWKS URLs: https anywhere, http only when allowed and on loopback") {
  auto https =
      ParseJwksUrl("https://broker.example/.well-known/jwks.json", false);
  REQUIRE(https.ok());
  CHECK(https->https);
  CHECK(https->host == "broker.example");
  CHECK(https->port == 443);
  CHECK(https->path == "/.well-known/jwks.json");
  auto v6 = ParseJwksUrl("https://[::1]:7480", false);
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7480);
  CHECK(v6->path == "/");

  CHECK(ParseJwksUrl("http://127.0.0.1:7480/jwks", false).status().code() ==
        absl::StatusCode::kInvalidArgument);
  for (const char* loopback :
       {"http://127.0.0.1:7480/jwks", "http://127.9.9.9/", "http://[::1]:80/",
        "http://localhost:1/x"}) {
    INFO(loopback);
    CHECK(ParseJwksUrl(loopback, true).ok());
  }
  for (const char* bad :
       {"http://10.0.0.1/jwks", "http://broker.example/", "http://[::2]/",
        "ftp://h/x", "https://", "https://user@h/x", "https://h:0/",
        "https://h:65536/", "https://h:/x", "https://h:12a/", "https://[::1/",
        "https://[nothex]/", "https://h/a b", "https://h/a#frag",
        "https://h_x/", "HTTPS://h/"}) {
    INFO(bad);
    CHECK(ParseJwksUrl(bad, true).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("JWKS Cache-Control: max-age, no-store, and junk") {
  CHECK(CacheMaxAge("public, max-age=300") == absl::Seconds(300));
  CHECK(CacheMaxAge("MAX-AGE = \"60\"") == absl::Seconds(60));
  CHECK(CacheMaxAge("max-age=600, max-age=30") == absl::Seconds(30));
  CHECK(CacheMaxAge("max-age=99999999999999999999") == absl::Hours(24));
  CHECK(CacheMaxAge("no-store") == absl::ZeroDuration());
  CHECK(CacheMaxAge("max-age=60, no-cache") == absl::ZeroDuration());
  CHECK_FALSE(CacheMaxAge("").has_value());
  CHECK_FALSE(CacheMaxAge("public").has_value());
  CHECK_FALSE(CacheMaxAge("max-age=-5").has_value());
  CHECK_FALSE(CacheMaxAge("max-age=").has_value());
  CHECK_FALSE(CacheMaxAge("s-maxage=10").has_value());
}

}  // namespace
}  // namespace accord::jwks
