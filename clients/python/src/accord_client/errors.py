"""The exceptions of accord_client.

Every error is an AccordError carrying a gRPC status code and a message;
a denial also carries the broker's reasons. The broker answers a DENY as
an OK response whose decision says why; the client raises it as
AccessDenied (code PERMISSION_DENIED) so that a caller cannot mistake it
for a grant.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import grpc

if TYPE_CHECKING:
    from accord_client.models import Decision, Reason


class AccordError(Exception):
    """A call or a check that failed: a gRPC status code and a message."""

    def __init__(self, code: grpc.StatusCode, message: str,
                 reasons: Sequence["Reason"] = ()) -> None:
        self.code: grpc.StatusCode = code
        self.message: str = message
        self.reasons: tuple["Reason", ...] = tuple(reasons)
        text = f"{code.name}: {message}"
        if self.reasons:
            text += " (" + "; ".join(str(r) for r in self.reasons) + ")"
        super().__init__(text)


class RpcError(AccordError):
    """The broker (or the transport) answered with a non-OK gRPC status."""


class AccessDenied(AccordError):
    """The broker's decision was DENY; `reasons` says why, rule by rule."""

    def __init__(self, decision: "Decision", revision: int) -> None:
        super().__init__(grpc.StatusCode.PERMISSION_DENIED,
                         "the broker denied the request", decision.reasons)
        self.decision: "Decision" = decision
        self.revision: int = revision


class ConfigurationError(AccordError):
    """A local setting is unusable: a missing or unreadable file, a bad URL.

    `option` names the setting at fault.
    """

    def __init__(self, option: str, message: str,
                 code: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> None:
        super().__init__(code, f"{option}: {message}")
        self.option: str = option


class VerificationError(AccordError):
    """A grant must not be honoured. `check` names the check that refused it.

    Checks (as the C++ verifier names them): "format", "key", "keys",
    "signature", "lifetime", "iss", "aud", "claims", "cnf", "revoked",
    "revocations". The message starts with the check name. Codes:
    INVALID_ARGUMENT for a malformed token or claim, UNAUTHENTICATED for a
    well-formed grant that does not hold, PERMISSION_DENIED for a revoked
    grant, UNAVAILABLE when the keys or the revocation stream cannot vouch
    for it. A misconfigured verifier raises ConfigurationError when it is
    made, not on each grant.
    """

    def __init__(self, check: str, code: grpc.StatusCode, message: str) -> None:
        super().__init__(code, f"{check}: {message}")
        self.check: str = check
