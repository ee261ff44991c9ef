#include "broker/http/router.h"

#include <catch2/catch.hpp>

namespace accord::http {
namespace {

Response Ok() { return Response{200, "text/plain", {}, "hi"}; }

TEST_CASE("Router finds exact paths only", "[http][router]") {
  Router router;
  router.Get("/x", Ok);
  REQUIRE(router.Validate().ok());
  const Handler* h = router.Find("/x");
  REQUIRE(h != nullptr);
  CHECK((*h)().body == "hi");
  CHECK(router.Find("/x/") == nullptr);
  CHECK(router.Find("/") == nullptr);
}

TEST_CASE("Router reports bad registrations", "[http][router]") {
  Router twice;
  twice.Get("/x", Ok);
  twice.Get("/x", Ok);
  CHECK(twice.Validate().code() == absl::StatusCode::kInvalidArgument);

  Router relative;
  relative.Get("x", Ok);
  CHECK(relative.Validate().code() == absl::StatusCode::kInvalidArgument);

  Router empty;
  empty.Get("/x", nullptr);
  CHECK(empty.Validate().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("SerializeResponse frames the body", "[http][router]") {
  Response r{404, "text/plain", {{"Cache-Control", "no-store"}}, "nope"};
  auto full = SerializeResponse(r, false, false);
  REQUIRE(full.ok());
  CHECK(*full ==
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
        "Content-Length: 4\r\nCache-Control: no-store\r\n\r\nnope");
  auto head = SerializeResponse(r, true, true);
  REQUIRE(head.ok());
  CHECK(*head ==
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
        "Content-Length: 4\r\nConnection: close\r\n"
        "Cache-Control: no-store\r\n\r\n");
}

TEST_CASE("SerializeResponse refuses header injection and bad status",
          "[http][router]") {
  CHECK_FALSE(SerializeResponse(Response{99, "", {}, ""}, false, false).ok());
  CHECK_FALSE(SerializeResponse(Response{600, "", {}, ""}, false, false).ok());
  CHECK_FALSE(
      SerializeResponse(Response{200, "a\r\nX: y", {}, ""}, false, false).ok());
  CHECK_FALSE(SerializeResponse(Response{200, "", {{"X", "a\r\nY: b"}}, ""},
                                false, false)
                  .ok());
  CHECK_FALSE(
      SerializeResponse(Response{200, "", {{"X Y", "a"}}, ""}, false, false)
          .ok());
  CHECK_FALSE(
      SerializeResponse(Response{200, "", {{"Content-Length", "1"}}, ""}, false,
                        false)
          .ok());
}

}  // namespace
}  // namespace accord::http
