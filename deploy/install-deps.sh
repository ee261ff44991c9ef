#!/usr/bin/env bash
# Installs the Debian packages Accord builds, tests and runs with, if any is
# missing. Used by deploy/run-local.sh and tests/run.sh.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libssl-dev librocksdb-dev catch2 libyaml-cpp-dev
  libbenchmark-dev libgoogle-perftools-dev libcpp-httplib-dev
  python3 python3-jwt python3-grpcio
  # clients/python: the Python partner client, its example data service and
  # its test (protobuf-compiler-grpc above brings grpc_python_plugin).
  python3-protobuf python3-cryptography python3-flask python3-setuptools
  python3-pip python3-venv
)
# The test suite also fuzzes with clang's libFuzzer, uses node for
# interoperability tests and Apache httpd as a stock gateway.
if [[ "${ACCORD_TEST_DEPS:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)
  # clients/python: its type check (python_types_test).
  packages+=(mypy)
  # The gateway test: Apache httpd verifying grants with mod_auth_openidc.
  packages+=(apache2 libapache2-mod-auth-openidc)
  # A node that came with the machine (with its own npm) is kept as it is.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
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
