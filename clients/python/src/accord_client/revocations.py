"""The grant ids a data service must no longer honour, fed by the broker's
revocation stream (TrustService.WatchRevocations).

Bounded: a revocation names grant ids only, not their expiry, so an entry is
kept for the longest lifetime the broker gives a grant (its
max_grant_lifetime_seconds) after it arrived; by then the lifetime check
refuses the grant anyway.

Fail closed: while the stream is down a revocation may be missed, so after
`max_staleness` seconds without a stream (and before the first one), every
grant is refused. A stream counts as up once it delivered a revocation or
stayed open for `settle` seconds (the broker sends nothing on a stream it
accepted until there is a revocation, and ends at once a stream it refuses).
"""
from __future__ import annotations

import collections
import random
import threading
import time
from typing import TYPE_CHECKING, Callable, Iterable, Optional

import grpc

from accord_client.errors import AccordError, VerificationError
from accord_client.models import Revocation

if TYPE_CHECKING:
    from accord_client.client import AccordClient, RevocationStream


class RevokedGrants:
    """Thread-safe set of revoked grant ids, with the stream's health."""

    def __init__(self, *, max_grant_lifetime: float = 86400.0,
                 max_staleness: float = 30.0, settle: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max_lifetime = max_grant_lifetime
        self._max_staleness = max_staleness
        self._settle = settle
        self._clock = clock
        self._lock = threading.Lock()
        self._revoked: dict[str, float] = {}
        self._arrivals: collections.deque[tuple[float, str]] = collections.deque()
        self._open = False
        self._delivered = False
        self._opened_at = 0.0
        self._ever_up = False
        self._down_since = float("-inf")

    def add(self, grant_ids: Iterable[str]) -> None:
        """Records revoked ids (they arrived now, on the open stream)."""
        now = self._clock()
        with self._lock:
            if self._open:
                self._delivered = True
            self._prune(now)
            for grant_id in grant_ids:
                self._revoked[grant_id] = now
                self._arrivals.append((now, grant_id))

    def stream_opened(self) -> None:
        with self._lock:
            self._open = True
            self._delivered = False
            self._opened_at = self._clock()

    def stream_ended(self) -> None:
        now = self._clock()
        with self._lock:
            # A stream that never came up leaves the time the last good one
            # ended, so retries cannot hide an outage.
            if self._up(now):
                self._ever_up = True
                self._down_since = now
            self._open = False
            self._delivered = False

    def is_up(self) -> bool:
        with self._lock:
            return self._up(self._clock())

    def __contains__(self, grant_id: object) -> bool:
        with self._lock:
            return grant_id in self._revoked

    def __len__(self) -> int:
        with self._lock:
            return len(self._revoked)

    def check(self, grant_id: str) -> None:
        """Returns when `grant_id` may be honoured as far as revocations go.
        Raises VerificationError "revoked" (PERMISSION_DENIED) for a revoked
        grant, "revocations" (UNAVAILABLE) while the stream cannot vouch."""
        now = self._clock()
        with self._lock:
            if grant_id in self._revoked:
                raise VerificationError("revoked", grpc.StatusCode.PERMISSION_DENIED,
                                        f"grant {grant_id} was revoked")
            if self._up(now):
                return
            if not self._ever_up:
                raise VerificationError("revocations", grpc.StatusCode.UNAVAILABLE,
                                        "the revocation stream is not up yet")
            if now - self._down_since > self._max_staleness:
                raise VerificationError(
                    "revocations", grpc.StatusCode.UNAVAILABLE,
                    f"the revocation stream has been down for "
                    f"{now - self._down_since:.0f} s")

    def _up(self, now: float) -> bool:
        return self._open and (self._delivered or now - self._opened_at >= self._settle)

    def _prune(self, now: float) -> None:
        while self._arrivals and now - self._arrivals[0][0] > self._max_lifetime:
            arrived, grant_id = self._arrivals.popleft()
            if self._revoked.get(grant_id) == arrived:
                del self._revoked[grant_id]


class RevocationWatcher:
    """Follows client.watch_revocations() on a thread into a RevokedGrants.

    When the stream breaks it resumes after the last revision it saw, after
    a backoff that doubles up to `max_backoff` (with jitter) and starts
    again once a stream was up. The broker shows a caller what it may see:
    a data service connects as the producer of the data it serves, a
    partner sees its own grants.

        watcher = RevocationWatcher(client)
        verifier = GrantVerifier(keys, "data.rennes.example", revoked=watcher.revoked)
        ...
        watcher.stop()
    """

    def __init__(self, client: "AccordClient", revoked: Optional[RevokedGrants] = None,
                 *, initial_backoff: float = 0.2, max_backoff: float = 10.0,
                 on_revocation: Optional[Callable[[Revocation], None]] = None) -> None:
        if initial_backoff <= 0 or max_backoff <= 0:
            raise ValueError("backoffs must be positive")
        self.revoked: RevokedGrants = revoked if revoked is not None else RevokedGrants()
        self._client = client
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._on_revocation = on_revocation
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._stream: Optional["RevocationStream"] = None
        self._last_revision = 0
        self._streams_opened = 0
        self._last_error: Optional[AccordError] = None
        self._thread = threading.Thread(target=self._run, name="accord-revocations",
                                        daemon=True)
        self._thread.start()

    @property
    def last_revision(self) -> int:
        with self._lock:
            return self._last_revision

    @property
    def streams_opened(self) -> int:
        with self._lock:
            return self._streams_opened

    @property
    def last_error(self) -> Optional[AccordError]:
        with self._lock:
            return self._last_error

    def stop(self) -> None:
        """Cancels the stream and joins the thread."""
        self._stopping.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.cancel()
        self._thread.join()

    def __enter__(self) -> "RevocationWatcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        backoff = self._initial_backoff
        while not self._stopping.is_set():
            was_up = self._follow_once()
            if self._stopping.is_set():
                break
            if was_up:
                backoff = self._initial_backoff
            self._stopping.wait(backoff * random.uniform(0.5, 1.0))
            backoff = min(backoff * 2, self._max_backoff)

    def _follow_once(self) -> bool:
        """Follows one stream until it ends; True when it was up."""
        with self._lock:
            if self._stopping.is_set():
                return False
            stream = self._client.watch_revocations(self._last_revision)
            self._stream = stream
            self._streams_opened += 1
        self.revoked.stream_opened()
        error: Optional[AccordError] = None
        was_up = False
        try:
            for revocation in stream:
                self.revoked.add(revocation.grant_ids)
                with self._lock:
                    self._last_revision = max(self._last_revision, revocation.revision)
                if self._on_revocation is not None:
                    self._on_revocation(revocation)
        except AccordError as e:
            error = e
        except Exception as e:  # from on_revocation: end this stream, resume
            error = AccordError(grpc.StatusCode.UNKNOWN, f"on_revocation raised {e!r}")
            stream.cancel()
        finally:
            # Always, so that a stream that ended never counts as up.
            was_up = self.revoked.is_up()
            self.revoked.stream_ended()
            with self._lock:
                self._stream = None
                self._last_error = error
        return was_up
