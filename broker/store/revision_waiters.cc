#include "broker/store/revision_waiters.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::store {

RevisionWaiters::RevisionWaiters(uint64_t revision, size_t max_waiters)
    : max_waiters_(max_waiters), revision_(revision) {
  thread_ = std::thread([this] { Run(); });
}

RevisionWaiters::~RevisionWaiters() { Close(); }

void RevisionWaiters::Wait(uint64_t revision, absl::Time deadline, Done done) {
  absl::Status refused;
  {
    absl::MutexLock l(&mu_);
    if (closed_) {
      refused = absl::UnavailableError("the store is closed");
    } else if (revision <= revision_) {
      refused = absl::OkStatus();
    } else if (by_revision_.size() >= max_waiters_) {
      refused = absl::ResourceExhaustedError(
          absl::StrCat("at_least_as_fresh: ", max_waiters_,
                       " calls are waiting for a revision already; retry"));
    } else {
      const Key key{revision, sequence_++};
      by_deadline_.insert({deadline, key});
      by_revision_.emplace(key, Waiter{deadline, std::move(done)});
      return;
    }
  }
  done(refused);
}

void RevisionWaiters::Advance(uint64_t revision) {
  absl::MutexLock l(&mu_);
  if (revision > revision_) revision_ = revision;
}

size_t RevisionWaiters::waiting() const {
  absl::MutexLock l(&mu_);
  return by_revision_.size();
}

void RevisionWaiters::Close() {
  {
    absl::MutexLock l(&mu_);
    if (closed_) return;
    closed_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RevisionWaiters::Run() {
  while (true) {
    std::vector<std::pair<Done, absl::Status>> due;
    bool stop = false;
    {
      absl::MutexLock l(&mu_);
      const absl::Time next = by_deadline_.empty()
                                  ? absl::InfiniteFuture()
                                  : by_deadline_.begin()->first;
      // Wakes for a reached revision, and for a new waiter whose deadline
      // comes before the one slept towards.
      auto ready = [this, next]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closed_ ||
               (!by_revision_.empty() &&
                by_revision_.begin()->first.first <= revision_) ||
               (!by_deadline_.empty() && by_deadline_.begin()->first < next);
      };
      mu_.AwaitWithDeadline(absl::Condition(&ready), next);
      const absl::Time now = absl::Now();
      // Reached revisions first: a waiter whose revision and deadline both
      // came is served.
      while (!by_revision_.empty() &&
             by_revision_.begin()->first.first <= revision_) {
        auto it = by_revision_.begin();
        by_deadline_.erase({it->second.deadline, it->first});
        due.emplace_back(std::move(it->second.done), absl::OkStatus());
        by_revision_.erase(it);
      }
      while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
        auto it = by_revision_.find(by_deadline_.begin()->second);
        due.emplace_back(std::move(it->second.done),
                         absl::DeadlineExceededError(absl::StrCat(
                             "revision ", it->first.first, " not reached (at ",
                             revision_, ")")));
        by_revision_.erase(it);
        by_deadline_.erase(by_deadline_.begin());
      }
      if (closed_) {
        for (auto& [key, waiter] : by_revision_) {
          due.emplace_back(std::move(waiter.done),
                           absl::UnavailableError(absl::StrCat(
                               "the store closed before revision ", key.first,
                               " (at ", revision_, ")")));
        }
        by_revision_.clear();
        by_deadline_.clear();
        stop = true;
      }
    }
    for (auto& [done, status] : due) done(status);
    if (stop) return;
  }
}

}  // namespace accord::store
