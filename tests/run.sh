#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole suite
# through ctest: unit tests of every module and integration tests that start
# the real broker on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

# deploy/install-deps.sh runs apt-get update and apt-get install -y for every
# Debian package that is missing (compilers, libraries, clang, PyJWT, ...).
ACCORD_TEST_DEPS=1 deploy/install-deps.sh

# Hostile input first: every libFuzzer target (tests/fuzz/CMakeLists.txt:
# grants, citizen tokens, log entries, request checks, policies), built with
# clang, each run for ACCORD_FUZZ_SECONDS (default 30) over a copy of the
# seed corpus kept in the repository.
fuzz_dir="${ACCORD_FUZZ_BUILD_DIR:-build-fuzz}"
cmake -S . -B "$fuzz_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DACCORD_FUZZ=ON \
  -DACCORD_FUZZ_SECONDS="${ACCORD_FUZZ_SECONDS:-30}" >/dev/null
cmake --build "$fuzz_dir" -j2 --target accord-fuzzers
ctest --test-dir "$fuzz_dir" -L fuzz --output-on-failure

build_dir="${ACCORD_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600
