#!/bin/sh
# Runs a libFuzzer binary built from policy/fuzz/policy_fuzz.cc over the
# seed corpus policy/fuzz/corpus for a bounded time. Builds nothing.
#
#   tests/fuzz/run_policy_fuzz.sh FUZZ_BINARY [SECONDS]
#
# SECONDS defaults to 60. The seed corpus is only read; inputs that reach
# new coverage go to a temporary directory, removed at exit. A crash, leak,
# timeout or out-of-memory input is written to $ACCORD_FUZZ_ARTIFACTS
# (default ./fuzz-artifacts/) and the script exits non-zero.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 FUZZ_BINARY [SECONDS]" >&2
  exit 2
fi
fuzzer=$1
seconds=${2:-60}
case $seconds in
  ''|*[!0-9]*) echo "$0: SECONDS must be a positive integer, got '$seconds'" >&2; exit 2 ;;
esac
if [ "$seconds" -eq 0 ]; then
  echo "$0: SECONDS must be a positive integer, got 0" >&2
  exit 2
fi
if [ ! -x "$fuzzer" ]; then
  echo "$0: FUZZ_BINARY '$fuzzer' is not an executable file" >&2
  exit 2
fi

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$source_dir/policy/fuzz/corpus
if [ ! -d "$corpus" ]; then
  echo "$0: seed corpus '$corpus' not found" >&2
  exit 2
fi
artifacts=${ACCORD_FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

# Same limits as the documented manual run (policy/README.md): inputs up to
# 70,000 bytes, 5 s per input; RSS capped so a leak fails the run.
"$fuzzer" -max_total_time="$seconds" -max_len=70000 -timeout=5 \
  -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$scratch" "$corpus"
