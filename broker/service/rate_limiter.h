#ifndef ACCORD_BROKER_SERVICE_RATE_LIMITER_H_
#define ACCORD_BROKER_SERVICE_RATE_LIMITER_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/service/clock.h"

namespace accord::service {

// Per-principal request rate limits: one token bucket per principal id,
// refilled at `per_second` tokens a second up to `burst`, one token per
// request. On the path of every request: a lookup under the mutex of one of
// several shards, no allocation once a principal has its bucket. The
// buckets are bounded by the registered principals (ids come from
// authenticated certificates). Thread-safe.
class RateLimiter {
 public:
  // `per_second` 0: no limit, Allow is always OK. `burst` 0: `per_second`.
  // `clock` must outlive the limiter.
  RateLimiter(uint32_t per_second, uint32_t burst, const Clock* clock);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `principal`'s bucket. Returns OK, or
  // RESOURCE_EXHAUSTED (naming the principal and the limit, never
  // consuming a token) when the bucket is empty.
  absl::Status Allow(absl::string_view principal);

  bool enabled() const { return per_second_ > 0; }

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;

  const double per_second_;
  const double burst_;
  const Clock* const clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_RATE_LIMITER_H_
