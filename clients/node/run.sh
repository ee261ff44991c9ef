#!/usr/bin/env bash
# The ctest entry of @accord/client's tests: installs its packages from the
# committed package-lock.json (npm ci under an flock: npm ci first deletes
# node_modules), then runs one suite holding the lock shared, so that no
# other suite's install starts under it.
#
#   clients/node/run.sh units|client|types [BIN_DIR]
#
# units: no broker; client: the real broker in dev mode (BIN_DIR holds
# accord-broker and accord); types: index.d.ts with tsc.
#
# When node 20 or npm cannot be had the tests cannot run here: they fail
# when CI is set, and exit 77 (ctest: skipped) otherwise.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
suite="${1:-}"
bin_dir="${2:-}"

cannot_run() {
  echo "node client tests cannot run: $1" >&2
  if [[ -n "${CI:-}" ]]; then exit 1; fi
  exit 77
}

case "$suite" in
  units|client|types) ;;
  *) echo "usage: $0 units|client|types [BIN_DIR]" >&2; exit 2 ;;
esac
command -v node >/dev/null && command -v npm >/dev/null || cannot_run "no node or npm (deploy/install-deps.sh)"
command -v flock >/dev/null || cannot_run "no flock"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  cannot_run "node $(node --version) is older than 20"

lock="$here/.npm-install.lock"
(
  flock 9 || exit 1
  npm ci --no-audit --no-fund --prefix "$here" >"$here/.npm-install.log" 2>&1 || {
    tail -20 "$here/.npm-install.log" >&2
    exit 1
  }
) 9>"$lock" || cannot_run "npm ci failed in clients/node"

# --close: the lock is not handed down to what the suite starts (brokers).
shared=(flock --shared --close "$lock")
case "$suite" in
  units)
    exec "${shared[@]}" node --test "$here/tests/units.test.js" ;;
  client)
    [[ -n "$bin_dir" ]] && export ACCORD_BIN_DIR="$bin_dir"
    # One file at a time: each starts its own brokers on two shared cores.
    exec "${shared[@]}" node --test --test-concurrency=1 \
      "$here/tests/client.test.js" "$here/tests/verifier.test.js" \
      "$here/tests/revocations.test.js" "$here/tests/data_service.test.js" ;;
  types)
    # Strict on the declarations and a partner's TypeScript; the example
    # data service's calls checked against the declarations.
    exec "${shared[@]}" sh -c 'cd "$1" && node_modules/.bin/tsc -p tsconfig.json &&
      node_modules/.bin/tsc -p tsconfig.examples.json' sh "$here" ;;
esac
