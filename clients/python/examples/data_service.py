#!/usr/bin/python3
"""An example data service in Python (Flask): serves the PERSONAL demo
dataset's (fake) records over HTTPS with client certificates, only to a
request carrying a valid Accord grant bound to the presenting certificate,
and only the granted fields of the granted subjects. The Python twin of
clients/examples (accord-data-service).

    data_service.py --listen 127.0.0.1:9443 \\
        --jwks https://127.0.0.1:7480/.well-known/jwks.json --jwks-ca var/dev-pki/ca.pem \\
        --audience data.rennes.example \\
        --tls-cert var/dev-pki/server.pem --tls-key var/dev-pki/server.key \\
        --client-ca var/dev-pki/ca.pem --subjects=PSEUDONYM1,PSEUDONYM2

    curl --cacert var/dev-pki/ca.pem --cert var/dev-pki/partner-demo.pem \\
        --key var/dev-pki/partner-demo.key -H "Authorization: Bearer $GRANT" \\
        "https://127.0.0.1:9443/records?fields=day,kwh"

GET /records: `Authorization: Bearer GRANT` (required); `fields` and
`subjects` (comma-separated, optional: every one must be covered by the
grant; empty means all the grant's). Answers 200 with
{"fields": [...], "records": [{"subject": ..., "values": {...}}], "grant_id": ...},
or an error {"code": "PERMISSION_DENIED", "message": "field tariff is not
covered by the grant"}: 401 UNAUTHENTICATED (no grant, or one that does not
verify: bad signature, expired, another audience, bound to another client
certificate; the message starts with the failed check), 400
INVALID_ARGUMENT (a malformed grant), 403 PERMISSION_DENIED (a field, a
subject or a dataset the grant does not cover, or a revoked grant), 503
UNAVAILABLE (revocations cannot be vouched for).

`--jwks broker` takes the keys from the broker's TrustService instead of
HTTPS; `--jwks-http loopback` accepts a plain http:// JWKS URL towards
loopback. `--revocations watch` follows the broker's revocation stream (as
the producer of the dataset: --broker-cert/--broker-key) and refuses
revoked grants, and every grant while the stream has been down longer than
--revocation-staleness seconds. Runs until SIGTERM or SIGINT.
"""
from __future__ import annotations

import argparse
import os
import signal
import ssl
import sys
import threading
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import grpc
from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from accord_client import (AccordClient, AccordError,  # noqa: E402
                           GrantVerifier, JwksSource, RevocationWatcher,
                           RevokedGrants, VerifiedGrant, broker_keys_loader)
from household_records import (HOUSEHOLD_DATASET, HOUSEHOLD_FIELDS,  # noqa: E402
                               household_records_for, read_subjects_file)

_HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.UNAVAILABLE: 503,
}


@dataclass(frozen=True)
class Served:
    fields: list[str]             # served, in the grant's order
    records: list[dict[str, str]]


def serve_records(grant: VerifiedGrant, fields: Sequence[str], subjects: Sequence[str],
                  known_subjects: Sequence[str]) -> Served:
    """The records `grant` allows for the request, from the subjects this
    service holds. Raises AccordError PERMISSION_DENIED naming the dataset,
    field or subject the grant does not cover. Requested subjects the
    service does not hold yield no record."""
    denied = grpc.StatusCode.PERMISSION_DENIED
    if grant.dataset != HOUSEHOLD_DATASET:
        raise AccordError(denied, f"grant is for dataset {grant.dataset}, not {HOUSEHOLD_DATASET}")
    # A PERSONAL dataset: a grant without a subject list covers nobody.
    if grant.subjects is None:
        raise AccordError(denied, "grant names no subjects")
    for f in fields:
        if not grant.covers_field(f):
            raise AccordError(denied, f"field {f} is not covered by the grant")
    for s in subjects:
        if not grant.covers_subject(s):
            raise AccordError(denied, f"subject {s} is not covered by the grant")
    served_fields = [f for f in grant.fields
                     if f in HOUSEHOLD_FIELDS and (not fields or f in fields)]
    records = []
    for subject in (subjects or grant.subjects):
        if subject not in known_subjects:
            continue
        for full in household_records_for(subject):
            records.append({f: full[f] for f in served_fields})
    return Served(served_fields, records)


def _split(value: Optional[str]) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _error(e: AccordError) -> Response:
    response = jsonify({"code": e.code.name, "message": e.message})
    response.status_code = _HTTP_STATUS.get(e.code, 500)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def create_app(verifier: GrantVerifier, known_subjects: Sequence[str]) -> Flask:
    """The Flask application, for any WSGI server that puts the client
    certificate's socket in environ["werkzeug.socket"] (werkzeug's server
    with TLS does)."""
    app = Flask("accord-data-service")

    @app.get("/records")
    def records() -> Any:
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(AccordError(grpc.StatusCode.UNAUTHENTICATED,
                                      "grant: required (Authorization: Bearer GRANT)"))
        sock = request.environ.get("werkzeug.socket")
        peer = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        try:
            grant = verifier.verify(token.strip(), peer or b"")
            served = serve_records(grant, _split(request.args.get("fields")),
                                   _split(request.args.get("subjects")), known_subjects)
        except AccordError as e:
            return _error(e)
        return jsonify({
            "fields": served.fields,
            "records": [{"subject": r.get("subject", ""),
                         "values": r} for r in served.records],
            "grant_id": grant.id,
        })

    return app


class _Handler(WSGIRequestHandler):
    # Seconds a connection may stay silent (handshake, request) before it
    # is dropped.
    timeout = 10


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="data_service.py",
                                description="Accord example data service (Python)")
    p.add_argument("--listen", required=True, help="HOST:PORT")
    p.add_argument("--jwks", required=True, help="https:// URL, or broker")
    p.add_argument("--jwks-ca", help="CA that signs the JWKS server's certificate")
    p.add_argument("--jwks-http", choices=["loopback"],
                   help="accept a plain http:// JWKS URL towards loopback")
    p.add_argument("--audience", required=True)
    p.add_argument("--issuer", default="")
    p.add_argument("--skew-seconds", type=int, default=60)
    p.add_argument("--tls-cert", required=True)
    p.add_argument("--tls-key", required=True)
    p.add_argument("--client-ca", required=True)
    # A pseudonym may start with "-": write --subjects=A,B.
    p.add_argument("--subjects", help="pseudonyms served, comma-separated (--subjects=A,B)")
    p.add_argument("--subjects-file", help="JSON array of pseudonyms")
    p.add_argument("--broker", help="HOST:PORT of the broker's gRPC listener")
    p.add_argument("--broker-ca")
    p.add_argument("--broker-cert")
    p.add_argument("--broker-key")
    p.add_argument("--revocations", choices=["watch"])
    p.add_argument("--max-grant-lifetime", type=int, default=86400)
    p.add_argument("--revocation-staleness", type=int, default=30)
    return p.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = _parse(argv)

    def fail(message: str) -> int:
        print(f"data_service.py: {message}", file=sys.stderr)
        return 2

    subjects: list[str] = []
    try:
        if args.subjects_file:
            subjects += read_subjects_file(args.subjects_file)
    except ValueError as e:
        return fail(f"--subjects-file: {e}")
    subjects += _split(args.subjects)
    if not subjects:
        return fail("--subjects or --subjects-file: no pseudonyms")
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        return fail(f"--listen: {args.listen!r} is not HOST:PORT")

    client: Optional[AccordClient] = None
    watcher: Optional[RevocationWatcher] = None
    try:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.verify_mode = ssl.CERT_REQUIRED
        for option, path in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key),
                             ("--client-ca", args.client_ca)):
            if not os.path.isfile(path):
                return fail(f"{option}: cannot read {path}")
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        tls.load_verify_locations(cafile=args.client_ca)

        if args.jwks == "broker" or args.revocations:
            missing = [f"--{n}" for n in ("broker", "broker-ca", "broker-cert", "broker-key")
                       if not getattr(args, n.replace("-", "_"))]
            if missing:
                return fail(f"{', '.join(missing)} required with --jwks broker or --revocations")
            client = AccordClient.connect(args.broker, ca_file=args.broker_ca,
                                          cert_file=args.broker_cert, key_file=args.broker_key)
        try:
            if args.jwks == "broker":
                assert client is not None
                keys = JwksSource.from_loader(broker_keys_loader(client.get_verification_keys))
            else:
                keys = JwksSource(args.jwks, ca_file=args.jwks_ca,
                                  allow_loopback_http=args.jwks_http == "loopback")
        except AccordError as e:
            return fail(f"--jwks: {e}")
        revoked: Optional[RevokedGrants] = None
        if args.revocations:
            assert client is not None
            revoked = RevokedGrants(max_grant_lifetime=args.max_grant_lifetime,
                                    max_staleness=args.revocation_staleness)
            watcher = RevocationWatcher(client, revoked)
        verifier = GrantVerifier(keys, args.audience, issuer=args.issuer,
                                 leeway=args.skew_seconds, revoked=revoked)
    except (AccordError, ssl.SSLError, OSError) as e:
        return fail(str(e))

    server = make_server(host, int(port), create_app(verifier, subjects),
                         threaded=True, ssl_context=tls, request_handler=_Handler)
    # The TLS handshake runs in the connection's thread, under its timeout,
    # not in the accepting loop, where a silent client would hold them all
    # (SSLSocket.accept reads this attribute; typeshed does not declare it).
    assert isinstance(server.socket, ssl.SSLSocket)
    server.socket.do_handshake_on_connect = False  # type: ignore[attr-defined]
    print(f"accord example data service listening on {host}:{server.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop.wait()
    server.shutdown()
    if watcher is not None:
        watcher.stop()
    if client is not None:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
