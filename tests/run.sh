#!/usr/bin/env bash
# Installs what is missing, builds everything twice and runs the whole suite
# through ctest: unit tests of every module and integration tests that start
# the real broker on loopback.
#
#   1. clang, ASan + UBSan, -Wthread-safety -Werror, libFuzzer (build-clang):
#      every fuzzer for ACCORD_FUZZ_SECONDS, then the C++ suite under the
#      sanitizers;
#   2. gcc, optimized (build): the suite again, the checks driven from
#      other languages (browser, Python, Node, Prometheus, the package),
#      and the benchmark guard.
#
# ACCORD_SKIP_SANITIZERS=1 skips step 1 (a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."

# Prints how long each step took, so that a slow CI run shows where.
step_start=$SECONDS
step_done() {
  echo "run.sh: $1 took $((SECONDS - step_start)) s (total $SECONDS s)"
  step_start=$SECONDS
}

# deploy/install-deps.sh runs apt-get update and apt-get install -y for every
# Debian package that is missing (compilers, libraries, clang, PyJWT, pyld,
# Apache httpd, node and npm, chromium for the citizens' web app's
# browser tests, tests/browser, and prometheus for the monitoring tests).
ACCORD_TEST_DEPS=1 deploy/install-deps.sh
step_done "installing packages"

# Labels of the checks that run once, with the gcc build: the format check
# and the tests that drive the C++ build from other languages and
# tools.
outside_labels='browser|python|node|prometheus|package|lint'

if [[ "${ACCORD_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # One clang build serves the fuzzers, the sanitizers and the lock
  # analysis: -DACCORD_FUZZ=ON compiles every library with ASan, UBSan
  # (aborting on the first error) and coverage for libFuzzer, and
  # -DACCORD_THREAD_SAFETY=ON turns clang's -Wthread-safety into errors.
  clang_dir="${ACCORD_CLANG_BUILD_DIR:-build-clang}"
  cmake -S . -B "$clang_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DACCORD_FUZZ=ON -DACCORD_THREAD_SAFETY=ON \
    -DACCORD_FUZZ_SECONDS="${ACCORD_FUZZ_SECONDS:-30}" >/dev/null
  cmake --build "$clang_dir" -j2
  step_done "the clang build"

  # Hostile input: every libFuzzer target (tests/fuzz/CMakeLists.txt), each
  # over a copy of the seed corpus kept in the repository.
  ctest --test-dir "$clang_dir" -L fuzz --output-on-failure
  step_done "the fuzzers"

  # The suite under ASan/UBSan. Benchmarks (label bench) measure an
  # optimized build only; the checks from outside C++ (the browser, the
  # Python and Node clients, Prometheus) run once, on the gcc build below.
  ctest --test-dir "$clang_dir" -LE "fuzz|bench|${outside_labels}" \
    --output-on-failure -j2 --timeout 1200
  step_done "the clang suite"
fi

build_dir="${ACCORD_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" -j2
step_done "the gcc build"
ctest --test-dir "$build_dir" -LE 'fuzz|bench' --output-on-failure -j2 \
  --timeout 900
step_done "the gcc suite"
# The benchmark guard alone, so that no other test shares the two cores.
ctest --test-dir "$build_dir" -L bench --output-on-failure --timeout 900
step_done "the benchmark guard"
