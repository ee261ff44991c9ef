#include "broker/service/rate_limiter.h"

#include <catch2/catch.hpp>

namespace accord::service {
namespace {

TEST_CASE("rate limiter: a burst then the refill rate, per principal") {
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  RateLimiter limiter(10, 3, &clock);
  REQUIRE(limiter.enabled());
  for (int i = 0; i < 3; ++i) CHECK(limiter.Allow("partner-a").ok());
  CHECK(absl::IsResourceExhausted(limiter.Allow("partner-a")));
  // Another principal has its own bucket.
  CHECK(limiter.Allow("partner-b").ok());
  // 10 per second: one token every 100 ms.
  clock.Advance(absl::Milliseconds(100));
  CHECK(limiter.Allow("partner-a").ok());
  CHECK(absl::IsResourceExhausted(limiter.Allow("partner-a")));
  // A long pause refills only up to the burst.
  clock.Advance(absl::Seconds(60));
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += limiter.Allow("partner-a").ok();
  CHECK(allowed == 3);
}

TEST_CASE("rate limiter: burst 0 means one second's worth") {
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  RateLimiter limiter(5, 0, &clock);
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += limiter.Allow("p").ok();
  CHECK(allowed == 5);
}

TEST_CASE("rate limiter: rate 0 is no limit") {
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  RateLimiter limiter(0, 0, &clock);
  CHECK_FALSE(limiter.enabled());
  for (int i = 0; i < 10000; ++i) REQUIRE(limiter.Allow("p").ok());
}

}  // namespace
}  // namespace accord::service
