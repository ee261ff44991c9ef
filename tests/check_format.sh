#!/usr/bin/env bash
# Fails when a C++ source of the repository is not formatted the way
# .clang-format (Google style) says, and names the files and lines.
#
#   tests/check_format.sh          check (run by ctest as `format`)
#   tests/check_format.sh --fix    rewrite the files in place
#
# Formatting differs between clang-format releases: the check uses
# clang-format 14, Debian 12's (deploy/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

fmt=$(command -v clang-format-14 || true)
if [[ -z "$fmt" ]]; then
  echo "check_format: clang-format-14 not found (apt-get install clang-format-14)" >&2
  exit 1
fi

mapfile -d '' files < <(find broker clients policy tests \
  -name node_modules -prune -o \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z)

if [[ "${1:-}" == --fix ]]; then
  "$fmt" -i "${files[@]}"
else
  "$fmt" --dry-run --Werror "${files[@]}"
  echo "check_format: ${#files[@]} files formatted as .clang-format says"
fi
