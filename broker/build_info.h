#ifndef ACCORD_BROKER_BUILD_INFO_H_
#define ACCORD_BROKER_BUILD_INFO_H_

// What the broker was built from. The definitions are generated at CMake
// configure time into one small file (build_info.cc.in), so that a new
// commit recompiles that file only.

#include "absl/strings/string_view.h"

namespace accord {

// The CMake project version, e.g. "0.1.0".
absl::string_view BuildVersion();

// `git rev-parse --short HEAD` of the source tree at configure time, or
// "unknown" when it is not a git checkout (or git is missing).
absl::string_view BuildCommit();

}  // namespace accord

#endif  // ACCORD_BROKER_BUILD_INFO_H_
