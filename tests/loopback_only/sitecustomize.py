"""Loaded at start-up by every Python process the suite starts (the AWS CLI, pytester's inner
runs, fresh interpreters): tests/conftest.py puts this folder on their PYTHONPATH. As
pytest-socket does in the suite's own processes, a connection may go to loopback only, so a test
whose subprocess would reach the internet fails."""

import sys

from pytest_socket import socket_allow_hosts

socket_allow_hosts(["127.0.0.1", "::1"], allow_unix_socket=True)
# The guard stays in place; the module goes, so that a pytest run in this process imports (and
# assertion-rewrites) its plugin as it would have.
del sys.modules["pytest_socket"]
