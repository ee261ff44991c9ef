#include "broker/http/listener.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace accord::http {
namespace {

TEST_CASE("OpenListener binds an ephemeral port", "[http][listener]") {
  auto l = OpenListener("127.0.0.1:0");
  REQUIRE(l.ok());
  CHECK(l->fd >= 0);
  CHECK(l->port > 0);

  // The same port cannot be bound twice.
  auto again = OpenListener(absl::StrCat("127.0.0.1:", l->port));
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == absl::StatusCode::kUnavailable);
  close(l->fd);
}

TEST_CASE("OpenListener reports bad and foreign addresses",
          "[http][listener]") {
  CHECK(OpenListener("127.0.0.1").status().code() ==
        absl::StatusCode::kInvalidArgument);
  // TEST-NET-1 (RFC 5737) is never a local address.
  CHECK(OpenListener("192.0.2.1:0").status().code() ==
        absl::StatusCode::kUnavailable);
}

TEST_CASE("CheckListenable names the address and why it cannot be used",
          "[http][listener]") {
  auto l = OpenListener("127.0.0.1:0");
  REQUIRE(l.ok());
  const std::string address = absl::StrCat("127.0.0.1:", l->port);
  const absl::Status in_use = CheckListenable(address);
  CHECK(absl::IsUnavailable(in_use));
  CHECK(absl::StrContains(in_use.message(), address));
  CHECK(absl::StrContains(in_use.message(), "Address already in use"));
  close(l->fd);
  // Free again, and the check holds nothing open.
  CHECK(CheckListenable(address).ok());
  auto reopened = OpenListener(address);
  REQUIRE(reopened.ok());
  close(reopened->fd);
}

}  // namespace
}  // namespace accord::http
