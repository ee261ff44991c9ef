#ifndef ACCORD_BROKER_SERVICE_READINESS_H_
#define ACCORD_BROKER_SERVICE_READINESS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace accord::store {
class Store;
}  // namespace accord::store

namespace accord::service {

// Whether the broker can serve now, as /readyz and the gRPC health status
// tell load balancers: not while a write has waited longer than a bound
// for the store's writer (a stalled disk), while more calls than a bound
// are in flight (callbacks queue up faster than they finish), or while the
// last write failed (a full disk). Thread-safe.
class Readiness {
 public:
  struct Limits {
    absl::Duration max_write_wait = absl::Seconds(2);
    int64_t max_calls_in_flight = 5000;
  };

  // `store` outlives this object.
  Readiness(const store::Store* store, Limits limits);
  ~Readiness();  // Stop()
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // Every call counts itself from its start to its Finish.
  void CallStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void CallFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t calls_in_flight() const {
    return in_flight_.load(std::memory_order_relaxed);
  }

  // OK when the broker can serve; otherwise UNAVAILABLE saying why, for
  // the broker's own log (not for callers: it may name internals).
  absl::Status Check() const;

  // Checks every `period` on a thread of its own and calls `on_change`
  // with the new state (and once at the start). Stop ends it.
  void Watch(absl::Duration period,
             std::function<void(const absl::Status&)> on_change)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const store::Store* const store_;
  const Limits limits_;
  std::atomic<int64_t> in_flight_{0};
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_READINESS_H_
