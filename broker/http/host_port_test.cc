#include "broker/http/host_port.h"

#include <catch2/catch.hpp>

namespace accord::http {
namespace {

TEST_CASE("SplitHostPort accepts IPv4, bracketed IPv6 and names",
          "[http][host_port]") {
  auto v4 = SplitHostPort("127.0.0.1:7480");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 7480);

  auto v6 = SplitHostPort("[::1]:0");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);

  auto name = SplitHostPort("localhost:65535");
  REQUIRE(name.ok());
  CHECK(name->host == "localhost");
  CHECK(name->port == 65535);
}

TEST_CASE("SplitHostPort rejects malformed addresses", "[http][host_port]") {
  for (const char* bad :
       {"", "127.0.0.1", ":7480", "127.0.0.1:", "127.0.0.1:65536",
        "127.0.0.1:-1", "127.0.0.1:80a", "::1:7480", "[::1]7480", "[::1:7480",
        "[]:7480", "host name:80", "127.0.0.1:0000080"}) {
    INFO(bad);
    auto r = SplitHostPort(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace accord::http
