#!/usr/bin/env bash
# Installs the Debian packages Accord builds, tests and runs with, if any is
# missing. Used by deploy/run-local.sh and tests/run.sh.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libssl-dev librocksdb-dev catch2 libyaml-cpp-dev libcli11-dev
  libbenchmark-dev libgoogle-perftools-dev libcpp-httplib-dev
  python3 python3-jwt python3-grpcio openssl curl
  # clients/python: the Python partner client, its example data service and
  # its test (protobuf-compiler-grpc above brings grpc_python_plugin).
  python3-protobuf python3-cryptography python3-flask python3-setuptools
  python3-pip python3-venv
)
# node runs the development OpenID provider (tests/oidc, oidc-provider:
# node 20 or later) that deploy/run-local.sh starts for the citizens' web
# app, and the Node partner client with its tests (clients/node: node 20 or
# later, npm, flock from util-linux); a node that came with the machine
# (with its own npm) is kept as it is.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# The test suite also fuzzes with clang's libFuzzer, uses node for
# interoperability tests and a real OpenID provider, Apache httpd as a stock
# gateway, pyld to read ODRL exports as JSON-LD and a real Prometheus.
if [[ "${ACCORD_TEST_DEPS:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)
  # The format check (tests/check_format.sh) pins clang-format 14.
  packages+=(clang-format-14)
  # clients/python: its type check (python_types_test).
  packages+=(mypy)
  # The gateway test: Apache httpd verifying grants with mod_auth_openidc.
  packages+=(apache2 libapache2-mod-auth-openidc)
  # The ODRL export test: tests/check_odrl.py expands exports with pyld and
  # reads the source policies with PyYAML.
  packages+=(python3-pyld python3-yaml)
  # The OpenID provider test makes its TLS certificates with the openssl CLI.
  packages+=(openssl)
  # The citizens' web app in a real browser (tests/browser, puppeteer-core).
  packages+=(chromium)
  # Monitoring (tests/monitoring_test.cc): a real Prometheus scraping the
  # broker, and promtool for /metrics, the alert rules and their unit tests.
  # Where the init system lets it, Debian's package starts a service on port
  # 9090 (and the node exporter it recommends); the tests use neither: they
  # start a Prometheus of their own on a free loopback port.
  packages+=(prometheus)
  # The Debian package's test (tests/package): dpkg-shlibdeps computes its
  # Depends, adduser runs in its postinst, systemd-analyze checks its units
  # offline, strace traces the installed broker's system calls.
  packages+=(dpkg-dev adduser systemd strace)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing missing Debian packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
