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

void RateLimiter::DropFullBuckets(Shard& shard, absl::Time now) {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    const Bucket& b = it->second;
    if (b.tokens + absl::ToDoubleSeconds(now - b.last) * per_second_ >=
        burst_) {
      shard.buckets.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::Status RateLimiter::Allow(absl::string_view key, uint32_t cost) {
  if (per_second_ <= 0) return absl::OkStatus();
  const double need = std::min<double>(std::max<uint32_t>(cost, 1), burst_);
  const absl::Time now = clock_->Now();
  Shard& shard = shards_[absl::Hash<absl::string_view>()(key) % kShards];
  absl::MutexLock l(&shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= kMaxKeysPerShard) DropFullBuckets(shard, now);
    if (shard.buckets.size() >= kMaxKeysPerShard) {
      return absl::ResourceExhaustedError(
          "rate limit: too many callers at once; retry");
    }
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.last) {
    b.tokens = std::min(
        burst_, b.tokens + absl::ToDoubleSeconds(now - b.last) * per_second_);
    b.last = now;
  }
  if (b.tokens < need) {
    return absl::ResourceExhaustedError(absl::StrCat("rate limit: '", key,
                                                     "' is over ", per_second_,
                                                     " requests per second"));
  }
  b.tokens -= need;
  return absl::OkStatus();
}

}  // namespace accord::service
