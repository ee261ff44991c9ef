#!/usr/bin/python3
"""Verifies an Accord grant with PyJWT, a JWT library Accord did not write.

usage: verify_grant.py JWKS_URL AUDIENCE TOKEN
Prints the verified claims as JSON and exits 0; exits 1 when verification
fails.
"""
import json
import sys

import jwt


def main():
    jwks_url, audience, token = sys.argv[1:4]
    client = jwt.PyJWKClient(jwks_url)
    key = client.get_signing_key_from_jwt(token)
    try:
        claims = jwt.decode(token, key.key, algorithms=["ES256", "EdDSA"],
                            audience=audience,
                            options={"require": ["exp", "iat", "nbf", "aud"]})
    except jwt.PyJWTError as e:
        print("rejected: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps(claims))
    return 0


if __name__ == "__main__":
    sys.exit(main())
