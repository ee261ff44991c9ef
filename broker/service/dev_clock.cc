#include "broker/service/dev_clock.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"

namespace accord::service {

absl::Time OffsetFileClock::Now() const {
  const absl::Time real = absl::Now();
  std::ifstream in(path_);
  absl::MutexLock l(&mu_);
  if (!in) {
    last_offset_ = absl::ZeroDuration();
  } else {
    std::stringstream text;
    text << in.rdbuf();
    absl::Duration offset;
    if (absl::ParseDuration(absl::StripAsciiWhitespace(text.str()), &offset)) {
      last_offset_ = offset;
    }
  }
  return real + last_offset_;
}

}  // namespace accord::service
