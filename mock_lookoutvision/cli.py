"""The ``mock-lookoutvision`` command (also ``python -m mock_lookoutvision``).

- ``serve [--host H] [--port P] [--speed S] [--region R] [--log-requests]``: serves the service and
  moto's others until stopped (Ctrl-C, SIGTERM); once ready, prints the endpoint URL.
- ``data-path``: prints the folder that, on ``AWS_DATA_PATH``, makes the AWS CLI v1 and any
  botocore know the service.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .api_model import DATA_PATH
from .mock import DEFAULT_REGION
from .serving import DEFAULT_HOST, DEFAULT_PORT, LookoutVisionServer, MissingServerExtra


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock-lookoutvision", description="An offline Amazon Lookout for Vision."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock on an HTTP endpoint until stopped")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 takes a free one"
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated seconds per real second, for clients that poll on real time "
        "(3600: a real second is a simulated hour); default 1",
    )
    serve.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"the region the control routes act on by default; default {DEFAULT_REGION}",
    )
    serve.add_argument("--log-requests", action="store_true", help="log a line per request")
    commands.add_parser("data-path", help="print the folder to put on AWS_DATA_PATH")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "data-path":
        print(DATA_PATH)
        return 0
    try:
        server = LookoutVisionServer(
            host=arguments.host,
            port=arguments.port,
            speed=arguments.speed,
            region_name=arguments.region,
            log_requests=arguments.log_requests,
        )
        handle = server.start()
    except (MissingServerExtra, OSError, OverflowError, ValueError, RuntimeError) as cannot:
        print(f"mock-lookoutvision: {cannot}", file=sys.stderr)
        return 1
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"mock-lookoutvision serving on {handle.endpoint_url} (Ctrl-C to stop)", flush=True)
    while not stopped.wait(3600):
        pass
    server.stop()
    return 0
