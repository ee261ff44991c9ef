#!/bin/sh
# Runs a libFuzzer binary built from policy/fuzz/policy_fuzz.cc over the
# seed corpus policy/fuzz/corpus for a bounded time (tests/fuzz/run_fuzz.sh).
# Builds nothing.
#
#   tests/fuzz/run_policy_fuzz.sh FUZZ_BINARY [SECONDS]
#
# SECONDS defaults to 60. Inputs up to 70,000 bytes, as the documented
# manual run (policy/README.md).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 FUZZ_BINARY [SECONDS]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/run_fuzz.sh" "$1" "$here/../../policy/fuzz/corpus" "${2:-60}" \
  -max_len=70000
