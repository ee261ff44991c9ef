#include "broker/service/readiness.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/store/store.h"

namespace accord::service {

Readiness::Readiness(const store::Store* store, Limits limits)
    : store_(store), limits_(limits) {}

Readiness::~Readiness() { Stop(); }

absl::Status Readiness::Check() const {
  if (absl::Status s = store_->Health(); !s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("store writes are failing: ", s.message()));
  }
  const absl::Duration wait = store_->OldestWriteWait();
  if (wait > limits_.max_write_wait) {
    return absl::UnavailableError(absl::StrCat("a write has waited ",
                                               absl::FormatDuration(wait),
                                               " for the store's writer"));
  }
  const int64_t calls = calls_in_flight();
  if (calls > limits_.max_calls_in_flight) {
    return absl::UnavailableError(
        absl::StrCat(calls, " calls in flight (more than ",
                     limits_.max_calls_in_flight, ")"));
  }
  return absl::OkStatus();
}

void Readiness::Watch(absl::Duration period,
                      std::function<void(const absl::Status&)> on_change) {
  absl::MutexLock l(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this, period, on_change = std::move(on_change)] {
    bool first = true;
    bool was_ready = false;
    while (true) {
      const absl::Status s = Check();
      if (first || s.ok() != was_ready) on_change(s);
      first = false;
      was_ready = s.ok();
      absl::MutexLock l(&mu_);
      auto stopping = [this]()
                          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), period)) return;
    }
  });
}

void Readiness::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace accord::service
