#!/usr/bin/python3
"""Verifies an erasure receipt with PyJWT, as a citizen's own tool would.

usage: verify_erasure_receipt.py JWKS TOKEN [SUBJECT]

JWKS is a file or an http(s) URL of the receipt key set. The receipt must
be an `accord-erasure+jwt` signed by a key of that set, for the audience
`urn:accord:erasure-receipt`, and, when given, about SUBJECT. Prints the
claims as JSON; exits non-zero when any check fails.
"""
import json
import sys
import urllib.request

import jwt

location, token = sys.argv[1], sys.argv[2]
if location.startswith(("http://", "https://")):
    jwks = json.load(urllib.request.urlopen(location))
else:
    with open(location) as f:
        jwks = json.load(f)
header = jwt.get_unverified_header(token)
assert header["typ"] == "accord-erasure+jwt", header
key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES256", "EdDSA"],
                    audience="urn:accord:erasure-receipt")
if len(sys.argv) > 3:
    assert claims["sub"] == sys.argv[3], claims
print(json.dumps(claims))
