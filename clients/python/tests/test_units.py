"""The parts of accord_client that need no broker: URL and Cache-Control
rules, JWK set parsing, the revocation set's staleness and bounds, the
record projection of the example data service. Clocks are injected."""
from __future__ import annotations

import json
import os
import sys
import unittest
from typing import Any

import grpc

from accord_client import (AccordClient, AccordError, ConfigurationError, GrantRequest,
                           RevokedGrants, VerificationError)
from accord_client.jwks import (JwksDocument, JwksSource, cache_max_age, is_loopback_host,
                                parse_jwks, parse_jwks_url)
from accord_client.client import MAX_ATTEMPTS, _write_call, new_request_id
from accord_client.verifier import VerifiedGrant

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "examples"))
from data_service import serve_records  # noqa: E402
from household_records import HOUSEHOLD_DATASET, household_records_for  # noqa: E402

P256 = {"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
        "x": "hPMWV9L3Etoc9IA22YOs9dRMKLpQdIqZPCxoT9li60o",
        "y": "TbpMrmxzoYYDGCnBZoZuXUbYNZ3--obI6EdfEIuxvfk"}
ED25519 = {"kty": "OKP", "crv": "Ed25519", "kid": "k2",
           "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class JwksRulesTest(unittest.TestCase):
    def test_urls(self) -> None:
        u = parse_jwks_url("https://broker.example/.well-known/jwks.json", False)
        self.assertEqual((u.https, u.host, u.port, u.path),
                         (True, "broker.example", 443, "/.well-known/jwks.json"))
        self.assertEqual(parse_jwks_url("http://[::1]:7480/k?x=1", True).path, "/k?x=1")
        for url, allow in [("http://127.0.0.1:7480/", False), ("http://10.0.0.1/", True),
                           ("http://localhost.evil/", True), ("ftp://127.0.0.1/", True),
                           ("https://user@broker/", False), ("https://broker/#f", False),
                           ("https:///path", False), ("https://broker:99999/", False),
                           ("https://broker/a b", False)]:
            with self.assertRaises(ConfigurationError, msg=url):
                parse_jwks_url(url, allow)
        self.assertTrue(is_loopback_host("127.1.2.3"))
        self.assertTrue(is_loopback_host("LOCALHOST"))
        self.assertFalse(is_loopback_host("128.0.0.1"))

    def test_cache_control(self) -> None:
        self.assertEqual(cache_max_age("public, max-age=600"), 600)
        self.assertEqual(cache_max_age("max-age=600, max-age=60"), 60)
        self.assertEqual(cache_max_age("max-age=9999999"), 86400)
        self.assertEqual(cache_max_age("no-store, max-age=600"), 0)
        self.assertIsNone(cache_max_age("max-age=soon"))
        self.assertIsNone(cache_max_age(None))

    def test_key_sets(self) -> None:
        keys = parse_jwks(json.dumps({"keys": [P256, ED25519]}))
        self.assertEqual({k: v.algorithm for k, v in keys.items()},
                         {"k1": "ES256", "k2": "EdDSA"})
        bad: list[Any] = [
            "not json", [], {"keys": {}}, {"keys": [dict(P256, kid="")]},
            {"keys": [P256, P256]}, {"keys": [dict(P256, d="secret")]},
            {"keys": [dict(P256, crv="P-384")]}, {"keys": [{"kty": "oct", "kid": "h", "k": "AA"}]},
            {"keys": [dict(P256, alg="EdDSA")]}, {"keys": [dict(P256, use="enc")]},
            {"keys": [dict(P256, x="AAAA")]},
        ]
        for document in bad:
            with self.assertRaises(ValueError, msg=repr(document)):
                parse_jwks(document if isinstance(document, str) else json.dumps(document))

    def test_refresh_floor_and_max_age(self) -> None:
        clock = Clock()
        loads: list[float] = []

        def loader() -> JwksDocument:
            loads.append(clock.now)
            return JwksDocument(json.dumps({"keys": [P256]}).encode(), 100.0)

        source = JwksSource.from_loader(loader, min_refresh_interval=30, clock=clock)
        self.assertFalse(source.refresh_after_unknown_kid())  # within the floor
        clock.now += 31
        self.assertTrue(source.refresh_after_unknown_kid())
        self.assertFalse(source.refresh_if_stale())
        clock.now += 101
        self.assertTrue(source.refresh_if_stale())
        self.assertEqual(len(loads), 3)

    def test_a_failed_reload_keeps_the_set(self) -> None:
        clock = Clock()
        fail = [False]

        def loader() -> JwksDocument:
            if fail[0]:
                raise VerificationError("keys", grpc.StatusCode.UNAVAILABLE, "down")
            return JwksDocument(json.dumps({"keys": [P256]}).encode(), None)

        source = JwksSource.from_loader(loader, min_refresh_interval=0, clock=clock)
        fail[0] = True
        with self.assertRaises(VerificationError):
            source.refresh_after_unknown_kid()
        self.assertEqual(source.kids(), ["k1"])


class RevokedGrantsTest(unittest.TestCase):
    def check_code(self, revoked: RevokedGrants, grant_id: str) -> str:
        try:
            revoked.check(grant_id)
            return "ok"
        except VerificationError as e:
            return e.check

    def test_fail_closed_until_up_and_after_staleness(self) -> None:
        clock = Clock()
        revoked = RevokedGrants(max_staleness=30, settle=1, max_grant_lifetime=3600,
                                clock=clock)
        self.assertEqual(self.check_code(revoked, "g"), "revocations")  # no stream yet
        revoked.stream_opened()
        self.assertEqual(self.check_code(revoked, "g"), "revocations")  # not settled
        clock.now += 1
        self.assertEqual(self.check_code(revoked, "g"), "ok")
        revoked.add(["g"])
        self.assertEqual(self.check_code(revoked, "g"), "revoked")
        revoked.stream_ended()
        clock.now += 30
        self.assertEqual(self.check_code(revoked, "h"), "ok")  # within staleness
        # A stream refused at once does not hide the outage.
        revoked.stream_opened()
        revoked.stream_ended()
        clock.now += 1
        self.assertEqual(self.check_code(revoked, "h"), "revocations")

    def test_entries_kept_for_the_longest_grant_lifetime(self) -> None:
        clock = Clock()
        revoked = RevokedGrants(max_grant_lifetime=60, clock=clock)
        revoked.stream_opened()
        revoked.add(["old"])
        clock.now += 30
        revoked.add(["new"])
        clock.now += 31
        revoked.add([])
        self.assertNotIn("old", revoked)
        self.assertIn("new", revoked)
        self.assertEqual(len(revoked), 1)


class ClientArgumentsTest(unittest.TestCase):
    def test_one_string_is_not_a_list_of_names(self) -> None:
        # Refused before any call: the channel leads nowhere.
        with AccordClient(grpc.insecure_channel("127.0.0.1:1")) as client:
            with self.assertRaises(TypeError):
                client.request_grant("d", "p", "a", subjects="alice")
            with self.assertRaises(TypeError):
                client.explain_access("partner-demo", "d", "p", fields="kwh")
            with self.assertRaises(TypeError):
                client.request_grants([GrantRequest("d", "p", "a", subjects="alice")])


class ServeRecordsTest(unittest.TestCase):
    def grant(self, **changes: Any) -> VerifiedGrant:
        fields: dict[str, Any] = dict(
            id="g", partner="partner-demo", audience="data.rennes.example",
            dataset=HOUSEHOLD_DATASET, purpose="research-and-development",
            fields=("subject", "day", "kwh"), subjects=("alice", "bob"), expires_at=2,
            issued_at=1, not_before=1, cnf_x5t_s256="x", kid="k", algorithm="ES256")
        fields.update(changes)
        return VerifiedGrant(**fields)

    def test_projection(self) -> None:
        served = serve_records(self.grant(), ["kwh"], [], ["alice", "carol"])
        self.assertEqual(served.fields, ["kwh"])
        self.assertEqual(served.records, [{"kwh": r["kwh"]} for r in household_records_for("alice")])
        self.assertEqual(len(serve_records(self.grant(), [], [], ["alice", "bob"]).records), 6)

    def test_refusals(self) -> None:
        cases: list[tuple[VerifiedGrant, list[str], list[str], str]] = [
            (self.grant(), ["tariff"], [], "tariff"),
            (self.grant(), [], ["carol"], "carol"),
            (self.grant(dataset="rennes.mobility.bike-stations"), [], [], "bike-stations"),
            (self.grant(subjects=None), [], [], "no subjects"),
        ]
        for grant, fields, subjects, named in cases:
            with self.assertRaises(AccordError) as caught:
                serve_records(grant, fields, subjects, ["alice", "bob", "carol"])
            self.assertIn(named, str(caught.exception))
            self.assertEqual(caught.exception.code, grpc.StatusCode.PERMISSION_DENIED)


class _Failed(grpc.RpcError, grpc.Call):
    """A failed call as grpc raises it, with only a code and details."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._code.name.lower()

    def initial_metadata(self) -> Any:
        return ()

    def trailing_metadata(self) -> Any:
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> Any:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: Any) -> bool:
        return False


class WriteRetryTest(unittest.TestCase):
    def test_request_ids_are_fresh(self) -> None:
        a, b = new_request_id(), new_request_id()
        self.assertEqual(len(a), 22)
        self.assertNotEqual(a, b)
        self.assertRegex(a, r"^[A-Za-z0-9_-]+$")

    def test_unknown_outcomes_are_retried_a_bounded_number_of_times(self) -> None:
        sleeps: list[float] = []
        outcomes = [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED]

        def flaky() -> str:
            if outcomes:
                raise _Failed(outcomes.pop(0))
            return "answer"

        self.assertEqual(_write_call(flaky, sleep=sleeps.append), "answer")
        self.assertEqual(sleeps, [0.1, 0.2])

        attempts: list[int] = []

        def down() -> str:
            attempts.append(1)
            raise _Failed(grpc.StatusCode.UNAVAILABLE)

        with self.assertRaises(AccordError) as caught:
            _write_call(down, sleep=lambda _: None)
        self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(len(attempts), MAX_ATTEMPTS)

    def test_answers_are_not_retried(self) -> None:
        attempts: list[int] = []

        def refused() -> str:
            attempts.append(1)
            raise _Failed(grpc.StatusCode.FAILED_PRECONDITION)

        with self.assertRaises(AccordError) as caught:
            _write_call(refused, sleep=lambda _: None)
        self.assertEqual(caught.exception.code, grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(len(attempts), 1)


if __name__ == "__main__":
    unittest.main()
