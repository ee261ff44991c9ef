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

// Request rate limits: one token bucket per key (a principal id, or a
// peer's address), refilled at `per_second` tokens a second up to `burst`.
// On the path of every request: a lookup under the mutex of one of several
// shards, no allocation once a key has its bucket. Buckets are bounded:
// when a shard holds kMaxKeysPerShard keys, the buckets that have refilled
// completely (they remember nothing) are dropped, and a new key is refused
// while none can be. Thread-safe.
//
// The cost model (tokens a call takes from its principal's bucket):
//   every RPC                          1
//   RequestGrant, ExplainAccess        1 + subjects / kSubjectsPerToken
//   RequestGrants                      the sum over its requests
//   WatchRevocations                   1 when the stream opens
// A cost above the burst is charged as the burst, so a full bucket always
// admits one call. The principal's bucket is charged after the client
// certificate is mapped to its principal; a call that forwards a citizen
// token charges the citizen's own bucket instead (each citizen of an app
// has the principal's limit), or the app principal's when the token does
// not check out. The peer's bucket (one token a call) is charged before
// anything else.
// Subjects a call may name for each token beyond the first.
inline constexpr uint32_t kSubjectsPerToken = 100;

// Tokens a call naming `subjects` subjects costs (see the cost model).
inline uint32_t SubjectCost(size_t subjects) {
  return static_cast<uint32_t>(1 + subjects / kSubjectsPerToken);
}

class RateLimiter {
 public:
  // `per_second` 0: no limit, Allow is always OK. `burst` 0: `per_second`.
  // `clock` must outlive the limiter.
  RateLimiter(uint32_t per_second, uint32_t burst, const Clock* clock);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes `cost` tokens (at most the burst) from `key`'s bucket. Returns
  // OK, or RESOURCE_EXHAUSTED (naming the key and the limit, never
  // consuming a token) when the bucket holds fewer, or when the key is new
  // and its shard is full.
  absl::Status Allow(absl::string_view key, uint32_t cost = 1);

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
  static constexpr size_t kMaxKeysPerShard = 4096;

  // Drops the buckets of `shard` that have refilled completely at `now`.
  void DropFullBuckets(Shard& shard, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const double per_second_;
  const double burst_;
  const Clock* const clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_RATE_LIMITER_H_
