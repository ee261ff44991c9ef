"""Builds accord-client; the accord.v1 modules are generated here, at build
time, from the repository's proto/ (by generate_stubs.py, as the CMake
target accord_python_stubs does), and installed beside accord_client.

ACCORD_PROTO_DIR names another proto root (the directory holding accord/v1).
"""
from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate_stubs import generate  # noqa: E402


class BuildWithStubs(build_py):
    """build_py, then the generated accord/v1 modules into the build tree."""

    def run(self) -> None:
        super().run()
        proto_root = os.environ.get("ACCORD_PROTO_DIR",
                                    os.path.join(HERE, "..", "..", "proto"))
        if not os.path.isdir(os.path.join(proto_root, "accord", "v1")):
            raise SystemExit(
                f"accord-client: no accord/v1 protos under {proto_root}; build from "
                "the repository (pip install ./clients/python) or set ACCORD_PROTO_DIR")
        try:
            generate(proto_root, self.build_lib)
        except RuntimeError as e:
            raise SystemExit(f"accord-client: {e}") from None


setup(cmdclass={"build_py": BuildWithStubs})
