#include "broker/http/request.h"

#include <catch2/catch.hpp>
#include <string>

namespace accord::http {
namespace {

using State = ParsedHead::State;

TEST_CASE("ParseRequestHead parses a complete HTTP/1.1 GET",
          "[http][request]") {
  const std::string raw =
      "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\nNEXT";
  ParsedHead head = ParseRequestHead(raw, 8192);
  REQUIRE(head.state == State::kComplete);
  CHECK(head.request.method == "GET");
  CHECK(head.request.path == "/metrics");
  CHECK(head.request.keep_alive);
  CHECK(head.consumed == raw.size() - 4);
}

TEST_CASE("ParseRequestHead waits for the blank line", "[http][request]") {
  CHECK(ParseRequestHead("", 8192).state == State::kIncomplete);
  CHECK(ParseRequestHead("GET / HTTP/1.1\r\nHost: a\r\n", 8192).state ==
        State::kIncomplete);
}

TEST_CASE("ParseRequestHead derives keep-alive from version and Connection",
          "[http][request]") {
  auto keep = [](const std::string& raw) {
    ParsedHead h = ParseRequestHead(raw, 8192);
    REQUIRE(h.state == State::kComplete);
    return h.request.keep_alive;
  };
  CHECK_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  CHECK_FALSE(keep(
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  CHECK(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

TEST_CASE("ParseRequestHead bounds the head", "[http][request]") {
  std::string big =
      "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(200, 'a') +
      "\r\n\r\n";
  ParsedHead head = ParseRequestHead(big, 128);
  REQUIRE(head.state == State::kError);
  CHECK(head.error_status == 431);

  // Unterminated but already at the limit: no need to wait for more.
  ParsedHead partial = ParseRequestHead(big.substr(0, 128), 128);
  REQUIRE(partial.state == State::kError);
  CHECK(partial.error_status == 431);

  ParsedHead line = ParseRequestHead("GET /" + std::string(200, 'a'), 128);
  REQUIRE(line.state == State::kError);
  CHECK(line.error_status == 414);
}

TEST_CASE("ParseRequestHead refuses request bodies with 413",
          "[http][request]") {
  for (const char* raw :
       {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
    INFO(raw);
    ParsedHead head = ParseRequestHead(raw, 8192);
    REQUIRE(head.state == State::kError);
    CHECK(head.error_status == 413);
  }
  CHECK(ParseRequestHead(
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 8192)
            .state == State::kComplete);
}

TEST_CASE("ParseRequestHead answers 505 to other HTTP versions",
          "[http][request]") {
  ParsedHead head = ParseRequestHead("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 8192);
  REQUIRE(head.state == State::kError);
  CHECK(head.error_status == 505);
}

TEST_CASE("ParseRequestHead rejects malformed heads with 400",
          "[http][request]") {
  for (const char* raw : {
           "\r\n\r\n",
           "GET /\r\nHost: a\r\n\r\n",
           "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
           "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
           "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
           "99999999999999999999999\r\n\r\n",
           "GET / HTTP/x\r\nHost: a\r\n\r\n",
       }) {
    INFO(raw);
    ParsedHead head = ParseRequestHead(raw, 8192);
    REQUIRE(head.state == State::kError);
    CHECK(head.error_status == 400);
  }
}

}  // namespace
}  // namespace accord::http
