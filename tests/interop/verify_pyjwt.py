#!/usr/bin/python3
"""Verifies an Accord grant with PyJWT against the JWKS served over HTTP.

usage: verify_pyjwt.py JWKS_URL AUDIENCE TOKEN
Prints the verified claims as JSON and exits 0; prints why on stderr and
exits 1 when the grant is refused (any reason, unknown key included).
"""
import json
import sys

import jwt


def main():
    jwks_url, audience, token = sys.argv[1:4]
    try:
        header = jwt.get_unverified_header(token)
        if header.get("typ") != "grant+jwt":
            raise jwt.InvalidTokenError("typ is not grant+jwt")
        key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["ES256", "EdDSA"],
                            audience=audience,
                            options={"require": ["exp", "iat", "nbf", "aud",
                                                 "sub", "jti"]})
    except jwt.PyJWTError as e:
        print("rejected: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    print(json.dumps(claims))
    return 0


if __name__ == "__main__":
    sys.exit(main())
