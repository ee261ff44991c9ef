#!/usr/bin/env bash
# The Debian package from build to removal (ctest label `package`):
#
#   tests/package/package_test.sh BUILD_DIR
#
#  1. builds it with cpack from BUILD_DIR's CPackConfig.cmake (what
#     `cmake --build BUILD_DIR --target package` runs; nothing is rebuilt in
#     a built tree) into a temporary directory, and reads its control data:
#     the Depends dpkg-shlibdeps computed, the conffiles;
#  2. installs it with `apt-get install -y ./accord_*.deb`, then checks the
#     installed files and their modes, the conffiles, the system users
#     `accord` and `accord-portal`, and /var/lib/accord (mode 0700, owned by
#     accord);
#  3. checks the systemd units offline: `systemd-analyze verify`, and the
#     exposure score of `systemd-analyze security --offline=true`, printed,
#     at most 2.0 ("OK") for each unit. Without systemd as PID 1 (a
#     container) the units cannot be started: the test says so, and instead
#     runs the installed broker as `accord` under strace for a few seconds
#     and checks that every system call it makes passes the unit's
#     SystemCallFilter;
#  4. runs the installed binaries: `--help` of each, and `accord-broker init`
#     as `accord` against a copy of the installed /etc/accord/accord.yaml
#     whose data_dir and keys_dir point into a temporary directory, with an
#     operator certificate made by openssl; a second init changes nothing;
#  5. removes the package (`apt-get remove -y accord`): the binaries go, the
#     conffiles stay; then purges it, and removes the users and
#     /var/lib/accord if the package made them here. The trap does this on
#     failure too.
#
# It needs root, dpkg and apt-get (CI runs the suite as root): without them
# it exits 77 (ctest: skipped), or fails when CI is set. It refuses to run
# where the package is installed already. It installs into /usr/bin: ctest
# runs it alone (RUN_SERIAL).
set -uo pipefail

build_dir="$(cd "${1:?usage: package_test.sh BUILD_DIR}" && pwd)"

cannot_run() {
  echo "package test cannot run: $1" >&2
  if [[ -n "${CI:-}" ]]; then exit 1; fi
  exit 77
}
[[ $(id -u) -eq 0 ]] || cannot_run "not root (it installs a package)"
for tool in apt-get dpkg dpkg-deb cpack openssl runuser systemd-analyze; do
  command -v "$tool" >/dev/null ||
    cannot_run "no $tool (deploy/install-deps.sh with ACCORD_TEST_DEPS=1)"
done
[[ -f "$build_dir/CPackConfig.cmake" ]] ||
  cannot_run "no $build_dir/CPackConfig.cmake (configure the build first)"
if dpkg-query -W -f='${Status}' accord 2>/dev/null | grep -q installed; then
  cannot_run "the package accord is installed on this machine already"
fi

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
step() { echo "--- $*"; }
# expect_mode PATH MODE OWNER:GROUP
expect_mode() {
  local got
  got="$(stat -c '%a %U:%G' "$1" 2>/dev/null)" || {
    fail "$1 is missing"
    return
  }
  [[ "$got" == "$2 $3" ]] || fail "$1: $got, expected $2 $3"
}

work="$(mktemp -d /tmp/accord-package-test.XXXXXX)"
chmod 0755 "$work"
user_before=0
getent passwd accord >/dev/null && user_before=1
portal_user_before=0
getent passwd accord-portal >/dev/null && portal_user_before=1
state_before=0
[[ -e /var/lib/accord ]] && state_before=1
etc_before=0
[[ -e /etc/accord ]] && etc_before=1
apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

cleanup() {
  local rc=$?
  # The reader of our output may be gone (ctest killed): carry on.
  trap '' PIPE
  step "cleanup" 2>/dev/null
  if dpkg-query -W -f='${Status}' accord 2>/dev/null | grep -q 'ok \(installed\|config-files\)\|deinstall'; then
    apt-get purge "${apt_opts[@]}" accord >/dev/null 2>&1 ||
      dpkg --purge accord >/dev/null 2>&1
  fi
  # What the package made here and purge keeps.
  [[ $user_before == 1 ]] || { deluser --system accord >/dev/null 2>&1; delgroup --system accord >/dev/null 2>&1; }
  [[ $portal_user_before == 1 ]] || { deluser --system accord-portal >/dev/null 2>&1; delgroup --system accord-portal >/dev/null 2>&1; }
  [[ $state_before == 1 ]] || rm -rf /var/lib/accord
  [[ $etc_before == 1 ]] || rm -rf /etc/accord
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- 1. Build ---------------------------------------------------------------
step "build the package (cpack -G DEB)"
start=$SECONDS
if ! cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/pkg" \
    >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  fail "cpack failed"
  exit 1
fi
debs=("$work"/pkg/accord_*.deb)
[[ -f "${debs[0]}" && ${#debs[@]} -eq 1 ]] || { fail "no accord_*.deb"; exit 1; }
deb="${debs[0]}"
echo "built $(basename "$deb") ($(($(stat -c %s "$deb") / 1024)) KiB) in $((SECONDS - start)) s"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
# RocksDB is linked statically (Debian's RocksDB::rocksdb is librocksdb.a):
# its compression libraries appear instead of librocksdb7.8.
for lib in adduser libgrpc++1.51 libprotobuf32 libssl3 libyaml-cpp0.7 \
    libabsl20220623 libcpp-httplib0.11 libtcmalloc-minimal4 libzstd1; do
  grep -q "\(^\|, \)$lib\( \|,\|$\)" <<<"$depends" ||
    fail "Depends lacks $lib"
done
conffiles="$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)"
[[ "$conffiles" == $'/etc/accord/accord.yaml\n/etc/accord/portal.yaml' ]] ||
  fail "conffiles: $conffiles"

# --- 2. Install -------------------------------------------------------------
step "apt-get install -y ./$(basename "$deb")"
if ! (cd "$work/pkg" && apt-get install "${apt_opts[@]}" "./$(basename "$deb")") \
    >"$work/install.log" 2>&1; then
  cat "$work/install.log"
  fail "apt-get install failed"
  exit 1
fi

for bin in accord-broker accord accord-portal; do
  expect_mode "/usr/bin/$bin" 755 root:root
done
expect_mode /etc/accord/accord.yaml 644 root:root
expect_mode /etc/accord/portal.yaml 644 root:root
for unit in accord-broker accord-portal; do
  expect_mode "/lib/systemd/system/$unit.service" 644 root:root
done
for proto in common policy consent access audit trust admin requests; do
  expect_mode "/usr/share/accord/proto/accord/v1/$proto.proto" 644 root:root
done
expect_mode /usr/share/accord/portal/web/index.html 644 root:root
expect_mode /usr/share/accord/portal/web/verify.mjs 644 root:root
cmp -s /etc/accord/accord.yaml "$(dirname "$0")/../../deploy/accord.yaml" ||
  fail "/etc/accord/accord.yaml is not deploy/accord.yaml"
grep -q '^web_root: /usr/share/accord/portal/web$' /etc/accord/portal.yaml ||
  fail "portal.yaml does not name the installed web root"
installed_conffiles="$(dpkg-query -W -f='${Conffiles}' accord | awk 'NF {print $1}')"
[[ "$installed_conffiles" == $'/etc/accord/accord.yaml\n/etc/accord/portal.yaml' ]] ||
  fail "dpkg's conffiles of accord: $installed_conffiles"

for u in accord accord-portal; do
  entry="$(getent passwd "$u")" || { fail "no user $u"; continue; }
  IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
  echo "user $u: uid $uid, home $home, shell $shell"
  ((uid < 1000)) || fail "$u is not a system user (uid $uid)"
  [[ "$shell" == /usr/sbin/nologin || "$shell" == /bin/false ]] ||
    fail "$u has a login shell ($shell)"
done
expect_mode /var/lib/accord 700 accord:accord
expect_mode /etc/accord/tls 750 root:accord
expect_mode /etc/accord/portal 750 root:accord-portal
# Nothing started, nothing enabled.
pgrep -f '^/usr/bin/accord-(broker|portal)' >/dev/null &&
  fail "an accord service runs after install"
ls /etc/systemd/system/*.wants/accord-* >/dev/null 2>&1 &&
  fail "a unit was enabled by the install"

# --- 3. The units -----------------------------------------------------------
step "systemd units"
if [[ "$(cat /proc/1/comm 2>/dev/null)" == systemd ]]; then
  echo "systemd is PID 1 here; the units are checked offline all the same"
else
  echo "systemd is not PID 1 here (PID 1 is '$(cat /proc/1/comm 2>/dev/null)'," \
    "a container): the units cannot be started; checking them offline"
fi
units=(/lib/systemd/system/accord-broker.service /lib/systemd/system/accord-portal.service)
if ! SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "${units[@]}" \
    >"$work/verify.log" 2>&1; then
  cat "$work/verify.log"
  fail "systemd-analyze verify"
else
  echo "systemd-analyze verify: OK"
  grep -v '^$' "$work/verify.log" || true
fi
for unit in "${units[@]}"; do
  name="$(basename "$unit")"
  if ! systemd-analyze security --offline=true "$unit" >"$work/security.log" 2>&1; then
    cat "$work/security.log"
    fail "systemd-analyze security --offline=true $name"
    continue
  fi
  line="$(grep 'Overall exposure level' "$work/security.log")"
  score="$(sed -n 's/.*: \([0-9.]*\) .*/\1/p' <<<"$line")"
  echo "exposure of $name: $score ($(awk '{print $(NF-1)}' <<<"$line"); target OK, at most 2.0)"
  grep '✗' "$work/security.log" | sed 's/^/    /'
  awk -v s="$score" 'BEGIN {exit !(s != "" && s <= 2.0)}' ||
    fail "exposure of $name is $score, above 2.0"
done

# The broker's system calls against the unit's SystemCallFilter: the
# installed broker in dev mode, as accord, for a few seconds under strace.
syscall_set() {  # the system calls of the filter groups named, expanded
  local group
  for group in "$@"; do
    # The first line names the group itself.
    systemd-analyze syscall-filter "$group" | tail -n +2 | sed 's/#.*//; s/ //g' |
      while read -r name; do
        [[ -z "$name" ]] && continue
        if [[ "$name" == @* ]]; then syscall_set "$name"; else echo "$name"; fi
      done
  done
}
if command -v strace >/dev/null; then
  mapfile -t filter_lines < <(sed -n 's/^SystemCallFilter=//p' "${units[0]}")
  allowed="$(syscall_set ${filter_lines[0]} | sort -u)"
  denied="$(syscall_set ${filter_lines[1]#\~} | sort -u)"
  ports=($(python3 -c 'import socket
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'))
  install -d -o accord -g accord -m 0700 "$work/dev" "$work/dev/var"
  (cd "$work/dev" && timeout -s TERM 8 runuser -u accord -- strace -f -qq \
    -o "$work/dev/strace.log" /usr/bin/accord-broker --dev "$work/dev/var" \
    --grpc-addr "127.0.0.1:${ports[0]}" --http-addr "127.0.0.1:${ports[1]}" \
    >"$work/dev/broker.log" 2>&1)
  if grep -q '"accord-broker serving"' "$work/dev/broker.log"; then
    used="$(sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$work/dev/strace.log" | sort -u)"
    outside="$(comm -23 <(echo "$used") <(comm -23 <(echo "$allowed") <(echo "$denied")) | tr '\n' ' ')"
    echo "the broker served, making $(wc -l <<<"$used") distinct system calls;" \
      "outside the unit's filter: ${outside:-none}"
    [[ -z "$outside" ]] || fail "system calls outside SystemCallFilter: $outside"
  else
    echo "could not trace the broker here (strace under runuser); skipped:"
    tail -5 "$work/dev/broker.log"
  fi
else
  echo "no strace: the system calls are not checked"
fi

# --- 4. The installed binaries ----------------------------------------------
step "the installed binaries"
/usr/bin/accord-broker --help >"$work/help.txt" 2>&1 || fail "accord-broker --help"
grep -q -- '--config' "$work/help.txt" || fail "accord-broker --help names no --config"
/usr/bin/accord-broker init --help >/dev/null 2>&1 || fail "accord-broker init --help"
/usr/bin/accord --help >/dev/null 2>&1 || fail "accord --help"
/usr/bin/accord-portal --help >/dev/null 2>&1 || fail "accord-portal --help"
echo "--help: accord-broker, accord-broker init, accord, accord-portal"

# init as the broker's user, against a copy of the installed configuration
# whose state lies in a temporary directory.
init_dir="$work/init"
install -d -o accord -g accord -m 0700 "$init_dir"
sed "s|/var/lib/accord|$init_dir/var|g" /etc/accord/accord.yaml >"$init_dir/accord.yaml"
grep -q "^keys_dir: $init_dir/var/keys$" "$init_dir/accord.yaml" ||
  fail "the copy of accord.yaml names another keys_dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$init_dir/operator.key" -out "$init_dir/operator.pem" -days 2 \
  -subj "/CN=operator" >/dev/null 2>&1 || fail "openssl: the operator certificate"
chown accord:accord "$init_dir"/*
run_init() {
  runuser -u accord -- sh -c 'umask 0077 && exec "$@"' init \
    /usr/bin/accord-broker init --config "$init_dir/accord.yaml" \
    --operator-cert "$init_dir/operator.pem"
}
if run_init >"$init_dir/init.log" 2>&1; then
  sed 's/^/    /' "$init_dir/init.log"
  for f in ring.json checkpoint.key pseudonym.secret receipts/ring.json; do
    expect_mode "$init_dir/var/keys/$f" 600 accord:accord
  done
  for d in var var/keys var/keys/receipts var/db; do
    expect_mode "$init_dir/$d" 700 accord:accord
  done
  if run_init >"$init_dir/init2.log" 2>&1 &&
      grep -q '^Nothing to do' "$init_dir/init2.log"; then
    echo "a second init: $(cat "$init_dir/init2.log")"
  else
    cat "$init_dir/init2.log"
    fail "a second accord-broker init did not say 'Nothing to do'"
  fi
else
  cat "$init_dir/init.log"
  fail "accord-broker init as accord"
fi

# --- 5. Removal -------------------------------------------------------------
step "apt-get remove -y accord"
apt-get remove "${apt_opts[@]}" accord >"$work/remove.log" 2>&1 || {
  cat "$work/remove.log"
  fail "apt-get remove"
}
for f in /usr/bin/accord-broker /usr/bin/accord /usr/bin/accord-portal \
    /lib/systemd/system/accord-broker.service /usr/share/accord; do
  [[ ! -e "$f" ]] || fail "$f is left after removal"
done
[[ -f /etc/accord/accord.yaml ]] || fail "the conffile /etc/accord/accord.yaml went with remove"
[[ -d /var/lib/accord ]] || fail "/var/lib/accord went with remove"
apt-get purge "${apt_opts[@]}" accord >"$work/purge.log" 2>&1 || {
  cat "$work/purge.log"
  fail "apt-get purge"
}
[[ $etc_before == 1 || ! -e /etc/accord ]] ||
  fail "/etc/accord is left after purge: $(ls -A /etc/accord)"
echo "removed: binaries, units and shared files gone, conffiles kept until purge;" \
  "purged: /etc/accord gone, /var/lib/accord and the users kept"

if ((failures)); then
  echo "package test: $failures failure(s)"
  exit 1
fi
echo "package test: OK"
