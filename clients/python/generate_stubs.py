#!/usr/bin/python3
"""Generates the Python modules of the Accord gRPC API (package accord.v1).

usage: generate_stubs.py PROTO_ROOT OUT_DIR

Runs protoc with grpc_python_plugin over PROTO_ROOT/accord/v1/*.proto and
writes OUT_DIR/accord/v1/*_pb2.py and *_pb2_grpc.py. The same function runs
from the CMake target accord_python_stubs and from setup.py, so the tests
and an installed package use stubs made the same way. Nothing generated is
committed.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

PROTOC = os.environ.get("ACCORD_PROTOC", "protoc")
GRPC_PLUGIN = os.environ.get("ACCORD_GRPC_PYTHON_PLUGIN",
                             "/usr/bin/grpc_python_plugin")


def generate(proto_root: str, out_dir: str) -> list[str]:
    """Generates the stubs; returns the .proto files compiled.

    Raises RuntimeError naming what is missing (protoc, the plugin, the
    protos) or protoc's own error.
    """
    protos = sorted(glob.glob(os.path.join(proto_root, "accord", "v1", "*.proto")))
    if not protos:
        raise RuntimeError(
            f"no .proto files under {os.path.join(proto_root, 'accord', 'v1')}")
    protoc = shutil.which(PROTOC)
    if protoc is None:
        raise RuntimeError(f"{PROTOC} not found (Debian package protobuf-compiler)")
    if not os.access(GRPC_PLUGIN, os.X_OK):
        raise RuntimeError(
            f"{GRPC_PLUGIN} not found (Debian package protobuf-compiler-grpc)")
    os.makedirs(out_dir, exist_ok=True)
    command = [
        protoc,
        f"--proto_path={proto_root}",
        f"--python_out={out_dir}",
        f"--grpc_out={out_dir}",
        f"--plugin=protoc-gen-grpc={GRPC_PLUGIN}",
        *protos,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed: {result.stderr.strip()}")
    return protos


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        generate(argv[1], argv[2])
    except RuntimeError as e:
        print(f"generate_stubs.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
