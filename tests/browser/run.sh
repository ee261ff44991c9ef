#!/usr/bin/env bash
# The ctest entry of the browser tests: installs puppeteer-core and
# @axe-core/puppeteer from the committed package-lock.json (npm ci, one at
# a time under an flock: npm ci first deletes node_modules), and the OpenID
# provider's packages likewise, then runs portal_test.mjs with Debian's
# chromium.
#
#   tests/browser/run.sh BIN_DIR [SCRIPT.mjs] [flags...]
#
# SCRIPT defaults to portal_test.mjs; tls_test.mjs and load_test.mjs need no
# browser.
#
# When npm or chromium cannot be had the test cannot run here: it fails when
# CI is set, and exits 77 (ctest: skipped) otherwise.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
bin_dir="$1"
shift
script=portal_test.mjs
if [[ "${1:-}" == *.mjs ]]; then
  script="$1"
  shift
fi

cannot_run() {
  echo "portal browser test cannot run: $1" >&2
  if [[ -n "${CI:-}" ]]; then exit 1; fi
  exit 77
}

chromium="${ACCORD_CHROMIUM:-/usr/bin/chromium}"
[[ "$script" != portal_test.mjs || -x "$chromium" ]] || cannot_run "no chromium at $chromium (deploy/install-deps.sh with ACCORD_TEST_DEPS=1)"
command -v node >/dev/null && command -v npm >/dev/null || cannot_run "no node or npm"
command -v openssl >/dev/null || cannot_run "no openssl"

install() {  # DIR: npm ci there under its lock, held on fd 9 until exit
  local dir="$1" fd="$2"
  eval "exec $fd>\"$dir/.npm-install.lock\""
  flock "$fd" || return 1
  npm ci --no-audit --no-fund --prefix "$dir" >"$dir/.npm-install.log" 2>&1 || {
    tail -20 "$dir/.npm-install.log" >&2
    return 1
  }
}
install "$here" 8 || cannot_run "npm ci failed in tests/browser"
install "$source_dir/tests/oidc" 9 || cannot_run "npm ci failed in tests/oidc"

if [[ "$script" == portal_test.mjs ]]; then set -- --chromium "$chromium" "$@"; fi
exec node "$here/$script" --bin-dir "$bin_dir" --source-dir "$source_dir" "$@"
