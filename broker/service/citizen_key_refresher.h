#ifndef ACCORD_BROKER_SERVICE_CITIZEN_KEY_REFRESHER_H_
#define ACCORD_BROKER_SERVICE_CITIZEN_KEY_REFRESHER_H_

#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/service/citizen_keys.h"

namespace accord::service {

// The one thread that fetches the keys of citizen issuers discovered by
// URL, so that no gRPC handler thread ever waits for the network. It calls
// CitizenKeys::Refresh of each issuer at once when started, then whenever
// Wake is called (a token named an unknown kid) and at least every
// kTick (stale sets, floors that have passed, retries of failed loads).
// Thread-safe.
class CitizenKeyRefresher {
 public:
  static constexpr absl::Duration kTick = absl::Seconds(1);

  // `keys` outlive this object; only the discovered ones are refreshed.
  explicit CitizenKeyRefresher(std::vector<CitizenKeys*> keys);
  ~CitizenKeyRefresher();  // Stop()
  CitizenKeyRefresher(const CitizenKeyRefresher&) = delete;
  CitizenKeyRefresher& operator=(const CitizenKeyRefresher&) = delete;

  // Starts the thread (once).
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Has the thread look at the issuers now. Never blocks on a load.
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the thread once its current load, if any, is done (each fetch is
  // bounded by kDiscoveryFetchTimeout).
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  bool WokenOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return woken_ || stop_;
  }

  const std::vector<CitizenKeys*> keys_;
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CITIZEN_KEY_REFRESHER_H_
