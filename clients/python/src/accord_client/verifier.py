"""Offline verification of Accord grants, for data services.

    keys = JwksSource("https://broker:7480/.well-known/jwks.json", ca_file="ca.pem")
    verifier = GrantVerifier(keys, audience="data.rennes.example")
    grant = verifier.verify(token, client_cert_der_or_pem)

The checks, in order, each refusing with a VerificationError naming it:
format (size, three base64url parts, JSON header), signature (alg ES256 or
EdDSA only, typ grant+jwt, no crit, the key's type fits the alg, the
signature), key (kid unknown even after loading the JWKS again), lifetime
(exp, nbf, iat with a tolerated skew), iss (when configured), aud (this
service), claims (the grant's claims and their types), cnf (x5t#S256 is the
presenting client certificate's thumbprint), revoked / revocations (when a
RevokedGrants set is given). See docs/architecture.md, "Access grant".
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import grpc
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from accord_client.errors import AccordError, ConfigurationError, VerificationError
from accord_client.jwks import JwksDocument, JwksSource
from accord_client.revocations import RevokedGrants

GRANT_TYPE = "grant+jwt"
GRANT_ALGORITHMS = ("ES256", "EdDSA")

_UNAUTH = grpc.StatusCode.UNAUTHENTICATED
_INVALID = grpc.StatusCode.INVALID_ARGUMENT


def certificate_thumbprint(certificate: bytes | str) -> str:
    """The RFC 8705 x5t#S256 of a certificate given as PEM or DER: the
    base64url SHA-256 of its DER, without padding. ValueError when it does
    not parse."""
    data = certificate.encode("ascii") if isinstance(certificate, str) else certificate
    if b"-----BEGIN" in data:
        der = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    else:
        der = x509.load_der_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class VerifiedGrant:
    """A grant's claims, once verified."""

    id: str                 # "jti"
    partner: str            # "sub"
    audience: str           # "aud"
    dataset: str
    purpose: str
    fields: tuple[str, ...]
    subjects: Optional[tuple[str, ...]]  # None: not a PERSONAL dataset
    expires_at: int         # "exp"
    issued_at: int          # "iat" (0 when absent)
    not_before: int         # "nbf" (issued_at when absent)
    cnf_x5t_s256: str
    kid: str
    algorithm: str
    issuer: str = ""
    policy_version: int = 0
    policy_hash: str = ""
    revision: int = 0       # "rev"
    duties: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)

    def covers_field(self, name: str) -> bool:
        return name in self.fields

    def covers_subject(self, subject: str) -> bool:
        """True when the grant has no subject list (not a PERSONAL dataset)
        or names `subject`."""
        return self.subjects is None or subject in self.subjects


def _string_list(claims: dict[str, Any], name: str) -> tuple[str, ...]:
    value = claims.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VerificationError("claims", _INVALID, f'"{name}" is not an array of strings')
    return tuple(value)


def _string(claims: dict[str, Any], name: str, required: bool = True) -> str:
    value = claims.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise VerificationError("claims", _INVALID, f'"{name}" is missing or not a string')
    return value


def _integer(claims: dict[str, Any], name: str, required: bool) -> Optional[int]:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise VerificationError("claims", _INVALID, f'"{name}" is missing or not an integer')
    return value


def grant_from_claims(header: dict[str, Any], claims: dict[str, Any]) -> VerifiedGrant:
    """A VerifiedGrant from verified claims; VerificationError("claims")
    naming a claim that is missing or of the wrong type."""
    cnf = claims.get("cnf")
    if not isinstance(cnf, dict) or not isinstance(cnf.get("x5t#S256"), str):
        raise VerificationError("claims", _INVALID, '"cnf" has no string "x5t#S256"')
    subjects = _string_list(claims, "subjects") if "subjects" in claims else None
    policy = claims.get("policy", {})
    if not isinstance(policy, dict):
        raise VerificationError("claims", _INVALID, '"policy" is not an object')
    duties = claims.get("duties", {})
    if not isinstance(duties, dict):
        raise VerificationError("claims", _INVALID, '"duties" is not an object')
    issued_at = _integer(claims, "iat", False) or 0
    not_before = _integer(claims, "nbf", False)
    version = policy.get("version", 0)
    return VerifiedGrant(
        id=_string(claims, "jti"),
        partner=_string(claims, "sub"),
        audience=_string(claims, "aud"),
        dataset=_string(claims, "dataset"),
        purpose=_string(claims, "purpose"),
        fields=_string_list(claims, "fields"),
        subjects=subjects,
        expires_at=_integer(claims, "exp", True) or 0,
        issued_at=issued_at,
        not_before=issued_at if not_before is None else not_before,
        cnf_x5t_s256=cnf["x5t#S256"],
        kid=str(header.get("kid", "")),
        algorithm=str(header.get("alg", "")),
        issuer=_string(claims, "iss", required=False),
        policy_version=version if isinstance(version, int) else 0,
        policy_hash=str(policy.get("hash", "")),
        revision=_integer(claims, "rev", False) or 0,
        duties=dict(duties),
        claims=dict(claims),
    )


def _b64url_json(part: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise VerificationError("format", _INVALID, f"the {what} is not base64url JSON") from None


class GrantVerifier:
    """Verifies grants for one data service (`audience`). Thread-safe.

    `issuer`: the expected "iss" (not checked when empty). `leeway`:
    tolerated clock difference in seconds for exp, nbf and iat.
    `revoked`: when given, a grant it holds is refused ("revoked",
    PERMISSION_DENIED), and every grant while it cannot vouch for being
    current ("revocations", UNAVAILABLE); fill it with a RevocationWatcher.
    """

    def __init__(self, keys: JwksSource, audience: str, *, issuer: str = "",
                 leeway: int = 60, algorithms: Sequence[str] = GRANT_ALGORITHMS,
                 revoked: Optional[RevokedGrants] = None,
                 max_token_bytes: int = 16 * 1024,
                 clock: Callable[[], float] = time.time) -> None:
        if not audience:
            raise ConfigurationError("audience", "required: the data service's own name",
                                     grpc.StatusCode.FAILED_PRECONDITION)
        if not algorithms:
            raise ConfigurationError("algorithms", "no algorithm allowed",
                                     grpc.StatusCode.FAILED_PRECONDITION)
        for a in algorithms:
            if a not in GRANT_ALGORITHMS:
                raise ConfigurationError("algorithms", f"{a!r}: only ES256 and EdDSA",
                                         grpc.StatusCode.FAILED_PRECONDITION)
        if leeway < 0:
            raise ConfigurationError("leeway", "must not be negative")
        self._keys = keys
        self._audience = audience
        self._issuer = issuer
        self._leeway = leeway
        self._algorithms = tuple(algorithms)
        self._revoked = revoked
        self._max_token_bytes = max_token_bytes
        self._clock = clock

    @property
    def audience(self) -> str:
        return self._audience

    def verify(self, token: str, client_certificate: bytes | str) -> VerifiedGrant:
        """Verifies `token` for the client certificate that presented it
        (PEM or DER, as the TLS stack gives it). Raises VerificationError."""
        if not client_certificate:
            raise VerificationError("cnf", _UNAUTH, "no client certificate presented")
        try:
            thumbprint = certificate_thumbprint(client_certificate)
        except ValueError as e:
            raise VerificationError("cnf", _INVALID,
                                    f"the presenting certificate does not parse ({e})") from None
        return self._verify(token, thumbprint)

    def verify_for_thumbprint(self, token: str, x5t_s256: str) -> VerifiedGrant:
        """As verify(), with the certificate given by its x5t#S256, as a
        TLS-terminating proxy forwards it."""
        if not x5t_s256:
            raise VerificationError("cnf", _UNAUTH, "no client certificate thumbprint")
        return self._verify(token, x5t_s256)

    def verify_unbound(self, token: str) -> VerifiedGrant:
        """Every check but the certificate binding: for tools that inspect a
        grant. A data service must use verify()."""
        return self._verify(token, None)

    def _verify(self, token: str, x5t_s256: Optional[str]) -> VerifiedGrant:
        if not isinstance(token, str) or not token:
            raise VerificationError("format", _INVALID, "no token")
        if len(token) > self._max_token_bytes:
            raise VerificationError("format", _INVALID,
                                    f"token larger than {self._max_token_bytes} bytes")
        parts = token.split(".")
        if len(parts) != 3 or not all(parts):
            raise VerificationError("format", _INVALID, "not a JWS compact serialization")
        header = _b64url_json(parts[0], "header")
        if not isinstance(header, dict):
            raise VerificationError("format", _INVALID, "the header is not an object")
        alg = header.get("alg")
        if alg not in self._algorithms:
            raise VerificationError("signature", _UNAUTH, f"alg {alg!r} is not allowed")
        if header.get("typ") != GRANT_TYPE:
            raise VerificationError("signature", _UNAUTH,
                                    f"typ {header.get('typ')!r} is not {GRANT_TYPE}")
        if "crit" in header:
            raise VerificationError("signature", _UNAUTH, "crit header parameters are not understood")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise VerificationError("format", _INVALID, "no kid in the header")

        try:
            self._keys.refresh_if_stale()
        except AccordError:
            pass  # the cached set stays in use; the source retries after its floor
        key = self._keys.key(kid)
        if key is None:
            # The broker may have rotated: load the set again (the source
            # holds back loads that come too often) and look once more.
            try:
                reloaded = self._keys.refresh_after_unknown_kid()
            except AccordError as e:
                raise VerificationError("keys", e.code, f"kid {kid} is unknown and the "
                                        f"JWKS could not be loaded again: {e.message}") from None
            key = self._keys.key(kid)
            if key is None:
                raise VerificationError(
                    "key", _UNAUTH,
                    f"no key with kid {kid} in the JWKS, even after loading it again"
                    if reloaded else
                    f"no key with kid {kid} in the JWKS, loaded again too recently "
                    "to load it once more")
        if key.algorithm != alg:
            raise VerificationError("signature", _UNAUTH,
                                    f"key {kid} is for {key.algorithm}, the token says {alg}")
        try:
            claims = jwt.decode(token, key.key, algorithms=[alg],
                                options={"verify_signature": True, "verify_exp": False,
                                         "verify_nbf": False, "verify_iat": False,
                                         "verify_aud": False, "verify_iss": False})
        except jwt.InvalidSignatureError:
            raise VerificationError("signature", _UNAUTH, "the signature does not verify") from None
        except jwt.DecodeError as e:
            raise VerificationError("format", _INVALID, str(e)) from None
        except jwt.PyJWTError as e:
            raise VerificationError("signature", _UNAUTH, str(e)) from None
        if not isinstance(claims, dict):
            raise VerificationError("format", _INVALID, "the payload is not an object")

        self._check_lifetime(claims)
        if self._issuer and claims.get("iss") != self._issuer:
            raise VerificationError("iss", _UNAUTH,
                                    f"issuer {claims.get('iss')!r} is not {self._issuer!r}")
        aud = claims.get("aud")
        if not isinstance(aud, str):
            raise VerificationError("aud", _UNAUTH, '"aud" is not one string')
        if aud != self._audience:
            raise VerificationError("aud", _UNAUTH,
                                    f"the grant is for {aud!r}, not {self._audience!r}")
        grant = grant_from_claims(header, claims)
        if x5t_s256 is not None and not hmac.compare_digest(
                grant.cnf_x5t_s256.encode(), x5t_s256.encode()):
            raise VerificationError("cnf", _UNAUTH, "grant is bound to another client certificate")
        # Last, so only a grant that is otherwise valid learns it was revoked.
        if self._revoked is not None:
            self._revoked.check(grant.id)
        return grant

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        now = int(self._clock())
        exp = _integer(claims, "exp", True)
        nbf = _integer(claims, "nbf", False)
        iat = _integer(claims, "iat", False)
        assert exp is not None
        if now - self._leeway >= exp:
            raise VerificationError("lifetime", _UNAUTH, f"expired at {exp} (now {now})")
        if nbf is not None and now + self._leeway < nbf:
            raise VerificationError("lifetime", _UNAUTH, f"not valid before {nbf} (now {now})")
        if iat is not None and now + self._leeway < iat:
            raise VerificationError("lifetime", _UNAUTH, f"issued in the future ({iat}, now {now})")


def broker_keys_loader(get_jwks: Callable[[], str]) -> Callable[[], JwksDocument]:
    """A JwksSource loader over TrustService.GetVerificationKeys, e.g.
    JwksSource.from_loader(broker_keys_loader(client.get_verification_keys)).
    A broker error is raised as VerificationError("keys")."""
    def load() -> JwksDocument:
        try:
            text = get_jwks()
        except AccordError as e:
            raise VerificationError("keys", e.code, f"GetVerificationKeys: {e.message}") from None
        return JwksDocument(text.encode("utf-8"), None)
    return load
