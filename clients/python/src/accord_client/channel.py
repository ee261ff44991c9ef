"""A gRPC channel to the broker over mutual TLS, from PEM files."""
from __future__ import annotations

import os
from typing import Optional, Sequence

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from accord_client.errors import ConfigurationError

# Bound on a PEM file read here: certificates and keys are a few KiB.
_MAX_PEM_BYTES = 1 << 20

# How a channel comes back after the broker was away. gRPC's defaults let
# the reconnect backoff grow to two minutes and resolve the target again at
# most every 30 s (a broker restarted on the same address stays unreachable
# that long), while every grant is refused once the revocation stream has
# been down past its staleness bound. Options given to mtls_channel win.
RECONNECT_OPTIONS: dict[str, object] = {
    "grpc.dns_min_time_between_resolutions_ms": 1000,
    "grpc.max_reconnect_backoff_ms": 10000,
}


def read_pem(option: str, path: str) -> bytes:
    """The contents of the PEM file at `path`.

    Raises ConfigurationError naming `option` and the path when the file is
    missing (NOT_FOUND), unreadable (PERMISSION_DENIED), too large, empty or
    holds no PEM block (INVALID_ARGUMENT).
    """
    if not path:
        raise ConfigurationError(option, "no file named")
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_PEM_BYTES + 1)
    except FileNotFoundError:
        raise ConfigurationError(option, f"{path}: no such file",
                                 grpc.StatusCode.NOT_FOUND) from None
    except IsADirectoryError:
        raise ConfigurationError(option, f"{path}: is a directory") from None
    except PermissionError:
        raise ConfigurationError(option, f"{path}: cannot be read (permission denied)",
                                 grpc.StatusCode.PERMISSION_DENIED) from None
    except OSError as e:
        raise ConfigurationError(option, f"{path}: cannot be read ({e.strerror})",
                                 grpc.StatusCode.FAILED_PRECONDITION) from None
    if len(data) > _MAX_PEM_BYTES:
        raise ConfigurationError(option, f"{path}: larger than 1 MiB")
    if b"-----BEGIN " not in data:
        raise ConfigurationError(option, f"{path}: not a PEM file")
    return data


def _check_key_matches(cert_path: str, cert_pem: bytes, key_path: str,
                       key_pem: bytes) -> None:
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as e:
        raise ConfigurationError("cert_file", f"{cert_path}: not a certificate ({e})") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as e:
        raise ConfigurationError("key_file", f"{key_path}: not an unencrypted private key ({e})") from None
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if cert.public_key().public_bytes(*fmt) != key.public_key().public_bytes(*fmt):
        raise ConfigurationError(
            "key_file", f"{key_path}: does not match the certificate {cert_path}")


def mtls_channel(target: str, *, ca_file: str, cert_file: str, key_file: str,
                 server_name: Optional[str] = None,
                 options: Sequence[tuple[str, object]] = ()) -> grpc.Channel:
    """A channel to `target` ("host:port") over mutual TLS.

    `ca_file`: the CA certificates that may sign the broker's certificate
    (nothing else is trusted); `cert_file`, `key_file`: this partner's
    client certificate (leaf first) and its private key. `server_name`
    overrides the name checked in the broker's certificate. `options`:
    gRPC channel arguments, over RECONNECT_OPTIONS.

    Raises ConfigurationError naming the file at fault (see read_pem), or
    when the key does not match the certificate. The channel connects
    lazily: an unreachable broker shows on the first call (UNAVAILABLE).
    """
    if not target:
        raise ConfigurationError("target", "no broker address")
    ca = read_pem("ca_file", ca_file)
    cert = read_pem("cert_file", cert_file)
    key = read_pem("key_file", key_file)
    _check_key_matches(cert_file, cert, key_file, key)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=ca, private_key=key, certificate_chain=cert)
    merged = dict(RECONNECT_OPTIONS)
    merged.update(dict(options))
    if server_name:
        merged["grpc.ssl_target_name_override"] = server_name
    return grpc.secure_channel(target, credentials, options=list(merged.items()))


def dev_paths(dev_dir: str, principal: str) -> dict[str, str]:
    """The mtls_channel file arguments for a principal of a dev-mode broker
    (`accord-broker --dev DIR` writes them under DIR/dev-pki)."""
    pki = os.path.join(dev_dir, "dev-pki")
    return {
        "ca_file": os.path.join(pki, "ca.pem"),
        "cert_file": os.path.join(pki, f"{principal}.pem"),
        "key_file": os.path.join(pki, f"{principal}.key"),
    }
