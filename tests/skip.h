#ifndef ACCORD_TESTS_SKIP_H_
#define ACCORD_TESTS_SKIP_H_

// A part of a test case that cannot run on this machine (a verifier npm
// could not install...) while the rest of the case runs: the test binary
// (tests/catch_main.cc) then exits with ctest's skip code, 77, when every
// assertion passed, so the run is reported as skipped rather than passed.
// A failure still fails. Header only: catch_main.cc links into every test.

#include <cstdio>
#include <string>

namespace accord::testing {

// The exit code of a test that cannot run on this machine (no root, no
// loop device, a program missing...): ctest reports it as skipped
// (SKIP_RETURN_CODE, set by accord_test()).
inline constexpr int kSkipExitCode = 77;

// The reasons recorded by SkipPart, one a line.
inline std::string& SkippedParts() {
  static std::string* parts = new std::string;
  return *parts;
}

// Records that `why` did not run, and says so on stdout.
inline void SkipPart(const std::string& why) {
  std::printf("SKIPPED: %s\n", why.c_str());
  SkippedParts() += why + "\n";
}

}  // namespace accord::testing

#endif  // ACCORD_TESTS_SKIP_H_
