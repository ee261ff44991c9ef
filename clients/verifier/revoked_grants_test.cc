#include "clients/verifier/revoked_grants.h"

#include <catch2/catch.hpp>

#include "clients/verifier/test_grants.h"

namespace accord::verifier {
namespace {

using testing::TestClock;

RevokedGrants::Options At(const TestClock& clock) {
  RevokedGrants::Options o;
  o.max_grant_lifetime = absl::Seconds(600);
  o.max_staleness = absl::Seconds(30);
  o.settle = absl::Seconds(1);
  o.now = [&clock] { return clock.Now(); };
  return o;
}

TEST_CASE(
    "revoked grant ids are refused, and dropped once the grant would have "
    "expired") {
  TestClock clock(testing::kNow);
  RevokedGrants set(At(clock));
  set.StreamOpened();
  set.Add({"g1", "g2"});
  CHECK(set.Check("g1").code() == absl::StatusCode::kPermissionDenied);
  CHECK(set.Check("g3").ok());
  clock.Advance(300);
  set.Add({"g3", "g1"});  // g1 again: kept from now
  clock.Advance(301);
  set.Add({});  // prunes
  CHECK(set.size() == 2);
  CHECK(set.Check("g2").ok());
  CHECK(set.Check("g1").code() == absl::StatusCode::kPermissionDenied);
  clock.Advance(300);
  set.Add({});
  CHECK(set.size() == 0);
  CHECK(set.Check("g1").ok());
}

TEST_CASE(
    "revocations fail closed: before the stream is up and when it is down too "
    "long") {
  TestClock clock(testing::kNow);
  RevokedGrants set(At(clock));
  CHECK(set.Check("g").code() == absl::StatusCode::kUnavailable);
  set.StreamOpened();
  // Not up until it delivered or stayed open for `settle`.
  CHECK(set.Check("g").code() == absl::StatusCode::kUnavailable);
  clock.Advance(1);
  CHECK(set.Check("g").ok());
  set.StreamEnded();
  clock.Advance(30);
  CHECK(set.Check("g").ok());
  // Streams that the broker ends at once do not count as up.
  set.StreamOpened();
  set.StreamEnded();
  clock.Advance(1);
  CHECK(set.Check("g").code() == absl::StatusCode::kUnavailable);
  // A delivering stream is up at once.
  set.StreamOpened();
  set.Add({"other"});
  CHECK(set.Check("g").ok());
  CHECK(set.Check("other").code() == absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace accord::verifier
