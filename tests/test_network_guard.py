"""The suite reaches no network but loopback: in its own processes (pytest-socket, set in
pyproject.toml) and in the ones it starts (tests/conftest.py's loopback_only_subprocesses)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from pytest_socket import SocketConnectBlockedError

# TEST-NET-1 (RFC 5737): an address no test has business with.
OUTSIDE = "192.0.2.1"


# pytest-socket warns of each connection it blocks, as well as raising: here that is the point.
@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_the_suite_reaches_loopback_only() -> None:
    with pytest.raises(SocketConnectBlockedError, match=OUTSIDE):
        socket.create_connection((OUTSIDE, 443), timeout=1)


def test_loopback_is_reachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


@pytest.mark.parametrize(
    "program",
    [
        [sys.executable, "-c", f"import socket; socket.create_connection(('{OUTSIDE}', 443), 1)"],
        [
            "node",
            "-e",
            f"require('node:net').connect(443, '{OUTSIDE}')"
            ".on('error', e => { console.error(e.message); process.exit(3); })",
        ],
    ],
    ids=["python", "node"],
)
def test_a_started_process_reaches_loopback_only(program: list[str]) -> None:
    done = subprocess.run(program, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert OUTSIDE in done.stderr
