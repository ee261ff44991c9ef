"""accord_client against the real broker in dev mode, over mutual TLS: grants
(one, a batch, released), ExplainAccess, the revocation stream seen by the
watcher after a citizen withdraws, the grant verifier refusing what it must,
and the example data service (examples/data_service.py) serving only what a
bound grant covers.

Run by ctest (label python): ctest --test-dir build -L python --output-on-failure
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from typing import Any, Callable, Optional

import grpc
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accord_client import (AccessDenied, AccordClient, ConfigurationError,
                           GrantRequest, GrantVerifier, JwksSource, RevocationWatcher,
                           RevokedGrants, RpcError, VerificationError,
                           certificate_thumbprint)
from harness import (AUDIENCE, BIN_DIR, NOBODY, OPEN, PERSONAL, PYTHON_DIR, RESEARCH, RESTRICTED,
                     SOURCE_DIR, Broker, DataServiceProcess, wait_for)

broker: Broker
alice: dict[str, str]


def setUpModule() -> None:
    global broker, alice
    broker = Broker()
    try:
        alice = broker.consent("alice")
    except BaseException:
        broker.stop()  # unittest runs no tearDownModule after a failed setUpModule
        raise


def tearDownModule() -> None:
    broker.stop()


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def swap_char(part: str, index: int) -> str:
    """`part` with one base64url character replaced by another one."""
    c = part[index]
    return part[:index] + ("A" if c != "A" else "B") + part[index + 1:]


def own_signing_key() -> str:
    """A P-256 private key of our own, in PEM, that the broker never saw."""
    key: Any = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def header_of(token: str) -> dict[str, Any]:
    return json.loads(unb64url(token.split(".")[0]))


class ClientTest(unittest.TestCase):
    """AccessService and PolicyService.ExplainAccess through AccordClient."""

    def setUp(self) -> None:
        self.client = broker.client("partner-demo")
        self.addCleanup(self.client.close)

    def test_grant_round_trip(self) -> None:
        answer = self.client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                           subjects=[alice["subject"], NOBODY])
        # PERMIT, narrowed to the subject who consented, with the reason.
        self.assertTrue(answer.decision.permitted)
        self.assertEqual(answer.decision.subjects, (alice["subject"],))
        self.assertIn("subjects_without_consent", [r.code for r in answer.decision.reasons])
        # The consent relied on is the broker's to keep.
        self.assertEqual(answer.decision.consent_ids, ())
        self.assertGreater(answer.revision, 0)
        grant = answer.grant
        self.assertEqual(grant.subjects, (alice["subject"],))
        self.assertGreater(grant.expires_at, time.time())

        keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"))
        verified = GrantVerifier(keys, AUDIENCE).verify(
            grant.token, read(broker.file("partner-demo.pem")))
        self.assertEqual(verified.id, grant.id)
        self.assertEqual(verified.partner, "partner-demo")
        self.assertEqual(verified.dataset, PERSONAL)
        self.assertEqual(verified.purpose, RESEARCH)
        self.assertEqual(verified.subjects, (alice["subject"],))
        self.assertEqual(verified.fields, answer.decision.fields)
        self.assertEqual(verified.expires_at, grant.expires_at)
        self.assertEqual(verified.algorithm, "ES256")
        self.assertEqual(verified.policy_version, answer.decision.policy_version)
        self.assertEqual(verified.cnf_x5t_s256,
                         certificate_thumbprint(read(broker.file("partner-demo.pem"))))
        self.assertTrue(verified.covers_subject(alice["subject"]))
        self.assertFalse(verified.covers_subject(NOBODY))

    def test_a_denial_raises_with_the_brokers_reasons(self) -> None:
        with self.assertRaises(AccessDenied) as caught:
            self.client.request_grant(PERSONAL, RESEARCH, AUDIENCE, subjects=[NOBODY])
        denied = caught.exception
        self.assertEqual(denied.code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(denied.decision.outcome, "DENY")
        codes = [r.code for r in denied.reasons]
        self.assertIn("subjects_without_consent", codes)
        self.assertIn("subjects_without_consent", str(denied))
        with self.assertRaises(AccessDenied) as caught:
            self.client.request_grant(RESTRICTED, "commercial.marketing", AUDIENCE)
        self.assertIn("prohibited", [r.code for r in caught.exception.reasons])
        self.assertIn("no-marketing", [r.rule_id for r in caught.exception.reasons])

    def test_errors_carry_the_status_code_and_message(self) -> None:
        with self.assertRaises(RpcError) as caught:
            self.client.request_grant("rennes.no-such-dataset", RESEARCH, AUDIENCE)
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)
        self.assertIn("rennes.no-such-dataset", caught.exception.message)
        with self.assertRaises(RpcError) as caught:
            self.client.request_grant(PERSONAL, RESEARCH, AUDIENCE)  # no subjects
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        # The processing location reaches the broker, which checks it.
        with self.assertRaises(RpcError) as caught:
            self.client.request_grant(OPEN, "service-provision", AUDIENCE,
                                      location="Not A Place")
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("location", caught.exception.message)
        self.client.request_grant(OPEN, "service-provision", AUDIENCE, location="eu")
        # A producer is not a partner.
        with broker.client("producer-demo") as producer:
            with self.assertRaises(RpcError) as caught:
                producer.request_grant(OPEN, "service-provision", AUDIENCE)
        self.assertEqual(caught.exception.code, grpc.StatusCode.PERMISSION_DENIED)

    def test_batch(self) -> None:
        results = self.client.request_grants([
            GrantRequest(OPEN, "service-provision", AUDIENCE),
            GrantRequest(PERSONAL, RESEARCH, AUDIENCE, subjects=[alice["subject"]],
                         fields=["day", "kwh"]),
            GrantRequest("rennes.no-such-dataset", RESEARCH, AUDIENCE),
            GrantRequest(PERSONAL, RESEARCH, AUDIENCE, subjects=[NOBODY]),
        ])
        self.assertEqual(len(results), 4)
        self.assertTrue(results[0].ok)
        self.assertEqual(results[0].unwrap().decision.outcome, "PERMIT")
        self.assertEqual(results[1].unwrap().decision.fields, ("day", "kwh"))
        self.assertEqual(results[1].unwrap().grant.subjects, (alice["subject"],))
        self.assertFalse(results[2].ok)
        self.assertIsNone(results[2].response)
        assert results[2].error is not None
        self.assertEqual(results[2].error.code, grpc.StatusCode.NOT_FOUND)
        self.assertIsInstance(results[3].error, AccessDenied)
        assert results[3].response is not None
        self.assertEqual(results[3].response.decision.outcome, "DENY")
        with self.assertRaises(AccessDenied):
            results[3].unwrap()
        # Each grant of the batch verifies on its own.
        keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"))
        verifier = GrantVerifier(keys, AUDIENCE)
        cert = read(broker.file("partner-demo.pem"))
        self.assertEqual(verifier.verify(results[0].unwrap().grant.token, cert).dataset, OPEN)
        self.assertEqual(verifier.verify(results[1].unwrap().grant.token, cert).fields,
                         ("day", "kwh"))

    def test_release_shows_on_the_revocation_stream(self) -> None:
        grant = self.client.request_grant(OPEN, "service-provision", AUDIENCE).grant
        revision = self.client.release_grant(grant.id)
        self.assertGreater(revision, 0)
        with self.client.watch_revocations(0) as stream:
            # next() blocks until a revocation arrives: a generous bound
            # cancels it.
            bound = threading.Timer(30, stream.cancel)
            bound.start()
            try:
                for revocation in stream:
                    if grant.id in revocation.grant_ids:
                        self.assertEqual(revocation.cause, "grant_released")
                        self.assertEqual(revocation.grant_ids, (grant.id,))
                        # Only the last message of a delivery carries the
                        # revision to resume after.
                        if revocation.revision:
                            self.assertGreaterEqual(revocation.revision, revision)
                        break
                else:
                    self.fail("the stream ended without the release")
            finally:
                bound.cancel()
        # After the with block the stream is cancelled.
        with self.assertRaises(RpcError) as cancelled:
            next(stream)
        self.assertEqual(cancelled.exception.code, grpc.StatusCode.CANCELLED)
        # Resuming after the release's revision: it is not replayed; the
        # next release is the first thing the stream shows of these two.
        second = self.client.request_grant(OPEN, "service-provision", AUDIENCE).grant
        with self.client.watch_revocations(revision) as later:
            bound = threading.Timer(30, later.cancel)
            bound.start()
            try:
                self.client.release_grant(second.id)
                for revocation in later:
                    self.assertNotIn(grant.id, revocation.grant_ids)
                    if revocation.revision:
                        self.assertGreater(revocation.revision, revision)
                    if second.id in revocation.grant_ids:
                        break
                else:
                    self.fail("the stream ended without the second release")
            finally:
                bound.cancel()
        # Releasing it again, or a grant that is not the caller's: NOT_FOUND.
        with self.assertRaises(RpcError) as caught:
            self.client.release_grant("no-such-grant")
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)

    def test_explain_access(self) -> None:
        permit = self.client.explain_access("partner-demo", RESTRICTED, RESEARCH)
        self.assertTrue(permit.permitted)
        self.assertEqual(permit.decision.outcome, "PERMIT")
        self.assertTrue(permit.decision.fields)
        self.assertGreater(permit.decision.policy_version, 0)
        self.assertEqual(permit.subjects_asked, 0)
        self.assertEqual(permit.revision, 0)  # named no subject: not logged
        deny = self.client.explain_access("partner-demo", RESTRICTED, "commercial.marketing")
        self.assertEqual(deny.decision.outcome, "DENY")
        self.assertIn("prohibited", [r.code for r in deny.decision.reasons])
        # About subjects: counts, never which ones nor their consents.
        personal = self.client.explain_access("partner-demo", PERSONAL, RESEARCH,
                                              subjects=[alice["subject"], NOBODY])
        self.assertTrue(personal.permitted)
        self.assertEqual(personal.subjects_asked, 2)
        self.assertEqual(personal.subjects_permitted, 1)
        self.assertEqual(personal.subjects_without_consent, 1)
        self.assertEqual(personal.decision.subjects, ())
        self.assertEqual(personal.decision.consent_ids, ())
        for reason in personal.decision.reasons:
            self.assertNotIn(alice["subject"], reason.message)
        self.assertGreater(personal.revision, 0)
        # A partner asks about itself only.
        with self.assertRaises(RpcError) as caught:
            self.client.explain_access("partner-other", RESTRICTED, RESEARCH)
        self.assertEqual(caught.exception.code, grpc.StatusCode.PERMISSION_DENIED)

    def test_verification_keys_over_grpc(self) -> None:
        jwks = json.loads(self.client.get_verification_keys())
        keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"))
        self.assertEqual([k["kid"] for k in jwks["keys"]], keys.kids())


class ChannelTest(unittest.TestCase):
    """Mutual TLS from PEM files: clear errors before any call."""

    def test_missing_or_unusable_files(self) -> None:
        def connect(ca_file: str = broker.file("ca.pem"),
                    cert_file: str = broker.file("partner-demo.pem"),
                    key_file: str = broker.file("partner-demo.key")) -> AccordClient:
            return AccordClient.connect(broker.grpc_address, ca_file=ca_file,
                                        cert_file=cert_file, key_file=key_file)

        with self.assertRaises(ConfigurationError) as caught:
            connect(ca_file="/nonexistent/ca.pem")
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)
        self.assertEqual(caught.exception.option, "ca_file")
        self.assertIn("/nonexistent/ca.pem", str(caught.exception))
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(ConfigurationError) as caught:
                connect(cert_file=tmp)
            self.assertIn("is a directory", str(caught.exception))
            not_pem = os.path.join(tmp, "key.txt")
            with open(not_pem, "w") as f:
                f.write("not a key\n")
            with self.assertRaises(ConfigurationError) as caught:
                connect(key_file=not_pem)
            self.assertIn("key_file", str(caught.exception))
            self.assertIn("not a PEM file", str(caught.exception))
        # Another principal's key: refused before any handshake.
        with self.assertRaises(ConfigurationError) as caught:
            connect(key_file=broker.file("producer-demo.key"))
        self.assertIn("does not match the certificate", str(caught.exception))

    def test_unreachable_broker_is_unavailable(self) -> None:
        from harness import free_port
        files = broker.tls_files("partner-demo")
        with AccordClient.connect(f"127.0.0.1:{free_port()}", timeout=5,
                                  ca_file=files["ca_file"], cert_file=files["cert_file"],
                                  key_file=files["key_file"]) as client:
            with self.assertRaises(RpcError) as caught:
                client.request_grant(OPEN, "service-provision", AUDIENCE)
        self.assertIn(caught.exception.code, (grpc.StatusCode.UNAVAILABLE,
                                              grpc.StatusCode.DEADLINE_EXCEEDED))


class VerifierTest(unittest.TestCase):
    """GrantVerifier refusing what it must, on grants from the real broker."""

    client: AccordClient
    keys: JwksSource
    verifier: GrantVerifier
    partner_cert: bytes
    token: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = broker.client("partner-demo")
        cls.keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"))
        cls.verifier = GrantVerifier(cls.keys, AUDIENCE, leeway=0)
        cls.partner_cert = read(broker.file("partner-demo.pem"))
        cls.token = cls.client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                             subjects=[alice["subject"]]).grant.token

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def refused(self, token: str, check: str, code: grpc.StatusCode = grpc.StatusCode.UNAUTHENTICATED,
                cert: Optional[bytes] = None,
                verifier: Optional[GrantVerifier] = None) -> VerificationError:
        with self.assertRaises(VerificationError) as caught:
            (verifier or self.verifier).verify(token, cert or self.partner_cert)
        self.assertEqual(caught.exception.check, check, str(caught.exception))
        self.assertEqual(caught.exception.code, code, str(caught.exception))
        self.assertTrue(caught.exception.message.startswith(check + ": "))
        return caught.exception

    def test_valid(self) -> None:
        self.assertEqual(self.verifier.verify(self.token, self.partner_cert).partner,
                         "partner-demo")

    def test_tampered(self) -> None:
        header, payload, signature = self.token.split(".")
        self.refused(f"{header}.{swap_char(payload, 20)}.{signature}", "signature")
        self.refused(f"{header}.{payload}.{swap_char(signature, 10)}", "signature")
        # Claims edited and re-encoded: a wider field list.
        claims = json.loads(unb64url(payload))
        claims["fields"] = claims["fields"] + ["tariff"]
        edited = b64url(json.dumps(claims).encode())
        self.refused(f"{header}.{edited}.{signature}", "signature")
        # Signed by a key of our own under the broker's kid.
        forged = jwt.encode(claims, own_signing_key(), algorithm="ES256", headers=header_of(self.token))
        self.refused(forged, "signature")
        # HS256 keyed with the broker's public key; alg none.
        hs = jwt.encode(claims, "secret", algorithm="HS256",
                        headers={"kid": header_of(self.token)["kid"], "typ": "grant+jwt"})
        self.assertIn("HS256", str(self.refused(hs, "signature")))
        none = b64url(b'{"alg":"none","typ":"grant+jwt"}') + "." + payload + "."
        self.refused(none, "format", grpc.StatusCode.INVALID_ARGUMENT)
        self.refused("not-a-token", "format", grpc.StatusCode.INVALID_ARGUMENT)
        self.refused("x" * 20000, "format", grpc.StatusCode.INVALID_ARGUMENT)

    def test_other_typ(self) -> None:
        claims = json.loads(unb64url(self.token.split(".")[1]))
        other = jwt.encode(claims, own_signing_key(), algorithm="ES256",
                           headers={"kid": header_of(self.token)["kid"], "typ": "JWT"})
        self.assertIn("typ", str(self.refused(other, "signature")))

    def test_expired(self) -> None:
        short = self.client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                          subjects=[alice["subject"]],
                                          lifetime_seconds=1).grant

        def expired() -> Optional[VerificationError]:
            try:
                self.verifier.verify(short.token, self.partner_cert)
            except VerificationError as e:
                return e
            return None

        # Valid for a second at most; refused from its exp on (no skew).
        error = wait_for("the one-second grant to expire", expired, timeout=30)
        self.assertEqual(error.check, "lifetime")
        self.assertEqual(error.code, grpc.StatusCode.UNAUTHENTICATED)
        self.assertGreaterEqual(time.time(), short.expires_at)

    def test_other_audience(self) -> None:
        other = self.client.request_grant(PERSONAL, RESEARCH, "other.service.example",
                                          subjects=[alice["subject"]]).grant.token
        self.assertIn("other.service.example", str(self.refused(other, "aud")))
        # The service it is for accepts it.
        GrantVerifier(self.keys, "other.service.example").verify(other, self.partner_cert)

    def test_wrong_cnf(self) -> None:
        # The broker's other principals' certificates, from the same CA.
        for who in ("producer-demo", "auditor-demo"):
            self.refused(self.token, "cnf", cert=read(broker.file(f"{who}.pem")))
        thumbprint = certificate_thumbprint(read(broker.file("producer-demo.pem")))
        with self.assertRaises(VerificationError) as caught:
            self.verifier.verify_for_thumbprint(self.token, thumbprint)
        self.assertEqual(caught.exception.check, "cnf")
        with self.assertRaises(VerificationError) as caught:
            self.verifier.verify(self.token, b"")
        self.assertEqual(caught.exception.check, "cnf")
        self.refused(self.token, "cnf", grpc.StatusCode.INVALID_ARGUMENT,
                     cert=b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")

    def test_unknown_kid_after_a_refresh(self) -> None:
        keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"),
                          min_refresh_interval=0)
        verifier = GrantVerifier(keys, AUDIENCE)
        header, payload, signature = self.token.split(".")
        other_kid = b64url(json.dumps({**header_of(self.token), "kid": "no-such-kid"}).encode())
        loads = keys.load_count
        error = self.refused(f"{other_kid}.{payload}.{signature}", "key", verifier=verifier)
        self.assertIn("no-such-kid", str(error))
        self.assertIn("even after loading it again", str(error))
        self.assertEqual(keys.load_count, loads + 1)
        # Rate-limited: with the default floor of 30 s, a second unknown kid
        # right after the first load is refused without a fetch.
        limited = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"))
        for _ in range(5):
            error = self.refused(f"{other_kid}.{payload}.{signature}", "key",
                                 verifier=GrantVerifier(limited, AUDIENCE))
            self.assertIn("too recently", str(error))
        self.assertEqual(limited.load_count, 1)
        # A known kid still verifies meanwhile.
        GrantVerifier(limited, AUDIENCE).verify(self.token, self.partner_cert)

    def test_cache_control_max_age(self) -> None:
        now = [1000.0]
        keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"),
                          clock=lambda: now[0])
        self.assertEqual(keys.load_count, 1)
        now[0] += 590  # the broker sends max-age=600
        self.assertFalse(keys.refresh_if_stale())
        now[0] += 11
        self.assertTrue(keys.refresh_if_stale())
        self.assertEqual(keys.load_count, 2)
        self.assertFalse(keys.refresh_if_stale())

    def test_jwks_transport_rules(self) -> None:
        plain = broker.jwks_url.replace("https://", "http://")
        with self.assertRaises(ConfigurationError) as caught:
            JwksSource(plain)
        self.assertIn("plain http is refused", str(caught.exception))
        with self.assertRaises(ConfigurationError) as caught:
            JwksSource("http://accord.example:7480/.well-known/jwks.json",
                       allow_loopback_http=True)
        self.assertIn("loopback", str(caught.exception))
        with self.assertRaises(ConfigurationError) as caught:
            JwksSource(broker.jwks_url)  # https without a pinned CA
        self.assertEqual(caught.exception.option, "ca_file")
        with self.assertRaises(ConfigurationError) as caught:
            JwksSource("ftp://127.0.0.1/jwks.json")
        # A CA that did not sign the broker's certificate.
        with tempfile.TemporaryDirectory() as tmp:
            other_ca = os.path.join(tmp, "other-ca.pem")
            with open(other_ca, "wb") as f:
                f.write(read(broker.file("partner-demo.pem")))
            with self.assertRaises(VerificationError) as refused:
                JwksSource(broker.jwks_url, ca_file=other_ca)
            self.assertEqual(refused.exception.check, "keys")
            self.assertEqual(refused.exception.code, grpc.StatusCode.UNAUTHENTICATED)

    def test_configuration(self) -> None:
        with self.assertRaises(ConfigurationError):
            GrantVerifier(self.keys, "")
        with self.assertRaises(ConfigurationError):
            GrantVerifier(self.keys, AUDIENCE, algorithms=["HS256"])

    def test_revocations_fail_closed_without_a_stream(self) -> None:
        verifier = GrantVerifier(self.keys, AUDIENCE, revoked=RevokedGrants())
        self.refused(self.token, "revocations", grpc.StatusCode.UNAVAILABLE, verifier=verifier)


class RevocationTest(unittest.TestCase):
    """A consent withdrawn by the citizen reaches the watcher, and the
    verifier then refuses the grant that rested on it."""

    def test_withdrawal_seen_by_the_watcher(self) -> None:
        bob = broker.consent("bob")
        client = broker.client("partner-demo")
        self.addCleanup(client.close)
        grant = client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                     subjects=[bob["subject"]]).grant
        causes: dict[str, str] = {}
        watcher = RevocationWatcher(
            client, on_revocation=lambda r: causes.update({g: r.cause for g in r.grant_ids}))
        self.addCleanup(watcher.stop)
        keys = JwksSource(broker.jwks_url, ca_file=broker.file("ca.pem"))
        verifier = GrantVerifier(keys, AUDIENCE, revoked=watcher.revoked)
        cert = read(broker.file("partner-demo.pem"))

        def verified() -> Optional[bool]:
            try:
                verifier.verify(grant.token, cert)
                return True
            except VerificationError as e:
                self.assertEqual(e.check, "revocations")  # not up yet
                return None

        wait_for("the revocation stream to come up", verified)
        broker.withdraw("bob", bob["id"])

        def refused() -> Optional[VerificationError]:
            try:
                verifier.verify(grant.token, cert)
            except VerificationError as e:
                return e
            return None

        error = wait_for("the withdrawal to reach the watcher", refused)
        self.assertEqual(error.check, "revoked")
        self.assertEqual(error.code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(causes.get(grant.id), "consent_withdrawn")
        self.assertIn(grant.id, watcher.revoked)
        self.assertGreater(watcher.last_revision, 0)
        # The broker now denies the same request, with the reason.
        with self.assertRaises(AccessDenied) as caught:
            client.request_grant(PERSONAL, RESEARCH, AUDIENCE, subjects=[bob["subject"]])
        self.assertIn("subjects_without_consent", [r.code for r in caught.exception.reasons])


class BrokerOutageTest(unittest.TestCase):
    """While the revocation stream is down longer than max_staleness every
    grant is refused (fail closed); once the broker is back the watcher
    resumes and a withdrawal made after the outage still arrives."""

    def test_fail_closed_then_resume(self) -> None:
        own = Broker(https=False)
        self.addCleanup(own.stop)
        dave = own.consent("dave")
        # The channel's default reconnect options (channel.RECONNECT_OPTIONS).
        client = own.client("partner-demo")
        self.addCleanup(client.close)
        grant = client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                     subjects=[dave["subject"]]).grant
        revoked = RevokedGrants(max_staleness=1, settle=0.5)
        watcher = RevocationWatcher(client, revoked, initial_backoff=0.1, max_backoff=0.5)
        self.addCleanup(watcher.stop)
        keys = JwksSource(own.jwks_url, allow_loopback_http=True)
        verifier = GrantVerifier(keys, AUDIENCE, revoked=revoked)
        cert = read(own.file("partner-demo.pem"))

        def outcome() -> str:
            try:
                verifier.verify(grant.token, cert)
                return "ok"
            except VerificationError as e:
                return e.check

        wait_for("the stream to come up", lambda: True if outcome() == "ok" else None)
        own.terminate()
        wait_for("grants refused without the stream",
                 lambda: True if outcome() == "revocations" else None)
        self.assertIsNotNone(watcher.last_error)
        own.start()
        wait_for("the watcher to resume", lambda: True if outcome() == "ok" else None)
        self.assertGreaterEqual(watcher.streams_opened, 2)
        own.withdraw("dave", dave["id"])
        wait_for("the withdrawal after the outage",
                 lambda: True if outcome() == "revoked" else None)


class RotationTest(unittest.TestCase):
    """EdDSA grants after a rotation verify through a refetch on their
    unknown kid; the JWKS over plain http towards loopback when allowed."""

    def test_eddsa_after_rotation(self) -> None:
        plain = Broker(["--key-prepublish-seconds", "1"], https=False)
        self.addCleanup(plain.stop)
        keys = JwksSource(plain.jwks_url, allow_loopback_http=True, min_refresh_interval=0)
        verifier = GrantVerifier(keys, AUDIENCE)
        kids_before = keys.kids()
        client = plain.client("partner-demo")
        self.addCleanup(client.close)
        plain.cli("admin", "keys", "rotate", "--alg", "EdDSA", "--as", "operator")

        def eddsa_grant() -> Optional[str]:
            token = client.request_grant(OPEN, "service-provision", AUDIENCE).grant.token
            return token if header_of(token)["alg"] == "EdDSA" else None

        token = wait_for("the EdDSA key to sign", eddsa_grant)
        self.assertNotIn(header_of(token)["kid"], kids_before)
        loads = keys.load_count
        grant = verifier.verify(token, read(plain.file("partner-demo.pem")))
        self.assertEqual(grant.algorithm, "EdDSA")
        self.assertEqual(keys.load_count, loads + 1)
        self.assertIn(header_of(token)["kid"], keys.kids())
        self.assertEqual(verifier.verify(token, read(plain.file("partner-demo.pem"))).id,
                         grant.id)
        self.assertEqual(keys.load_count, loads + 1)  # now cached


class PackagingTest(unittest.TestCase):
    """pip builds the package offline, generating the accord.v1 modules, and
    the installed package alone talks to the broker."""

    def test_pip_install_generates_the_stubs(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            # A copy of what the build reads (the package and the protos), so
            # the in-tree build leaves the source tree alone.
            source = os.path.join(tmp, "src")
            shutil.copytree(os.path.join(SOURCE_DIR, "proto"), os.path.join(source, "proto"))
            shutil.copytree(PYTHON_DIR, os.path.join(source, "clients", "python"),
                            ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                          "__pycache__"))
            site = os.path.join(tmp, "site")
            installed = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                 "--no-index", "--target", site, os.path.join(source, "clients", "python")],
                capture_output=True, text=True, timeout=300, check=False)
            self.assertEqual(installed.returncode, 0, installed.stderr)
            self.assertTrue(os.path.exists(os.path.join(site, "accord", "v1", "access_pb2_grpc.py")))
            files = broker.tls_files("partner-demo")
            program = (
                "import sys, accord_client\n"
                "assert accord_client.__file__.startswith(sys.argv[1]), accord_client.__file__\n"
                "c = accord_client.AccordClient.connect(sys.argv[2], ca_file=sys.argv[3],\n"
                "    cert_file=sys.argv[4], key_file=sys.argv[5])\n"
                "print(c.request_grant(sys.argv[6], 'service-provision', 'a').decision.outcome)\n")
            ran = subprocess.run(
                [sys.executable, "-c", program, site, broker.grpc_address, files["ca_file"],
                 files["cert_file"], files["key_file"], OPEN],
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": site,
                     "PYTHONDONTWRITEBYTECODE": "1"},
                cwd=tmp, capture_output=True, text=True, timeout=60, check=False)
            self.assertEqual(ran.returncode, 0, ran.stderr)
            self.assertEqual(ran.stdout.strip(), "PERMIT")


class DataServiceTest(unittest.TestCase):
    """examples/data_service.py serves only what a bound grant covers."""

    tmp: str
    service: DataServiceProcess
    client: AccordClient
    token: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="accord-py-ds-")
        # unittest runs no tearDownClass after a failed setUpClass.
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.service = DataServiceProcess(
            ["--jwks", broker.jwks_url, "--jwks-ca", broker.file("ca.pem"),
             "--audience", AUDIENCE, "--tls-cert", broker.file("server.pem"),
             "--tls-key", broker.file("server.key"), "--client-ca", broker.file("ca.pem"),
             f"--subjects={alice['subject']},{NOBODY}", "--skew-seconds", "0"],
            os.path.join(cls.tmp, "data-service.log"))
        cls.addClassCleanup(cls.service.stop)
        cls.client = broker.client("partner-demo")
        cls.addClassCleanup(cls.client.close)
        cls.token = cls.client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                             subjects=[alice["subject"], NOBODY]).grant.token

    def get(self, token: Optional[str], who: str = "partner-demo", query: str = "",
            port: Optional[int] = None) -> tuple[int, dict[str, Any]]:
        context = ssl.create_default_context(cafile=broker.file("ca.pem"))
        context.load_cert_chain(broker.file(f"{who}.pem"), broker.file(f"{who}.key"))
        connection = http.client.HTTPSConnection("127.0.0.1", port or self.service.port,
                                                 context=context, timeout=30)
        try:
            headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
            connection.request("GET", "/records" + query, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def test_serves_the_granted_subject_and_fields(self) -> None:
        status, body = self.get(self.token)
        self.assertEqual(status, 200, body)
        granted = self.client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                            subjects=[alice["subject"]]).decision.fields
        self.assertEqual(tuple(body["fields"]), granted)
        self.assertNotIn("tariff", body["fields"])
        self.assertNotIn("household_id", body["fields"])
        self.assertEqual(len(body["records"]), 3)  # alice only, three days
        for record in body["records"]:
            self.assertEqual(set(record["values"]), set(granted))
            if "subject" in granted:
                self.assertEqual(record["subject"], alice["subject"])
        # Narrower is fine; without the subject field, records are unnamed.
        status, body = self.get(self.token, query="?fields=kwh")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["fields"], ["kwh"])
        self.assertEqual([set(r["values"]) for r in body["records"]], [{"kwh"}] * 3)
        self.assertEqual({r["subject"] for r in body["records"]}, {""})
        # The same records as the C++ example's, for the same pseudonym.
        digest = hashlib.sha256(f"day-1\n{alice['subject']}".encode()).digest()
        kwh = 4.0 + (int.from_bytes(digest[:8], "big") % 160) / 10
        self.assertEqual(body["records"][0]["values"]["kwh"], f"{kwh:.1f}")

    def test_same_records_as_the_cpp_example(self) -> None:
        cpp_service = os.path.join(BIN_DIR, "accord-data-service")
        cpp_client = os.path.join(BIN_DIR, "accord-data-client")
        if not (os.access(cpp_service, os.X_OK) and os.access(cpp_client, os.X_OK)):
            self.skipTest("accord-data-service is not built")
        service = DataServiceProcess(
            ["--jwks", broker.jwks_url, "--jwks-ca", broker.file("ca.pem"),
             "--audience", AUDIENCE, "--tls-cert", broker.file("server.pem"),
             "--tls-key", broker.file("server.key"), "--client-ca", broker.file("ca.pem"),
             "--subjects", f"{alice['subject']},{NOBODY}"],
            os.path.join(self.tmp, "cpp-data-service.log"), program=[cpp_service])
        self.addCleanup(service.stop)
        cases: list[tuple[str, list[str]]] = [("", []), ("?fields=day,kwh", ["--fields", "day,kwh"])]
        for query, flags in cases:
            read = subprocess.run(
                [cpp_client, "--server", f"127.0.0.1:{service.port}", "--grant", self.token,
                 "--cert", broker.file("partner-demo.pem"), "--key", broker.file("partner-demo.key"),
                 "--ca", broker.file("ca.pem"), *flags],
                capture_output=True, text=True, timeout=60, check=False)
            self.assertEqual(read.returncode, 0, read.stderr)
            cpp = json.loads(read.stdout)
            status, python = self.get(self.token, query=query)
            self.assertEqual(status, 200, python)
            self.assertEqual(python["fields"], cpp["fields"])
            self.assertEqual(python["grant_id"], cpp["grant_id"])
            self.assertEqual([(r["subject"], r["values"]) for r in python["records"]],
                             [(r.get("subject", ""), r["values"]) for r in cpp["records"]])

    def test_the_five_lines_of_the_readme(self) -> None:
        with open(os.path.join(PYTHON_DIR, "examples", "README.md"), encoding="utf-8") as f:
            readme = f.read()
        start = readme.index("```python\n") + len("```python\n")
        lines = readme[start:readme.index("```", start)]
        self.assertEqual(len(lines.splitlines()), 5)
        program = (lines.replace("127.0.0.1:7443", broker.grpc_address)
                   .replace("127.0.0.1:9443", f"127.0.0.1:{self.service.port}")
                   .replace("var/dev-pki", broker.pki))
        ran = subprocess.run([sys.executable, "-c", f"ALICE = {alice['subject']!r}\n" + program],
                             capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        served = json.loads(ran.stdout)
        self.assertEqual(served["fields"], ["day", "kwh"])
        self.assertEqual(len(served["records"]), 3)

    def test_refuses_no_token_and_bad_tokens(self) -> None:
        status, body = self.get(None)
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], "UNAUTHENTICATED")
        status, body = self.get("not-a-grant")
        self.assertEqual(status, 400)
        self.assertTrue(body["message"].startswith("format: "))
        header, payload, signature = self.token.split(".")
        status, body = self.get(f"{header}.{swap_char(payload, 20)}.{signature}")
        self.assertEqual(status, 401)
        self.assertTrue(body["message"].startswith("signature: "))
        other = self.client.request_grant(PERSONAL, RESEARCH, "other.service.example",
                                          subjects=[alice["subject"]]).grant.token
        status, body = self.get(other)
        self.assertEqual(status, 401)
        self.assertTrue(body["message"].startswith("aud: "))

    def test_refuses_a_grant_presented_with_another_certificate(self) -> None:
        status, body = self.get(self.token, who="producer-demo")
        self.assertEqual(status, 401)
        self.assertTrue(body["message"].startswith("cnf: "), body)

    def test_refuses_fields_not_granted(self) -> None:
        status, body = self.get(self.token, query="?fields=kwh,tariff")
        self.assertEqual(status, 403)
        self.assertEqual(body["code"], "PERMISSION_DENIED")
        self.assertIn("tariff", body["message"])

    def test_refuses_subjects_not_granted(self) -> None:
        status, body = self.get(self.token, query=f"?subjects={NOBODY}")
        self.assertEqual(status, 403)
        self.assertIn(NOBODY, body["message"])
        status, body = self.get(self.token, query=f"?subjects={alice['subject']},{NOBODY}")
        self.assertEqual(status, 403)

    def test_refuses_a_grant_for_another_dataset(self) -> None:
        grant = self.client.request_grant(OPEN, "service-provision", AUDIENCE).grant.token
        status, body = self.get(grant)
        self.assertEqual(status, 403)
        self.assertIn(OPEN, body["message"])

    def test_refuses_a_revoked_grant_when_watching(self) -> None:
        carol = broker.consent("carol")
        token = self.client.request_grant(PERSONAL, RESEARCH, AUDIENCE,
                                          subjects=[carol["subject"]]).grant.token
        # Keys and revocations from the broker's TrustService, as the
        # producer of the dataset.
        service = DataServiceProcess(
            ["--jwks", "broker", "--audience", AUDIENCE,
             "--tls-cert", broker.file("server.pem"), "--tls-key", broker.file("server.key"),
             "--client-ca", broker.file("ca.pem"), f"--subjects={carol['subject']}",
             "--broker", broker.grpc_address, "--broker-ca", broker.file("ca.pem"),
             "--broker-cert", broker.file("producer-demo.pem"),
             "--broker-key", broker.file("producer-demo.key"), "--revocations", "watch"],
            os.path.join(self.tmp, "data-service-watch.log"))
        self.addCleanup(service.stop)

        def status_is(expected: int) -> Callable[[], Optional[dict[str, Any]]]:
            def attempt() -> Optional[dict[str, Any]]:
                status, body = self.get(token, port=service.port)
                return body if status == expected else None
            return attempt

        # Served once the stream is up (refused before: fail closed).
        served = wait_for("the watching service to serve", status_is(200))
        self.assertEqual(len(served["records"]), 3)
        broker.withdraw("carol", carol["id"])
        refused = wait_for("the withdrawal to reach the service", status_is(403))
        self.assertTrue(refused["message"].startswith("revoked: "), refused)


if __name__ == "__main__":
    unittest.main()
