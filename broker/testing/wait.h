#ifndef ACCORD_BROKER_TESTING_WAIT_H_
#define ACCORD_BROKER_TESTING_WAIT_H_

// The one way tests wait for something they can observe, and the one way a
// randomised test picks and reports its seed. Header-only, so unit tests
// beside the code and the integration tests share them.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace accord::testing {

// Polls `done` every 20 ms until it holds: returns true then, or false
// once `bound` has passed (a broken build must not hang the suite; the
// bound is no performance limit).
inline bool WaitUntil(const std::function<bool()>& done,
                      absl::Duration bound = absl::Minutes(2)) {
  const absl::Time give_up = absl::Now() + bound;
  while (!done()) {
    if (absl::Now() >= give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// The seed of a randomised test: ACCORD_TEST_SEED when it is set (to run
// a failed run again), else a fresh random one. Prints
// "<test_name>: seed S (rerun with ACCORD_TEST_SEED=S)" on stderr.
inline uint32_t TestSeed(const std::string& test_name) {
  uint32_t seed = std::random_device{}();
  if (const char* given = std::getenv("ACCORD_TEST_SEED");
      given != nullptr && *given != '\0') {
    seed = static_cast<uint32_t>(std::strtoul(given, nullptr, 10));
  }
  std::fprintf(stderr, "%s: seed %u (rerun with ACCORD_TEST_SEED=%u)\n",
               test_name.c_str(), seed, seed);
  return seed;
}

}  // namespace accord::testing

#endif  // ACCORD_BROKER_TESTING_WAIT_H_
