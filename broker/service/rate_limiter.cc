#include "broker/service/rate_limiter.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace accord::service {

RateLimiter::RateLimiter(uint32_t per_second, uint32_t burst,
                         const Clock* clock)
    : per_second_(per_second),
      burst_(burst == 0 ? per_second : burst),
      clock_(clock) {}

absl::Status RateLimiter::Allow(absl::string_view principal) {
  if (per_second_ <= 0) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  Shard& shard = shards_[absl::Hash<absl::string_view>()(principal) % kShards];
  absl::MutexLock l(&shard.mu);
  auto it = shard.buckets.find(principal);
  if (it == shard.buckets.end()) {
    it = shard.buckets.emplace(std::string(principal), Bucket{burst_, now})
             .first;
  }
  Bucket& b = it->second;
  if (now > b.last) {
    b.tokens = std::min(
        burst_, b.tokens + absl::ToDoubleSeconds(now - b.last) * per_second_);
    b.last = now;
  }
  if (b.tokens < 1) {
    return absl::ResourceExhaustedError(
        absl::StrCat("rate limit: principal '", principal, "' is over ",
                     per_second_, " requests per second"));
  }
  b.tokens -= 1;
  return absl::OkStatus();
}

}  // namespace accord::service
