#!/usr/bin/python3
"""Verifies a receipt with PyJWT, as a citizen's own tool would.

usage: verify_receipt.py [--erasure] JWKS TOKEN [EXPECTED]

JWKS is a file or an http(s) URL of the receipt key set. A consent receipt
must be a `consent-receipt+jwt` for the audience `urn:accord:consent-receipt`
and, when EXPECTED is given, about that consent id; with --erasure, an
erasure receipt: an `accord-erasure+jwt` for `urn:accord:erasure-receipt`
and, when EXPECTED is given, about that subject. Either must be signed by a
key of the set. Prints the claims as JSON; exits non-zero when any check
fails.
"""
import json
import sys
import urllib.request

import jwt

# typ, audience, and the claim EXPECTED is compared with, per kind.
KINDS = {
    "consent": ("consent-receipt+jwt", "urn:accord:consent-receipt",
                "consent_id"),
    "erasure": ("accord-erasure+jwt", "urn:accord:erasure-receipt", "sub"),
}

args = sys.argv[1:]
kind = "consent"
if args and args[0] == "--erasure":
    kind, args = "erasure", args[1:]
typ, audience, expected_claim = KINDS[kind]
location, token = args[0], args[1]
if location.startswith(("http://", "https://")):
    jwks = json.load(urllib.request.urlopen(location))
else:
    with open(location) as f:
        jwks = json.load(f)
header = jwt.get_unverified_header(token)
assert header["typ"] == typ, header
key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES256", "EdDSA"],
                    audience=audience)
if len(args) > 2:
    assert claims[expected_claim] == args[2], claims
print(json.dumps(claims))
