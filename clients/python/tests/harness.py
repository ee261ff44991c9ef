"""The real accord-broker in dev mode on free loopback ports, the real
accord CLI against it, and the example data service as a process.

ACCORD_BIN_DIR names the directory of accord-broker and accord (ctest sets
it to the build's bin/); PYTHONPATH must hold the generated accord.v1
modules and clients/python/src (ctest sets both).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any, Callable, Optional, Sequence, TypedDict, TypeVar

from accord_client import AccordClient

T = TypeVar("T")

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIR = os.path.dirname(os.path.dirname(PYTHON_DIR))
BIN_DIR = os.environ.get("ACCORD_BIN_DIR") or os.path.join(SOURCE_DIR, "build", "bin")
EXAMPLE = os.path.join(PYTHON_DIR, "examples", "data_service.py")

PERSONAL = "rennes.energy.household-consumption"
OPEN = "rennes.mobility.bike-stations"
RESTRICTED = "rennes.environment.air-quality"
RESEARCH = "research-and-development"
AUDIENCE = "data.rennes.example"
# A pseudonym without consent.
NOBODY = "bm8tY29uc2VudC1zdWJqZWN0"


class TlsFiles(TypedDict):
    """The PEM files of one principal, as AccordClient.connect takes them."""

    ca_file: str
    cert_file: str
    key_file: str


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, attempt: Callable[[], Optional[T]], timeout: float = 30.0,
             interval: float = 0.05) -> T:
    """Calls `attempt` until it returns something other than None; raises
    AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = attempt()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Broker:
    """One accord-broker --dev process in its own temporary directory."""

    def __init__(self, extra_flags: Sequence[str] = (), https: bool = True) -> None:
        self.tmp = tempfile.mkdtemp(prefix="accord-py-test-")
        self.data_dir = os.path.join(self.tmp, "var")
        self.pki = os.path.join(self.data_dir, "dev-pki")
        self.https = https
        self.grpc_address = f"127.0.0.1:{free_port()}"
        self.http_address = f"127.0.0.1:{free_port()}"
        self.log_path = os.path.join(self.tmp, "broker.log")
        flags = ["--dev", self.data_dir, "--grpc-addr", self.grpc_address,
                 "--http-addr", self.http_address, *extra_flags]
        if https:
            flags += ["--http-tls-cert", self.file("server.pem"),
                      "--http-tls-key", self.file("server.key")]
        self.command = [os.path.join(BIN_DIR, "accord-broker"), *flags]
        if not os.access(self.command[0], os.X_OK):
            raise RuntimeError(f"{self.command[0]} not found: build accord-broker first "
                               "(or set ACCORD_BIN_DIR)")
        try:
            self.start()
        except BaseException:
            self.stop()
            raise

    def start(self) -> None:
        """Starts the broker (again, on the same ports and data) and waits
        until /readyz answers 200."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        wait_for("the broker's /readyz", self._ready, timeout=60)

    def terminate(self) -> None:
        """SIGTERM, and waits for the broker to exit; its data stays."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def jwks_url(self) -> str:
        scheme = "https" if self.https else "http"
        return f"{scheme}://{self.http_address}/.well-known/jwks.json"

    def file(self, name: str) -> str:
        return os.path.join(self.pki, name)

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _ready(self) -> Optional[bool]:
        if self.process.poll() is not None:
            raise RuntimeError(f"accord-broker exited: {self.log()}")
        scheme = "https" if self.https else "http"
        context = None
        if self.https:
            if not os.path.exists(self.file("ca.pem")):
                return None
            context = ssl.create_default_context(cafile=self.file("ca.pem"))
        try:
            with urllib.request.urlopen(f"{scheme}://{self.http_address}/readyz",
                                        timeout=1, context=context) as r:
                return True if r.status == 200 else None
        except OSError:
            return None

    def stop(self) -> None:
        """Terminates the broker and removes its directory."""
        if hasattr(self, "process"):
            self.terminate()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args: str, positionals: Sequence[str] = ()) -> Any:
        """Runs `accord ARGS --output json -- POSITIONALS` against this broker
        (after "--", an id starting with "-" is not read as a flag); returns
        the JSON it printed. AssertionError with its stderr when it fails."""
        command = [os.path.join(BIN_DIR, "accord"), *args, "--output", "json",
                   "--broker", self.grpc_address, "--dev", self.data_dir,
                   "--", *positionals]
        r = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if r.returncode != 0:
            raise AssertionError(f"{' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return json.loads(r.stdout) if r.stdout.strip() else None

    def tls_files(self, principal: str) -> TlsFiles:
        return {"ca_file": self.file("ca.pem"), "cert_file": self.file(f"{principal}.pem"),
                "key_file": self.file(f"{principal}.key")}

    def client(self, principal: str = "partner-demo") -> AccordClient:
        files = self.tls_files(principal)
        return AccordClient.connect(self.grpc_address, ca_file=files["ca_file"],
                                    cert_file=files["cert_file"], key_file=files["key_file"])

    def consent(self, citizen: str, partner: str = "partner-demo") -> dict[str, str]:
        """`citizen` consents to research use of her household's data by
        `partner`; returns the consent's id and subject (pseudonym)."""
        given = self.cli("consent", "give", "--dataset", PERSONAL, "--purpose", RESEARCH,
                         "--partner", partner, "--citizen", citizen)
        return {"id": given["consent"]["id"], "subject": given["consent"]["subject"]}

    def withdraw(self, citizen: str, consent_id: str) -> None:
        self.cli("consent", "withdraw", "--citizen", citizen, positionals=[consent_id])


class DataServiceProcess:
    """clients/python/examples/data_service.py (or, with `program`, the C++
    accord-data-service, which takes the same flags), running until stop()."""

    def __init__(self, args: Sequence[str], log_path: str,
                 program: Optional[Sequence[str]] = None) -> None:
        self.port = free_port()
        self.log_path = log_path
        command = list(program) if program is not None else [sys.executable, EXAMPLE]
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*command, "--listen", f"127.0.0.1:{self.port}", *args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for("the data service to listen", self._listening, timeout=60)
        except BaseException:
            self.stop()
            raise

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _listening(self) -> Optional[bool]:
        if "listening on" in self.log():
            return True
        if self.process.poll() is not None:
            raise RuntimeError(f"the data service exited: {self.log()}")
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
