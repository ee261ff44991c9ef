#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole suite
# through ctest: unit tests of every module and integration tests that start
# the real broker on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
build_dir="${ACCORD_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600
