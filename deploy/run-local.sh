#!/usr/bin/env bash
# Builds Accord and runs, in the foreground, the broker in dev mode (a
# development PKI, keys, demo datasets and principals under ./var), a
# development OpenID provider for citizens (tests/oidc: alice and bob) and
# accord-portal, the citizens' web app "Mes données", in dev mode. Ctrl-C
# stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target accord-broker accord accord-portal

data_dir="${ACCORD_DATA_DIR:-./var}"
grpc="${ACCORD_GRPC_ADDR:-127.0.0.1:7443}"
http="${ACCORD_HTTP_ADDR:-127.0.0.1:7480}"
idp_port="${ACCORD_IDP_PORT:-8443}"
portal="${ACCORD_PORTAL_ADDR:-127.0.0.1:8480}"
issuer="https://127.0.0.1:$idp_port"
portal_url="http://$portal"
client_id=accord-portal

# The provider's material, made once: a self-signed certificate for
# 127.0.0.1, a signing key, the portal as a public client (PKCE), and the
# broker's configuration accepting the provider's ID tokens for the portal.
idp="$data_dir/dev-oidc"
mkdir -p "$idp"
npm ci --no-audit --no-fund --prefix tests/oidc >"$idp/npm.log" 2>&1 ||
  { tail -20 "$idp/npm.log"; exit 1; }
if [[ ! -f "$idp/cert.pem" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$idp/key.pem" -out "$idp/cert.pem" -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -days 825 2>/dev/null
  chmod 600 "$idp/key.pem"
fi
if [[ ! -f "$idp/private-jwks.json" ]]; then
  node tests/oidc/keygen.mjs dev-idp-1 >"$idp/private-jwks.json"
  chmod 600 "$idp/private-jwks.json"
fi
node -e 'const k = JSON.parse(require("fs").readFileSync(process.argv[1]));
  console.log(JSON.stringify({keys: k.keys.map(({d, ...p}) => p)}));' \
  "$idp/private-jwks.json" >"$idp/jwks.json"
cat >"$idp/clients.json" <<JSON
[{"client_id": "$client_id", "token_endpoint_auth_method": "none",
  "redirect_uris": ["$portal_url/callback"],
  "post_logout_redirect_uris": ["$portal_url/"]}]
JSON
cat >"$idp/broker.yaml" <<YAML
citizen_issuers:
  - issuer: $issuer
    audience: $client_id
    jwks_file: $idp/jwks.json
    app_principals:
      $client_id: citizen-app
YAML

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build/bin/accord-broker --config "$idp/broker.yaml" --dev "$data_dir" \
  --grpc-addr "$grpc" --http-addr "$http" &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://$http/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
node tests/oidc/provider.mjs --port "$idp_port" --cert "$idp/cert.pem" \
  --key "$idp/key.pem" --clients "$idp/clients.json" \
  --keys "$idp/private-jwks.json" > >(grep -v '^oidc-provider') 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf --cacert "$idp/cert.pem" "$issuer/.well-known/openid-configuration" \
    >/dev/null 2>&1 && break
  sleep 0.2
done
checkpoint_key="$(build/bin/accord audit key --broker "$grpc" --dev "$data_dir" --as auditor-demo)"
cat >"$idp/portal.yaml" <<YAML
listen: $portal
dev: $data_dir
broker: $grpc
oidc_issuer: $issuer
oidc_ca: $idp/cert.pem
client_id: $client_id
checkpoint_key: $checkpoint_key
web_root: clients/portal/web
YAML
build/bin/accord-portal --config "$idp/portal.yaml" >/dev/null &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "$portal_url/" >/dev/null 2>&1 && break
  sleep 0.2
done

# Once: Alice (as the provider knows her) consents to research use of her
# household's data by partner-demo, and partner-demo gets a grant naming
# her, so the app has something to show.
if [[ ! -f "$idp/seeded" ]]; then
  pki="$data_dir/dev-pki"
  token="$(node tests/oidc/login.mjs --issuer "$issuer" --ca "$idp/cert.pem" \
    --client-id "$client_id" --redirect-uri "$portal_url/callback" \
    --username alice --password alice-password)"
  subject="$(build/bin/accord consent give --broker "$grpc" --ca "$pki/ca.pem" \
    --cert "$pki/citizen-app.pem" --key "$pki/citizen-app.key" --token "$token" \
    --dataset rennes.energy.household-consumption \
    --purpose research-and-development --partner partner-demo --output json |
    node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end",
      () => console.log(JSON.parse(s).consent.subject));')"
  build/bin/accord grant request --broker "$grpc" --dev "$data_dir" --as partner-demo \
    --dataset rennes.energy.household-consumption \
    --purpose research-and-development --audience data.rennes.example \
    --subjects "$subject" >/dev/null
  touch "$idp/seeded"
fi

cat <<MSG

Accord broker (dev mode), data in $data_dir
  gRPC (mutual TLS): $grpc      CA: $data_dir/dev-pki/ca.pem
  HTTP:              http://$http/healthz  /readyz  /metrics  /.well-known/jwks.json
OpenID provider (development): $issuer
  its certificate is self-signed ($idp/cert.pem): the browser asks once
  to accept it

Mes données, the citizens' web app:  $portal_url
  sign in as alice (password alice-password) or bob (bob-password)

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
wait -n "${pids[@]}"
