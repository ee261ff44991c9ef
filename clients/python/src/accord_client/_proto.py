"""The generated accord.v1 modules, with a clear error when they are absent.

They are generated at build time (clients/python/generate_stubs.py, run by
setup.py on install and by the CMake target accord_python_stubs), never
committed.
"""
from __future__ import annotations

try:
    from accord.v1 import access_pb2, access_pb2_grpc, common_pb2
    from accord.v1 import policy_pb2, policy_pb2_grpc, trust_pb2, trust_pb2_grpc
except ImportError as e:  # depends on the installation
    raise ImportError(
        "accord_client: the generated accord.v1 modules are missing; install "
        "the package (pip install ./clients/python) or build the CMake target "
        "accord_python_stubs and put its output directory on PYTHONPATH "
        f"({e})") from e

__all__ = ["access_pb2", "access_pb2_grpc", "common_pb2", "policy_pb2",
           "policy_pb2_grpc", "trust_pb2", "trust_pb2_grpc"]
