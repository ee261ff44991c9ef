"""Typed, immutable views of the broker's answers (accord.v1 messages)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import grpc

from accord_client.errors import AccordError


@dataclass(frozen=True)
class Reason:
    """Why a decision went the way it did (accord.v1.Reason)."""

    code: str      # e.g. "rule_permitted", "subjects_without_consent"
    message: str   # one line for a person
    rule_id: str = ""  # empty for reasons about the request as a whole

    def __str__(self) -> str:
        where = f"{self.rule_id}: " if self.rule_id else ""
        return f"{where}{self.code}: {self.message}"


@dataclass(frozen=True)
class Duty:
    """A duty the grant holder accepts (accord.v1.Duty)."""

    kind: str
    value: str = ""


@dataclass(frozen=True)
class Decision:
    """A decision with its reasons (accord.v1.Decision)."""

    outcome: str  # "PERMIT" or "DENY"
    reasons: tuple[Reason, ...] = ()
    policy_version: int = 0
    policy_hash: str = ""
    fields: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    lifetime_seconds: int = 0
    duties: tuple[Duty, ...] = ()
    # The consents the decision relied on: the broker tells only the
    # operator (a partner's grant answers and explanations have none).
    consent_ids: tuple[str, ...] = ()

    @property
    def permitted(self) -> bool:
        return self.outcome == "PERMIT"


@dataclass(frozen=True)
class Explanation:
    """What the broker would decide (accord.v1.ExplainAccessResponse).

    A partner (or a producer) is told how many of the subjects it named
    would be granted, never which: `decision.subjects` and
    `decision.consent_ids` are empty for it.
    """

    decision: Decision
    subjects_asked: int = 0
    subjects_permitted: int = 0
    subjects_without_consent: int = 0
    # Store revision of the audit-log entry of the question (0 when it
    # named no subject).
    revision: int = 0

    @property
    def permitted(self) -> bool:
        return self.decision.permitted


@dataclass(frozen=True)
class Grant:
    """One signed grant (accord.v1.Grant)."""

    id: str            # the JWT "jti"
    token: str         # the JWS compact serialization
    expires_at: int    # Unix seconds
    subjects: tuple[str, ...] = ()
    log_index: int = 0


@dataclass(frozen=True)
class GrantResponse:
    """A PERMIT: the (possibly narrowed) decision and its grants."""

    decision: Decision
    grants: tuple[Grant, ...]
    revision: int

    @property
    def grant(self) -> Grant:
        """The only grant; ValueError when the subjects were split over several."""
        if len(self.grants) != 1:
            raise ValueError(f"the answer holds {len(self.grants)} grants, not one")
        return self.grants[0]


@dataclass(frozen=True)
class GrantRequest:
    """One request of AccordClient.request_grants."""

    dataset: str
    purpose: str
    audience: str
    subjects: Sequence[str] = ()
    fields: Sequence[str] = ()
    lifetime_seconds: int = 0
    at_least_as_fresh: int = 0
    # Where the data will be processed (policy rules' `locations`);
    # "" means the broker's default, "eu".
    location: str = ""


@dataclass(frozen=True)
class BatchResult:
    """The answer to one request of a batch: a response, an error, or both.

    A DENY has its decision in `response` and an AccessDenied in `error`;
    a request the broker refused (status code not OK) has only `error`.
    """

    response: Optional[GrantResponse] = None
    error: Optional[AccordError] = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> GrantResponse:
        """The response of a PERMIT, or raises the request's error."""
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


@dataclass(frozen=True)
class Revocation:
    """Grants no longer to be honoured (accord.v1.Revocation)."""

    grant_ids: tuple[str, ...]
    cause: str  # "consent_withdrawn", "grant_released" or "principal_removed"
    # The point to resume after. A partner gets one grant id per message
    # and only the last message of each delivery carries a revision (the
    # others 0), so grants revoked together are never linked.
    revision: int = 0


def status_code_from_int(value: int) -> grpc.StatusCode:
    """The grpc.StatusCode numbered `value`; UNKNOWN for a number out of range."""
    for code in grpc.StatusCode:
        if code.value[0] == value:
            return code
    return grpc.StatusCode.UNKNOWN


__all__ = [
    "BatchResult", "Decision", "Duty", "Explanation", "Grant", "GrantRequest",
    "GrantResponse", "Reason", "Revocation", "status_code_from_int",
]
