"""The broker's grant keys, fetched over HTTPS with a pinned CA and cached.

The set is loaded once, then again:
 - when it is older than the max-age of the Cache-Control header it came
   with, so keys the broker withdrew stop verifying;
 - when a token names a kid the cached set does not hold (a rotation);
and never more often than `min_refresh_interval`, so that a flood of tokens
with made-up kids cannot turn into a flood of fetches. Each load replaces
the whole set. Plain http:// is refused unless `allow_loopback_http`, and
then only towards a loopback host. Redirects are not followed.
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import re
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Optional

import grpc
import jwt

from accord_client.channel import read_pem
from accord_client.errors import ConfigurationError, VerificationError

MAX_JWKS_BYTES = 1 << 20
MAX_AGE_CAP_SECONDS = 86400.0

# Key types and curves a grant key may have, and the "alg" each verifies.
_ALGORITHM_OF_KEY = {("EC", "P-256"): "ES256", ("OKP", "Ed25519"): "EdDSA"}


@dataclass(frozen=True)
class VerificationKey:
    """One key of the set: its kid, the "alg" it verifies, the public key."""

    kid: str
    algorithm: str  # "ES256" or "EdDSA"
    key: Any        # a cryptography public key


@dataclass(frozen=True)
class JwksUrl:
    https: bool
    host: str
    port: int
    path: str


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_jwks_url(url: str, allow_loopback_http: bool) -> JwksUrl:
    """Parses "http(s)://host[:port][/path]"; ConfigurationError naming the
    part at fault."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise ConfigurationError("jwks_url", f"{url!r}: the scheme must be https")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("jwks_url", f"{url!r}: user info is not allowed")
    if parts.fragment:
        raise ConfigurationError("jwks_url", f"{url!r}: a fragment is not allowed")
    host = parts.hostname or ""
    if not host:
        raise ConfigurationError("jwks_url", f"{url!r}: no host")
    try:
        port = parts.port
    except ValueError:
        raise ConfigurationError("jwks_url", f"{url!r}: bad port") from None
    https = parts.scheme == "https"
    if not https:
        if not allow_loopback_http:
            raise ConfigurationError(
                "jwks_url", f"{url!r}: plain http is refused; use https with a "
                "pinned CA (http is allowed only towards loopback, when asked for)")
        if not is_loopback_host(host):
            raise ConfigurationError(
                "jwks_url", f"{url!r}: plain http is allowed only towards a loopback host")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if re.search(r"[\x00-\x20\x7f]", path):
        raise ConfigurationError("jwks_url", f"{url!r}: spaces or control bytes in the path")
    return JwksUrl(https=https, host=host, port=port or (443 if https else 80), path=path)


def cache_max_age(cache_control: Optional[str]) -> Optional[float]:
    """The freshness a Cache-Control value gives: the smallest max-age
    (capped at one day), 0 for no-store / no-cache, None when there is none."""
    if not cache_control:
        return None
    best: Optional[float] = None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            value = value.strip().strip('"')
            if not value.isdigit():
                continue
            age = min(float(value), MAX_AGE_CAP_SECONDS)
            best = age if best is None else min(best, age)
    return best


def parse_jwks(text: bytes | str) -> dict[str, VerificationKey]:
    """kid -> key of a JWK set holding only ES256 (P-256) and EdDSA
    (Ed25519) public keys. ValueError naming the key at fault."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"not JSON ({e})") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError('not a JWK set (no "keys" array)')
    keys: dict[str, VerificationKey] = {}
    for i, jwk in enumerate(document["keys"]):
        if not isinstance(jwk, dict):
            raise ValueError(f"keys[{i}]: not an object")
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ValueError(f"keys[{i}]: no kid")
        if kid in keys:
            raise ValueError(f"keys[{i}]: kid {kid} appears twice")
        if "d" in jwk:
            raise ValueError(f"keys[{i}] ({kid}): holds a private key")
        algorithm = _ALGORITHM_OF_KEY.get((str(jwk.get("kty")), str(jwk.get("crv"))))
        if algorithm is None:
            raise ValueError(f"keys[{i}] ({kid}): not a P-256 or Ed25519 key")
        if jwk.get("alg", algorithm) != algorithm:
            raise ValueError(f"keys[{i}] ({kid}): alg {jwk.get('alg')} does not fit the key")
        if jwk.get("use", "sig") != "sig":
            raise ValueError(f"keys[{i}] ({kid}): use is not sig")
        try:
            keys[kid] = VerificationKey(kid, algorithm, jwt.PyJWK(jwk, algorithm).key)
        except (jwt.PyJWTError, ValueError, TypeError) as e:
            raise ValueError(f"keys[{i}] ({kid}): {e}") from None
    return keys


@dataclass(frozen=True)
class JwksDocument:
    text: bytes
    max_age: Optional[float]  # seconds; None: until an unknown kid


def fetch_jwks_url(url: JwksUrl, context: Optional[ssl.SSLContext],
                   timeout: float) -> JwksDocument:
    """GETs the JWKS. Raises VerificationError("keys", ...): UNAUTHENTICATED
    when the server's certificate does not verify against the pinned CA,
    UNAVAILABLE when the server cannot be reached, FAILED_PRECONDITION for
    an HTTP status other than 200, INVALID_ARGUMENT for a body over 1 MiB."""
    where = f"{'https' if url.https else 'http'}://{url.host}:{url.port}{url.path}"
    connection: http.client.HTTPConnection
    if url.https:
        connection = http.client.HTTPSConnection(url.host, url.port, timeout=timeout,
                                                 context=context)
    else:
        connection = http.client.HTTPConnection(url.host, url.port, timeout=timeout)
    try:
        connection.request("GET", url.path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        body = response.read(MAX_JWKS_BYTES + 1)
    except ssl.SSLCertVerificationError as e:
        raise VerificationError("keys", grpc.StatusCode.UNAUTHENTICATED,
                                f"{where}: the server's certificate does not verify "
                                f"against the pinned CA ({e.verify_message})") from e
    except (OSError, http.client.HTTPException) as e:
        raise VerificationError("keys", grpc.StatusCode.UNAVAILABLE,
                                f"{where}: {e}") from e
    finally:
        connection.close()
    if response.status != 200:
        raise VerificationError("keys", grpc.StatusCode.FAILED_PRECONDITION,
                                f"{where}: HTTP status {response.status}")
    if len(body) > MAX_JWKS_BYTES:
        raise VerificationError("keys", grpc.StatusCode.INVALID_ARGUMENT,
                                f"{where}: body larger than 1 MiB")
    return JwksDocument(body, cache_max_age(response.getheader("Cache-Control")))


Loader = Callable[[], JwksDocument]


class JwksSource:
    """A cached, refreshable JWK set. Thread-safe.

        keys = JwksSource("https://broker:7480/.well-known/jwks.json",
                          ca_file="ca.pem")

    `ca_file`: the PEM CA certificates that may sign the server's
    certificate (pinned: nothing else is trusted); required for https.
    Loads once here: raises ConfigurationError for a bad URL or CA file,
    VerificationError("keys") when the first load fails.
    """

    def __init__(self, url: str, *, ca_file: Optional[str] = None,
                 allow_loopback_http: bool = False,
                 min_refresh_interval: float = 30.0, fetch_timeout: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        parsed = parse_jwks_url(url, allow_loopback_http)
        context: Optional[ssl.SSLContext] = None
        if parsed.https:
            if not ca_file:
                raise ConfigurationError("ca_file", "required for an https JWKS URL "
                                         "(the CA that signs the broker's certificate)")
            ca = read_pem("ca_file", ca_file)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            try:
                context.load_verify_locations(cadata=ca.decode("ascii", "replace"))
            except ssl.SSLError as e:
                raise ConfigurationError("ca_file", f"{ca_file}: no usable CA certificate ({e})") from None
        self._init(lambda: fetch_jwks_url(parsed, context, fetch_timeout),
                   min_refresh_interval, clock)

    @classmethod
    def from_loader(cls, loader: Loader, *, min_refresh_interval: float = 30.0,
                    clock: Callable[[], float] = time.monotonic) -> "JwksSource":
        """A source over any loader, e.g. AccordClient.get_verification_keys."""
        source = cls.__new__(cls)
        source._init(loader, min_refresh_interval, clock)
        return source

    def _init(self, loader: Loader, min_refresh_interval: float,
              clock: Callable[[], float]) -> None:
        if min_refresh_interval < 0:
            raise ConfigurationError("min_refresh_interval", "must not be negative")
        self._loader = loader
        self._floor = min_refresh_interval
        self._clock = clock
        self._load_lock = threading.Lock()
        self._lock = threading.Lock()
        self._keys: dict[str, VerificationKey] = {}
        self._last_load = float("-inf")
        self._stale_at = float("inf")
        self._loads = 0
        with self._load_lock:
            self._load()

    def _load(self) -> None:
        now = self._clock()
        with self._lock:
            self._last_load = now
            self._loads += 1
        document = self._loader()
        try:
            keys = parse_jwks(document.text)
        except ValueError as e:
            raise VerificationError("keys", grpc.StatusCode.INVALID_ARGUMENT,
                                    f"the JWKS is not usable: {e}") from None
        with self._lock:
            self._keys = keys
            self._stale_at = (float("inf") if document.max_age is None
                              else now + document.max_age)

    def _due(self, stale_only: bool) -> bool:
        now = self._clock()
        with self._lock:
            if stale_only and now < self._stale_at:
                return False
            return now - self._last_load >= self._floor

    def refresh_if_stale(self) -> bool:
        """Loads again when past max-age and the floor; True when loaded.
        Raises the load error (the cached set stays in use)."""
        if not self._due(stale_only=True):
            return False
        with self._load_lock:
            if not self._due(stale_only=True):
                return False
            self._load()
            return True

    def refresh_after_unknown_kid(self) -> bool:
        """Loads again unless the last load is more recent than the floor.
        True when loaded; raises the load error."""
        with self._load_lock:
            if not self._due(stale_only=False):
                return False
            self._load()
            return True

    def key(self, kid: str) -> Optional[VerificationKey]:
        with self._lock:
            return self._keys.get(kid)

    def kids(self) -> list[str]:
        with self._lock:
            return list(self._keys)

    @property
    def load_count(self) -> int:
        with self._lock:
            return self._loads
