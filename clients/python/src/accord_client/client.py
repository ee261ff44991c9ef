"""The partner's client of the broker: AccessService, PolicyService.ExplainAccess
and the TrustService calls, over mutual TLS."""
from __future__ import annotations

import secrets
import time
from typing import Any, Callable, Optional, Sequence, TypeVar

import grpc

from accord_client import _proto as pb
from accord_client.channel import mtls_channel
from accord_client.errors import AccessDenied, AccordError, RpcError
from accord_client.models import (BatchResult, Decision, Duty, Explanation, Grant,
                                 GrantRequest, GrantResponse, Reason,
                                 Revocation, status_code_from_int)

_T = TypeVar("_T")

_OUTCOMES = {1: "PERMIT", 2: "DENY"}


def _rpc_error(e: grpc.RpcError) -> RpcError:
    code = e.code() if isinstance(e, grpc.Call) else grpc.StatusCode.UNKNOWN
    details = e.details() if isinstance(e, grpc.Call) else str(e)
    return RpcError(code or grpc.StatusCode.UNKNOWN, details or "")


def _call(fn: Callable[[], _T]) -> _T:
    try:
        return fn()
    except grpc.RpcError as e:
        raise _rpc_error(e) from None


# Attempts of one logical write call, the first included.
MAX_ATTEMPTS = 4
# The outcomes that leave a write's fate unknown (or unwritten): retried
# with the same request id.
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def new_request_id() -> str:
    """A fresh client request id for one logical write call: 22 base64url
    characters. Every retry of the call repeats it, so the broker answers a
    retry with the first attempt's outcome and writes nothing more."""
    return secrets.token_urlsafe(16)


def _write_call(fn: Callable[[], _T],
                sleep: Callable[[float], None] = time.sleep) -> _T:
    """`fn`, a write whose request carries a client request id, retried
    with that same request on UNAVAILABLE and DEADLINE_EXCEEDED, up to
    MAX_ATTEMPTS in all, 0.1 s, 0.2 s, 0.4 s apart. Raises RpcError with the
    last attempt's status."""
    delay = 0.1
    attempt = 1
    while True:
        try:
            return fn()
        except grpc.RpcError as e:
            error = _rpc_error(e)
            if error.code not in _RETRYABLE or attempt >= MAX_ATTEMPTS:
                raise error from None
        sleep(delay)
        delay *= 2
        attempt += 1


def decision_from_proto(d: Any) -> Decision:
    return Decision(
        outcome=_OUTCOMES.get(d.outcome, "UNSPECIFIED"),
        reasons=tuple(Reason(code=r.code, message=r.message, rule_id=r.rule_id)
                      for r in d.reasons),
        policy_version=d.policy.version,
        policy_hash=d.policy.hash,
        fields=tuple(d.fields),
        subjects=tuple(d.subjects),
        lifetime_seconds=d.lifetime_seconds,
        duties=tuple(Duty(kind=x.kind, value=x.value) for x in d.duties),
        consent_ids=tuple(d.consent_ids),
    )


def _response_from_proto(r: Any) -> GrantResponse:
    return GrantResponse(
        decision=decision_from_proto(r.decision),
        grants=tuple(Grant(id=g.id, token=g.token, expires_at=g.expires_at,
                           subjects=tuple(g.subjects), log_index=g.log_index)
                     for g in r.grants),
        revision=r.revision,
    )


def _names(what: str, values: Sequence[str]) -> list[str]:
    """`values` as a list; TypeError for one string, which would otherwise
    be taken letter by letter."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what}: a sequence of strings, not one string")
    return list(values)


def _request_to_proto(r: GrantRequest) -> Any:
    return pb.access_pb2.RequestGrantRequest(
        dataset_id=r.dataset, purpose=r.purpose, audience=r.audience,
        subjects=_names("subjects", r.subjects), fields=_names("fields", r.fields),
        lifetime_seconds=r.lifetime_seconds,
        at_least_as_fresh=r.at_least_as_fresh, location=r.location,
        client_request_id=new_request_id())


class RevocationStream:
    """An iterator over TrustService.WatchRevocations.

    Yields Revocation until the stream ends: StopIteration when the broker
    closes it cleanly, RpcError otherwise (UNAVAILABLE when the broker went
    away, CANCELLED after cancel()). The broker sends nothing until there
    is a revocation, so `next()` blocks; cancel() from another thread ends
    it. As a context manager, it is cancelled on leaving.
    """

    def __init__(self, call: Any) -> None:
        self._call = call

    def __iter__(self) -> "RevocationStream":
        return self

    def __next__(self) -> Revocation:
        try:
            message = next(self._call)
        except grpc.RpcError as e:
            raise _rpc_error(e) from None
        r = message.revocation
        return Revocation(grant_ids=tuple(r.grant_ids), cause=r.cause,
                          revision=r.revision)

    def cancel(self) -> None:
        self._call.cancel()

    def __enter__(self) -> "RevocationStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def is_active(self) -> bool:
        return bool(self._call.is_active())


class AccordClient:
    """A partner's calls to the broker. Thread-safe, like its channel.

        client = AccordClient.connect("broker:7443", ca_file="ca.pem",
                                      cert_file="partner.pem", key_file="partner.key")
        grant = client.request_grant("rennes.energy.household-consumption",
                                     "research-and-development",
                                     "data.rennes.example", subjects=[alice]).grant

    Every call raises RpcError (code and message of the broker) on a non-OK
    status; request_grant raises AccessDenied, with the broker's reasons, on
    a DENY.
    """

    def __init__(self, channel: grpc.Channel, timeout: float = 10.0) -> None:
        """`timeout`: the deadline of each unary call, in seconds."""
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._channel = channel
        self._timeout = timeout
        self._access = pb.access_pb2_grpc.AccessServiceStub(channel)
        self._policy = pb.policy_pb2_grpc.PolicyServiceStub(channel)
        self._trust = pb.trust_pb2_grpc.TrustServiceStub(channel)

    @classmethod
    def connect(cls, target: str, *, ca_file: str, cert_file: str,
                key_file: str, server_name: Optional[str] = None,
                timeout: float = 10.0,
                options: Sequence[tuple[str, object]] = ()) -> "AccordClient":
        """A client over mtls_channel(); ConfigurationError for a bad file.
        `options`: gRPC channel arguments, e.g.
        ("grpc.max_reconnect_backoff_ms", 10000)."""
        return cls(mtls_channel(target, ca_file=ca_file, cert_file=cert_file,
                                key_file=key_file, server_name=server_name,
                                options=options),
                   timeout)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "AccordClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # AccessService

    def request_grant(self, dataset: str, purpose: str, audience: str, *,
                      subjects: Sequence[str] = (), fields: Sequence[str] = (),
                      lifetime_seconds: int = 0,
                      at_least_as_fresh: int = 0,
                      location: str = "") -> GrantResponse:
        """Asks for a grant. Returns the PERMIT (maybe narrowed: fewer
        subjects, fields or seconds than asked, with reasons saying so).
        Raises AccessDenied on DENY, RpcError on an error status
        (INVALID_ARGUMENT, NOT_FOUND for the dataset, PERMISSION_DENIED
        when the caller is not a partner, UNAUTHENTICATED, UNAVAILABLE).
        `location`: where the data will be processed ("" for "eu")."""
        request = _request_to_proto(GrantRequest(
            dataset=dataset, purpose=purpose, audience=audience,
            subjects=subjects, fields=fields, lifetime_seconds=lifetime_seconds,
            at_least_as_fresh=at_least_as_fresh, location=location))
        reply = _write_call(
            lambda: self._access.RequestGrant(request, timeout=self._timeout))
        response = _response_from_proto(reply)
        if not response.decision.permitted:
            raise AccessDenied(response.decision, response.revision)
        return response

    def request_grants(self, requests: Sequence[GrantRequest]) -> list[BatchResult]:
        """Up to 100 requests in one call, each answered on its own, in
        order. Raises RpcError when the batch as a whole is refused."""
        batch = pb.access_pb2.RequestGrantsRequest(
            requests=[_request_to_proto(r) for r in requests])
        reply = _write_call(
            lambda: self._access.RequestGrants(batch, timeout=self._timeout))
        results: list[BatchResult] = []
        for item in reply.results:
            if item.status_code != 0:
                results.append(BatchResult(error=RpcError(
                    status_code_from_int(item.status_code), item.status_message)))
                continue
            response = _response_from_proto(item.response)
            error: Optional[AccordError] = None
            if not response.decision.permitted:
                error = AccessDenied(response.decision, response.revision)
            results.append(BatchResult(response=response, error=error))
        if len(results) != len(requests):
            raise RpcError(grpc.StatusCode.INTERNAL,
                           f"the broker answered {len(results)} results to "
                           f"{len(requests)} requests")
        return results

    def release_grant(self, grant_id: str) -> int:
        """Ends one of the caller's grants early. Returns the revision of the
        release; RpcError NOT_FOUND for a grant that is not the caller's."""
        request = pb.access_pb2.ReleaseGrantRequest(
            grant_id=grant_id, client_request_id=new_request_id())
        reply = _write_call(
            lambda: self._access.ReleaseGrant(request, timeout=self._timeout))
        return int(reply.revision)

    # PolicyService

    def explain_access(self, partner: str, dataset: str, purpose: str, *,
                       fields: Sequence[str] = (), subjects: Sequence[str] = (),
                       lifetime_seconds: int = 0, location: str = "") -> Explanation:
        """The decision the broker would make, rule by rule, without issuing
        a grant. A partner may ask about itself only (PERMISSION_DENIED
        otherwise) and is told how many of `subjects` would be granted,
        never which. A question naming subjects is recorded in the broker's
        audit log (without them) and charged like a grant request. A DENY is
        returned, not raised: it is the answer."""
        request = pb.policy_pb2.ExplainAccessRequest(
            partner=partner, dataset_id=dataset, purpose=purpose,
            fields=_names("fields", fields), subjects=_names("subjects", subjects),
            lifetime_seconds=lifetime_seconds, location=location)
        reply = _call(lambda: self._policy.ExplainAccess(request, timeout=self._timeout))
        return Explanation(
            decision=decision_from_proto(reply.decision),
            subjects_asked=int(reply.subjects_asked),
            subjects_permitted=int(reply.subjects_permitted),
            subjects_without_consent=int(reply.subjects_without_consent),
            revision=int(reply.revision))

    # TrustService

    def get_verification_keys(self) -> str:
        """The grant JWKS (the text of /.well-known/jwks.json)."""
        reply = _call(lambda: self._trust.GetVerificationKeys(
            pb.trust_pb2.GetVerificationKeysRequest(), timeout=self._timeout))
        return str(reply.jwks)

    def watch_revocations(self, after_revision: int = 0) -> RevocationStream:
        """Follows the revocations the caller may see (a partner its own
        grants) after `after_revision`; 0 replays every stored one first.
        No deadline: the stream lasts until cancelled or broken."""
        call = self._trust.WatchRevocations(
            pb.trust_pb2.WatchRevocationsRequest(after_revision=after_revision))
        return RevocationStream(call)


