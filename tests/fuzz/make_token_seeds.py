#!/usr/bin/env python3
# Writes the signed seed tokens of two fuzz corpora (needs python3-cryptography):
#   tests/fuzz/make_token_seeds.py grant tests/fuzz/jws/corpus
#   tests/fuzz/make_token_seeds.py citizen tests/fuzz/citizen_token/corpus
# The keys are public test keys (RFC 8037 A.1 Ed25519; the P-256 scalar
# SHA-256("accord fuzz p-256")), matching the JWKS inside the fuzzers.
import base64, json, os, sys
from cryptography.hazmat.primitives.asymmetric import ed25519, ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives import hashes
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def unb64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
ed = ed25519.Ed25519PrivateKey.from_private_bytes(unb64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))
from cryptography.hazmat.primitives import serialization
pub = ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
assert b64(pub) == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
import hashlib; ecd = int.from_bytes(hashlib.sha256(b"accord fuzz p-256").digest(), "big")
eck = ec.derive_private_key(ecd, ec.SECP256R1())
assert b64(eck.public_key().public_numbers().x.to_bytes(32, "big")) == "wfGgXeV1exmkcaYNVWZWBqRx6njI5pPGQCef2G_ybhM"
def sign(header, claims, key="ed"):
    h = b64(json.dumps(header, separators=(",", ":")).encode())
    p = b64(json.dumps(claims, separators=(",", ":")).encode())
    msg = (h + "." + p).encode()
    if key == "ed":
        sig = ed.sign(msg)
    else:
        r, s = decode_dss_signature(eck.sign(msg, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return h + "." + p + "." + b64(sig)
NOW = 1700000000
def write(d, name, text):
    open(os.path.join(d, name), "w").write(text)
which = sys.argv[1]; d = sys.argv[2]
if which == "grant":
    x5t = "cGFydG5lci1kZW1vLWNlcnQtdGh1bWJwcmludA"
    g = {"iss": "accord", "sub": "partner-demo", "aud": "data.rennes.example", "jti": "grant-1",
         "iat": NOW, "nbf": NOW, "exp": NOW + 300, "dataset": "rennes.energy.household-consumption",
         "purpose": "research-and-development", "fields": ["household", "kwh_day"],
         "subjects": ["alice-pseudonym"], "policy": {"version": 3, "hash": "c2hhMjU2"},
         "duties": {"delete_after": 86400, "no_onward_transfer": True}, "rev": 42, "cnf": {"x5t#S256": x5t}}
    write(d, "grant_eddsa.jws", sign({"alg": "EdDSA", "typ": "grant+jwt", "kid": "ed"}, g))
    write(d, "grant_es256.jws", sign({"alg": "ES256", "typ": "grant+jwt", "kid": "ec"}, g, "ec"))
    open_g = dict(g); del open_g["subjects"]; open_g["cnf"] = {"x5t#S256": "b3RoZXI"}
    write(d, "grant_open_other_cnf.jws", sign({"alg": "EdDSA", "typ": "grant+jwt", "kid": "ed"}, open_g))
    exp_g = dict(g); exp_g["exp"] = NOW - 1000; exp_g["aud"] = ["data.rennes.example", "x"]
    write(d, "grant_expired.jws", sign({"alg": "EdDSA", "typ": "grant+jwt", "kid": "ed"}, exp_g))
    write(d, "grant_wrong_typ.jws", sign({"alg": "EdDSA", "typ": "JWT", "kid": "ed"}, g))
    write(d, "grant_crit.jws", sign({"alg": "EdDSA", "typ": "grant+jwt", "kid": "ed", "crit": ["x"], "x": 1}, g))
    bad = dict(g); bad["fields"] = "household"; bad["rev"] = "42"
    write(d, "grant_bad_claims.jws", sign({"alg": "EdDSA", "typ": "grant+jwt", "kid": "ed"}, bad))
else:
    c = {"iss": "https://id.rennes.example", "aud": "accord", "sub": "alice", "exp": NOW + 600, "iat": NOW, "nbf": NOW - 10}
    write(d, "citizen_eddsa.jwt", sign({"alg": "EdDSA", "typ": "JWT", "kid": "ed"}, c))
    c2 = {"iss": "https://fc.example", "aud": ["accord-citizens", "other"], "sub": "bob", "exp": NOW + 60}
    write(d, "citizen_es256.jwt", sign({"alg": "ES256", "kid": "ec"}, c2, "ec"))
    write(d, "citizen_wrong_issuer.jwt", sign({"alg": "EdDSA", "kid": "ed"}, dict(c, iss="https://fc.example")))
    write(d, "citizen_expired.jwt", sign({"alg": "EdDSA", "kid": "ed"}, dict(c, exp=NOW - 3600)))
    write(d, "citizen_no_sub.jwt", sign({"alg": "EdDSA", "kid": "ed"}, {k: v for k, v in c.items() if k != "sub"}))
    write(d, "citizen_long_sub.jwt", sign({"alg": "EdDSA", "kid": "ed"}, dict(c, sub="x" * 300)))
    write(d, "citizen_alg_none.jwt", b64(b'{"alg":"none"}') + "." + b64(json.dumps(c).encode()) + ".")
    write(d, "citizen_hs256.jwt", b64(b'{"alg":"HS256","kid":"ed"}') + "." + b64(json.dumps(c).encode()) + ".c2ln")
