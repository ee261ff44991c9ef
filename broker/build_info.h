#ifndef ACCORD_BROKER_BUILD_INFO_H_
#define ACCORD_BROKER_BUILD_INFO_H_

// What the broker was built from. The definitions are generated at CMake
// configure time into one small file (build_info.cc.in), so that a new
// commit recompiles that file only.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace accord {

// The CMake project version, e.g. "0.1.0".
absl::string_view BuildVersion();

// `git rev-parse --short HEAD` of the source tree at configure time, or
// "unknown" when it is not a git checkout (or git is missing).
absl::string_view BuildCommit();

// What `PROGRAM --version` prints: "accord-broker 0.1.0 (commit 1a2b3c4)\n".
inline std::string VersionLine(absl::string_view program) {
  return absl::StrCat(program, " ", BuildVersion(), " (commit ", BuildCommit(),
                      ")\n");
}

}  // namespace accord

#endif  // ACCORD_BROKER_BUILD_INFO_H_
