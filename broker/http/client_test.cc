#include "broker/http/client.h"

#include <catch2/catch.hpp>

namespace accord::http {
namespace {

TEST_CASE("ParseHttpUrl splits http URLs", "[http][client]") {
  auto a = ParseHttpUrl("http://127.0.0.1:7480/.well-known/jwks.json");
  REQUIRE(a.ok());
  CHECK(a->host_port == "127.0.0.1:7480");
  CHECK(a->path == "/.well-known/jwks.json");

  auto b = ParseHttpUrl("HTTP://example.org");
  REQUIRE(b.ok());
  CHECK(b->host_port == "example.org:80");
  CHECK(b->path == "/");

  auto c = ParseHttpUrl("http://[::1]:8080/x?y=1#frag");
  REQUIRE(c.ok());
  CHECK(c->host_port == "[::1]:8080");
  CHECK(c->path == "/x?y=1");

  auto d = ParseHttpUrl("http://[::1]?q");
  REQUIRE(d.ok());
  CHECK(d->host_port == "[::1]:80");
  CHECK(d->path == "/?q");
}

TEST_CASE("ParseHttpUrl rejects what it cannot fetch", "[http][client]") {
  for (const char* bad :
       {"https://a/x", "ftp://a/", "a:80/x", "http://", "http:///x",
        "http://user@a/x", "http://a:/x", "http://a:99999/", "http://::1/",
        "http://a/x y", "http://a/\x01"}) {
    INFO(bad);
    auto r = ParseHttpUrl(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseHttpResponse frames by Content-Length", "[http][client]") {
  auto r = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: a/b\r\nContent-Length: 3\r\n\r\nabc");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  REQUIRE(r->Header("content-type") != nullptr);
  CHECK(*r->Header("content-type") == "a/b");
  CHECK(r->Header("x-none") == nullptr);
  CHECK(r->body == "abc");

  auto short_body =
      ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc");
  REQUIRE_FALSE(short_body.ok());
  CHECK(short_body.status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("ParseHttpResponse decodes chunked bodies", "[http][client]") {
  auto r = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n");
  REQUIRE(r.ok());
  CHECK(r->body == "abc0123456789");

  for (const char* bad : {
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
           "chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc",
       }) {
    INFO(bad);
    auto e = ParseHttpResponse(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("ParseHttpResponse reads to the end without framing",
          "[http][client]") {
  auto r = ParseHttpResponse("HTTP/1.0 404 Not Found\r\n\r\nnothing");
  REQUIRE(r.ok());
  CHECK(r->status == 404);
  CHECK(r->body == "nothing");
}

TEST_CASE("ParseHttpResponse rejects malformed heads", "[http][client]") {
  for (const char* bad : {"", "HTTP/1.1 200 OK\r\n", "SPDY 200 OK\r\n\r\n",
                          "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"}) {
    INFO(bad);
    auto e = ParseHttpResponse(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("HttpGet validates its arguments and reports refused connections",
          "[http][client]") {
  CHECK(HttpGet("nohost", "/", absl::Seconds(1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(HttpGet("127.0.0.1:1", "x", absl::Seconds(1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(HttpGet("127.0.0.1:1", "/a b", absl::Seconds(1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // Port 1 on loopback: nothing listens there in a test environment.
  CHECK(HttpGet("127.0.0.1:1", "/", absl::Seconds(1)).status().code() ==
        absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace accord::http
