// The main of every Catch2 test binary: Catch2's run, then ctest's skip
// code (tests/skip.h) when it passed but a part was skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tests/skip.h"

int main(int argc, char** argv) {
  const int failed = Catch::Session().run(argc, argv);
  if (failed != 0) return failed;
  if (!accord::testing::SkippedParts().empty()) {
    std::printf("reported as skipped: %s",
                accord::testing::SkippedParts().c_str());
    return accord::testing::kSkipExitCode;
  }
  return 0;
}
