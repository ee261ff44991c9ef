#include "broker/service/sweeper.h"

#include <algorithm>
#include <utility>

#include "broker/service/logging.h"

namespace accord::service {

void Sweeper::Start() {
  absl::MutexLock l(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Sweeper::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  // A compaction asked for after the thread's last turn (or without a
  // thread) still runs: deleted values must leave the files.
  bool wanted;
  {
    absl::MutexLock l(&mu_);
    wanted = compaction_wanted_;
  }
  if (wanted) Compact();
}

void Sweeper::RequestCompaction() {
  absl::MutexLock l(&mu_);
  compaction_wanted_ = true;
}

uint64_t Sweeper::compactions() const {
  absl::MutexLock l(&mu_);
  return compactions_;
}

void Sweeper::Compact() {
  {
    absl::MutexLock l(&mu_);
    compaction_wanted_ = false;
  }
  if (absl::Status s = store_->CompactErased(); !s.ok()) {
    Log("warning", "compaction after an erasure failed",
        {{"error", std::string(s.message())}});
    return;
  }
  absl::MutexLock l(&mu_);
  ++compactions_;
}

absl::StatusOr<size_t> Sweeper::SweepOnce() const {
  const int64_t now = clock_->NowSeconds();
  const size_t batch = std::clamp<size_t>(options_.batch, 1, 10000);
  size_t deleted = 0;
  while (true) {
    auto expired = store_->FindExpired(
        now, absl::ToInt64Seconds(options_.consent_retention),
        absl::ToInt64Seconds(options_.grant_retention), batch);
    if (!expired.ok()) return expired.status();
    if (expired->size() == 0) break;
    const size_t found = expired->size();
    store::WriteSet ws;
    ws.Purge(store::WriteSet::PurgeOp{std::move(expired->consent_ids),
                                      std::move(expired->grant_ids),
                                      std::move(expired->tombstone_ids)});
    auto committed = store_->CommitAndWait(std::move(ws));
    if (!committed.ok()) return committed.status();
    deleted += found;
    if (found < batch) break;
  }
  const int64_t created_before =
      now - absl::ToInt64Seconds(options_.request_id_window);
  while (true) {
    auto expired = store_->FindExpiredClientRequests(created_before, batch);
    if (!expired.ok()) return expired.status();
    if (expired->empty()) return deleted;
    const size_t found = expired->size();
    store::WriteSet ws;
    ws.DeleteClientRequests(*std::move(expired));
    auto committed = store_->CommitAndWait(std::move(ws));
    if (!committed.ok()) return committed.status();
    deleted += found;
    if (found < batch) return deleted;
  }
}

void Sweeper::Loop() {
  absl::Time next_sweep = absl::Now();
  while (true) {
    bool compact = false;
    {
      absl::MutexLock l(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || compaction_wanted_;
      };
      const absl::Duration wait = options_.interval > absl::ZeroDuration()
                                      ? next_sweep - absl::Now()
                                      : absl::InfiniteDuration();
      mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
      if (stop_) return;
      compact = compaction_wanted_;
    }
    if (compact) Compact();
    if (options_.interval > absl::ZeroDuration() && absl::Now() >= next_sweep) {
      auto swept = SweepOnce();
      if (!swept.ok()) {
        Log("warning", "retention sweep failed",
            {{"error", std::string(swept.status().message())}});
      } else if (*swept > 0) {
        Log("info", "retention sweep deleted records",
            {{"records", std::to_string(*swept)}});
      }
      next_sweep = absl::Now() + options_.interval;
    }
  }
}

}  // namespace accord::service
