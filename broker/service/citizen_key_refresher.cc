#include "broker/service/citizen_key_refresher.h"

#include <utility>

namespace accord::service {

CitizenKeyRefresher::CitizenKeyRefresher(std::vector<CitizenKeys*> keys)
    : keys_(std::move(keys)) {}

CitizenKeyRefresher::~CitizenKeyRefresher() { Stop(); }

void CitizenKeyRefresher::Start() {
  absl::MutexLock l(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
}

void CitizenKeyRefresher::Wake() {
  absl::MutexLock l(&mu_);
  woken_ = true;
}

void CitizenKeyRefresher::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CitizenKeyRefresher::Run() {
  while (true) {
    for (CitizenKeys* keys : keys_) {
      {
        absl::MutexLock l(&mu_);
        if (stop_) return;
      }
      if (keys->discovered()) keys->Refresh();
    }
    absl::MutexLock l(&mu_);
    mu_.AwaitWithTimeout(
        absl::Condition(this, &CitizenKeyRefresher::WokenOrStopped), kTick);
    if (stop_) return;
    woken_ = false;
  }
}

}  // namespace accord::service
