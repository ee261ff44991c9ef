#!/bin/sh
# Runs a libFuzzer binary over a seed corpus for a bounded time. Builds
# nothing.
#
#   tests/fuzz/run_fuzz.sh FUZZ_BINARY CORPUS_DIR SECONDS [LIBFUZZER_FLAG...]
#
# The seed corpus is only read: it is copied to a temporary directory,
# where new inputs also go, removed at exit. A crash, leak, timeout or
# out-of-memory input is written to $ACCORD_FUZZ_ARTIFACTS (default
# ./fuzz-artifacts/) and the script exits non-zero. libFuzzer's final stats
# (executions, coverage) are printed.
set -eu

if [ $# -lt 3 ]; then
  echo "usage: $0 FUZZ_BINARY CORPUS_DIR SECONDS [LIBFUZZER_FLAG...]" >&2
  exit 2
fi
fuzzer=$1
corpus=$2
seconds=$3
shift 3
case $seconds in
  ''|*[!0-9]*|0) echo "$0: SECONDS must be a positive integer, got '$seconds'" >&2; exit 2 ;;
esac
if [ ! -x "$fuzzer" ]; then
  echo "$0: FUZZ_BINARY '$fuzzer' is not an executable file" >&2
  exit 2
fi
if [ ! -d "$corpus" ]; then
  echo "$0: seed corpus '$corpus' not found" >&2
  exit 2
fi
artifacts=${ACCORD_FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
cp -R "$corpus"/. "$scratch"/

# 5 s per input; RSS capped so a leak fails the run.
"$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$scratch"
