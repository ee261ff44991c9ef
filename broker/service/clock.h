#ifndef ACCORD_BROKER_SERVICE_CLOCK_H_
#define ACCORD_BROKER_SERVICE_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace accord::service {

// The one clock abstraction of the broker; tests use a settable one.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  int64_t NowSeconds() const { return absl::ToUnixSeconds(Now()); }
};

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A clock that only moves when told to.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(absl::ToUnixNanos(start)) {}
  absl::Time Now() const override { return absl::FromUnixNanos(now_.load()); }
  void Advance(absl::Duration d) { now_ += absl::ToInt64Nanoseconds(d); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CLOCK_H_
