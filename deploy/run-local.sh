#!/usr/bin/env bash
# Builds Accord and runs the broker in dev mode in the foreground, with a
# development PKI, keys, demo datasets and principals under ./var.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target accord-broker accord

data_dir="${ACCORD_DATA_DIR:-./var}"
grpc="${ACCORD_GRPC_ADDR:-127.0.0.1:7443}"
http="${ACCORD_HTTP_ADDR:-127.0.0.1:7480}"
cat <<MSG

Accord broker (dev mode), data in $data_dir
  gRPC (mutual TLS): $grpc      CA: $data_dir/dev-pki/ca.pem
  HTTP:              http://$http/healthz  /readyz  /metrics  /.well-known/jwks.json

Try, from another terminal in this directory:
  build/bin/accord dataset list --dev $data_dir --as partner-demo
  build/bin/accord consent give --dev $data_dir --citizen alice \\
      --dataset rennes.energy.household-consumption \\
      --purpose research-and-development --partner partner-demo
  build/bin/accord grant request --dev $data_dir --as partner-demo \\
      --dataset rennes.mobility.bike-stations --purpose service-provision \\
      --audience data.rennes.example

Stop with Ctrl-C.
MSG
exec build/bin/accord-broker --dev "$data_dir" --grpc-addr "$grpc" --http-addr "$http"
