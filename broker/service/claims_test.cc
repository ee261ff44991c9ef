#include "broker/service/claims.h"

#include <catch2/catch.hpp>
#include <utility>

namespace accord::service {
namespace {

TEST_CASE("A key is held by one claim at a time, until it is released") {
  KeyClaims claims;
  KeyClaims::Claim first = claims.Take("dataset-a");
  REQUIRE(first.held());
  CHECK_FALSE(claims.Take("dataset-a").held());
  CHECK(claims.Take("dataset-b").held());
  first.Release();
  CHECK_FALSE(first.held());
  CHECK(claims.Take("dataset-a").held());
}

TEST_CASE("A moved claim keeps the key, and its destruction releases it") {
  KeyClaims claims;
  {
    KeyClaims::Claim moved;
    {
      KeyClaims::Claim claim = claims.Take("subject");
      moved = std::move(claim);
      CHECK_FALSE(claim.held());
    }
    CHECK(moved.held());
    CHECK_FALSE(claims.Take("subject").held());
  }
  CHECK(claims.Take("subject").held());
}

}  // namespace
}  // namespace accord::service
