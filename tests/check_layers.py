#!/usr/bin/env python3
"""Fails when a source file includes a header from a layer it must not see.

The layers, lowest first: policy/ (the policy language, standing alone);
broker/formats (JSON, base64); broker/crypto (keys, signatures, hashes);
broker/jwks, broker/dev, broker/http, broker/auditlog, broker/cmdline,
broker/rpc (the absl <-> gRPC status conversion);
broker/store; broker/service. Clients (clients/) build on the broker's
libraries; tests (tests/) may include anything. broker/testing holds
test-only headers any test may use; tests may also use the dev PKI. Nothing under broker/ or policy/ ever
includes clients/ or tests/.

Run by the build (target accord_layers, part of `all`), so that a
wrong-way include fails the build:
    tests/check_layers.py SOURCE_DIR
"""

import pathlib
import re
import sys

# Directory -> the project directories its files may include (besides its
# own). The longest matching directory applies. Includes from outside the
# project (absl/, rocksdb/, grpcpp/, generated accord/...) are not checked.
ALLOWED = {
    "policy": [],
    "broker/formats": [],
    "broker/crypto": ["broker/formats"],
    "broker/jwks": ["broker/crypto", "broker/formats"],
    "broker/dev": ["broker/crypto", "broker/formats"],
    "broker/cmdline": [],
    "broker/http": ["broker/crypto", "broker/formats"],
    # The absl <-> gRPC status conversion stands alone.
    "broker/rpc": [],
    # The log appends through the store's header-only interface.
    "broker/auditlog": ["broker/crypto", "broker/formats",
                        "broker/store/log_appender.h"],
    "broker/store": ["broker/auditlog", "broker/crypto", "broker/formats"],
    "broker/testing": [],
    "broker": ["broker", "policy"],
    "clients": ["broker", "clients", "policy"],
    "tests": ["broker", "clients", "policy", "tests"],
}
# Test sources may also include the test-only headers and the dev PKI.
TEST_ONLY = ("broker/testing/", "broker/dev/")
PROJECT_ROOTS = ("broker/", "clients/", "policy/", "tests/")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def rule_for(path):
    best = None
    for prefix in ALLOWED:
        if path == prefix or path.startswith(prefix + "/"):
            if best is None or len(prefix) > len(best):
                best = prefix
    return best


def allowed(path, header):
    prefix = rule_for(path)
    if prefix is None:
        return True
    if header.startswith(prefix + "/"):
        return True
    if path.endswith("_test.cc") or "/testing/" in path or "test_" in path:
        if header.startswith(TEST_ONLY):
            return True
    for other in ALLOWED[prefix]:
        if header == other or header.startswith(other + "/"):
            return True
    return False


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    problems = []
    for top in ("broker", "clients", "policy", "tests"):
        for file in sorted((root / top).rglob("*")):
            if file.suffix not in (".cc", ".h", ".in") or "node_modules" in file.parts:
                continue
            path = file.relative_to(root).as_posix()
            text = file.read_text(encoding="utf-8", errors="replace")
            for header in INCLUDE.findall(text):
                if header.startswith(PROJECT_ROOTS) and not allowed(path, header):
                    problems.append(f"{path}: includes {header}, outside what "
                                    f"{rule_for(path)}/ may see")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} wrong-way include(s); the layers are in "
              "tests/check_layers.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
