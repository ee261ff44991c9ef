#ifndef ACCORD_BROKER_SERVICE_DEV_CLOCK_H_
#define ACCORD_BROKER_SERVICE_DEV_CLOCK_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/service/clock.h"

namespace accord::service {

// The clock of a dev-mode broker under test (`dev_clock_file`): real time
// plus an offset that a test changes while the broker runs, so expiry and
// key rotation are tested without waiting for them.
//
// The file holds one duration in absl's syntax ("0s", "90s", "-1h30m");
// it is read again at every Now(), so once a writer has replaced it (write
// a new file, then rename it over the old one) every later reading of the
// clock uses the new offset. A missing file is an offset of zero; a file
// that cannot be parsed keeps the last offset read. Thread-safe.
//
// Never used outside dev mode: the broker refuses to start with
// dev_clock_file set without dev mode (broker.cc).
class OffsetFileClock : public Clock {
 public:
  explicit OffsetFileClock(std::string path) : path_(std::move(path)) {}
  absl::Time Now() const override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string path_;
  mutable absl::Mutex mu_;
  mutable absl::Duration last_offset_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_DEV_CLOCK_H_
