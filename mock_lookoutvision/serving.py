"""Server mode: the service and moto's others on one HTTP endpoint, for clients in other processes
(the AWS CLI, the JavaScript SDK, signed REST) and for async Python.

The endpoint is moto's own server application with two things in front of it:

- ``/_mock_lookoutvision/...``: the handle's controls as JSON routes (``control_routes``);
- the requests moto's server would give this service (it chooses by the SigV4 credential scope;
  a ``lookoutvision.<region>`` Host header is taken too) go to the request pipeline, under the
  endpoint URL of the region the request was signed for. Unsigned requests to the service's paths
  get the 403 AWS answers a request without a signature.

Everything else (S3, KMS, IAM, STS, ``/moto-api/...``) is moto's server as it is. Requests are
served on threads of werkzeug's server, one connection per request (werkzeug closes each after
its answer); ``stop()`` ends the connections still open and joins their threads, so a stopped
server leaves no thread or socket behind.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from http import HTTPStatus
from types import TracebackType
from typing import Any, NoReturn, cast

import boto3
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request

from .api_model import API_VERSION, SERVICE_NAME, register_data_path
from .clock import MAX_SPEED, clock
from .control_routes import CONTROL_PREFIX, ControlRoutes
from .endpoints import HOST, RegionNotOffered
from .faults import DroppedConnection
from .handle import LookoutVisionMock
from .lifecycle import DurationMap, step_durations
from .lifecycle import durations as durations_in_force
from .mock import DEFAULT_REGION, reset_state
from .pipeline import handle

DEFAULT_HOST = "127.0.0.1"
# moto's own server's default, so that an endpoint configured for ``moto_server`` finds this one.
DEFAULT_PORT = 5000

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# "Credential=AKID/20261201/eu-west-1/lookoutvision/aws4_request" in a SigV4 Authorization header.
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_SERVICE_PATHS = f"/{API_VERSION}/"
# What a region's name looks like (us-east-1, eu-central-1, us-gov-west-1): a scope's region goes
# into an endpoint URL, so anything else is refused before it can make another URL.
_REGION_NAME = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_log = logging.getLogger(__name__)


class MissingServerExtra(ImportError):
    """Server mode needs moto's server dependencies."""


def _moto_server(log_requests: bool) -> tuple[WSGIApp, type[Any]]:
    """moto's server application and request handler (imported on first use: they pull in Flask,
    which only server mode needs)."""
    try:
        werkzeug_app = importlib.import_module("moto.moto_server.werkzeug_app")
    except ImportError as missing:
        raise MissingServerExtra(
            "server mode needs moto's server dependencies: pip install 'mock-lookoutvision[server]'"
        ) from missing
    # moto 5.2.5 has a handler of its own (it keeps S3 metadata headers with underscores); 5.2.0
    # serves with werkzeug's.
    base_handler: type[Any] = getattr(werkzeug_app, "MotoRequestHandler", WSGIRequestHandler)

    class RequestHandler(base_handler):  # type: ignore[misc]
        def log_request(self, *args: Any) -> None:
            # One line per request is the command line's choice; a test's server stays quiet.
            if log_requests:
                super().log_request(*args)

        def send_error(
            self, code: int, message: str | None = None, explain: str | None = None
        ) -> None:
            """What http.server answers itself (a request line or headers too long, a request it
            can't read), as JSON like the rest of the endpoint instead of its HTML page."""
            status = HTTPStatus(code)
            body = json.dumps({"message": message or explain or status.phrase}).encode()
            self.close_connection = True
            self.send_response(code, message)
            self.send_header("Content-Type", "application/json")
            # The phrase as an error code: "Request-URI Too Long" is RequestUriTooLong.
            words = re.split(r"[^A-Za-z]+", status.phrase)
            self.send_header("x-amzn-ErrorType", "".join(w.capitalize() for w in words))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200:
                self.wfile.write(body)

    application = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    return application, RequestHandler


def _json_response(
    start_response: Callable[..., Any], status: int, body: Mapping[str, Any], error_type: str
) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        _status_line(status),
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("x-amzn-ErrorType", error_type),
        ],
    )
    return [data]


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:  # a status http has no name for
        return f"{status} Error"


def _wrong_region(start_response: Callable[..., Any], region: str) -> Iterable[bytes]:
    return _json_response(
        start_response,
        403,
        {"message": f"Credential should be scoped to a valid region, not '{region}'."},
        "InvalidSignatureException",
    )


def _hang_up(environ: Mapping[str, Any]) -> NoReturn:
    """Closes the request's connection without an answer (an injected ``DroppedConnection``):
    the client reads the end of the stream where the status line should be. The error raised is
    one werkzeug takes for a connection its client dropped, so it answers and logs nothing."""
    connection = environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("the connection was dropped without an answer, as injected")


class ServerApplication:
    """The WSGI application of the endpoint: controls, this service, then moto's server."""

    def __init__(self, moto_app: WSGIApp, controls: ControlRoutes) -> None:
        self._moto_app = moto_app
        self._controls = controls

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._controls(environ, start_response)
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        scope = _CREDENTIAL_SCOPE.search(authorization)
        if scope is not None:
            region, service = scope.groups()
            if service == SERVICE_NAME:
                return self._service(environ, start_response, region)
            return self._moto_app(environ, start_response)
        if path.startswith(_SERVICE_PATHS) or HOST.match(f"https://{environ.get('HTTP_HOST')}"):
            # moto's server would hand these to S3, its default; AWS's front end refuses them.
            return self._unsigned(start_response, authorization)
        return self._moto_app(environ, start_response)

    def _service(
        self, environ: dict[str, Any], start_response: Callable[..., Any], region: str
    ) -> Iterable[bytes]:
        if not _REGION_NAME.fullmatch(region):
            return _wrong_region(start_response, region)
        request = Request(environ)
        raw_path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        url = f"https://{SERVICE_NAME}.{region}.amazonaws.com{raw_path}"
        try:
            status, headers, body = handle(
                request.method, url, cast(Mapping[str, Any], request.headers), request.get_data()
            )
        except RegionNotOffered:
            # In-process this is a connection error (no such endpoint); a server has an endpoint
            # and answers what AWS answers a request signed for a region it doesn't serve.
            return _wrong_region(start_response, region)
        except DroppedConnection:
            _hang_up(environ)
        except Exception:  # a fault of the mock's own: still an AWS-shaped answer, never HTML
            _log.exception("%s %s failed", request.method, raw_path)
            return _json_response(
                start_response,
                500,
                {"message": "The mock failed to answer this request; see the server's log."},
                "InternalServerException",
            )
        data = body.encode() if isinstance(body, str) else body
        start_response(
            _status_line(status),
            [*headers.items(), ("Content-Length", str(len(data)))],
        )
        return [data]

    @staticmethod
    def _unsigned(start_response: Callable[..., Any], authorization: str) -> Iterable[bytes]:
        if not authorization:
            return _json_response(
                start_response,
                403,
                {"message": "Missing Authentication Token"},
                "MissingAuthenticationTokenException",
            )
        return _json_response(
            start_response,
            400,
            {
                "message": "Authorization header requires a SigV4 'Credential' parameter of the "
                "form Credential=<key id>/<date>/<region>/lookoutvision/aws4_request."
            },
            "IncompleteSignatureException",
        )


class _ConnectionTrackingServer:
    """Builds werkzeug's threaded server and remembers each connection it serves, so that
    ``close()`` can end connections still open (a client that sent nothing yet, a slow upload)
    and join their threads."""

    def __init__(self, host: str, port: int, app: WSGIApp, handler: type[Any]) -> None:
        from werkzeug.serving import ThreadedWSGIServer

        tracker = self
        # Each connection's socket, by the thread serving it.
        self._open: dict[threading.Thread, socket.socket] = {}
        self._lock = threading.Lock()

        class Server(ThreadedWSGIServer):
            def process_request(self, request: Any, client_address: Any) -> None:
                thread = threading.Thread(
                    target=tracker._serve, args=(self, request, client_address), daemon=True
                )
                with tracker._lock:
                    tracker._open[thread] = request
                thread.start()

        # Bound here rather than by werkzeug, which answers a taken port with sys.exit(1).
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.create_server((host, port), family=family)
        try:
            self.server = Server(host, port, app, handler=handler, fd=self._socket.fileno())
        except BaseException:
            self._socket.close()
            raise

    def _serve(self, server: Any, request: Any, client_address: Any) -> None:
        try:
            server.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.pop(threading.current_thread(), None)

    def close(self) -> None:
        self.server.shutdown()
        with self._lock:
            open_connections = list(self._open.items())
        for _, connection in open_connections:
            # A client may have closed it already.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread, _ in open_connections:
            thread.join()
        self.server.server_close()
        self.close_socket()

    def close_socket(self) -> None:
        self._socket.close()


class ServerHandle(LookoutVisionMock):
    """A running server's handle: the in-process handle's controls, and where the server is."""

    def __init__(self, owner: LookoutVisionServer) -> None:
        super().__init__(owner)
        self._server = owner

    @property
    def endpoint_url(self) -> str:
        """``http://HOST:PORT``, for clients' ``endpoint_url`` / ``--endpoint-url``."""
        return self._server.endpoint_url

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return clock.speed

    def client(self, service_name: str, region_name: str | None = None, **options: Any) -> Any:
        """A boto3 client of any service (this one, S3, IAM, ...) at this server, in
        ``region_name`` (the server's by default), with the fake credentials moto takes."""
        options.setdefault("aws_access_key_id", "testing")
        options.setdefault("aws_secret_access_key", "testing")
        return boto3.client(
            service_name,
            endpoint_url=self.endpoint_url,
            region_name=region_name or self.region_name,
            **options,
        )

    def reset(self) -> None:
        """Drops all state of every service and the clock's offset, as ``POST
        /_mock_lookoutvision/reset`` does."""
        self._server.reset()


class LookoutVisionServer:
    """``server(...)``: the service (and moto's others) on ``http://host:port``, served from a
    background thread: ``with server(port=0) as srv: ... srv.endpoint_url ...``; or
    ``start()``/``stop()``.

    ``port=0`` takes a free port. ``speed`` runs simulated time faster than real time (3600: a
    real second is a simulated hour), for clients that poll on real time; ``durations`` and
    ``region_name`` are the mock's options of the same names; ``log_requests`` logs a line per
    request (werkzeug's log). A process has one state of the service and one simulated clock:
    servers and ``mock_lookoutvision()`` mocks in one process share them, and starting or stopping
    a server empties them (and sets the clock's speed), as the outermost mock's start does.
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        speed: float = 1.0,
        durations: Mapping[str, float | timedelta] | None = None,
        region_name: str = DEFAULT_REGION,
        log_requests: bool = False,
    ) -> None:
        if not 1 <= speed <= MAX_SPEED:  # NaN fails both comparisons
            raise ValueError(f"speed is from 1 (real time) to {MAX_SPEED:g}, not {speed}")
        self.host = host
        self.port = port
        self.speed = float(speed)
        self.durations: DurationMap = step_durations(durations)
        self.region_name = region_name
        self.log_requests = log_requests
        self.handle = ServerHandle(self)
        self._server: _ConnectionTrackingServer | None = None
        self._thread: threading.Thread | None = None

    # What the handle needs of its owner (handle.MockOwner).

    def require_active(self) -> None:
        if self._server is None:
            raise RuntimeError("this server is not running; its handle acts only while it runs")

    @property
    def endpoint_url(self) -> str:
        self.require_active()
        assert self._server is not None
        host, port = self._server.server.host, self._server.server.port
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def reset(self) -> None:
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        reset_state()
        clock.set_speed(self.speed)

    def start(self) -> ServerHandle:
        if self._server is not None:
            raise RuntimeError("this server is already running")
        register_data_path()
        moto_app, request_handler = _moto_server(self.log_requests)
        application = ServerApplication(moto_app, ControlRoutes(self.handle, self.reset))
        self._server = _ConnectionTrackingServer(self.host, self.port, application, request_handler)
        try:
            self.reset()
        except BaseException:
            self._release()
            raise
        durations_in_force.push(self.durations)
        self._thread = threading.Thread(
            # Checks for stop() every 50 ms rather than werkzeug's 500: a test's server stops fast.
            target=functools.partial(self._server.server.serve_forever, poll_interval=0.05),
            name=f"mock-lookoutvision server {self.endpoint_url}",
            daemon=True,
        )
        self._thread.start()
        return self.handle

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            raise RuntimeError("stop() was called on a server that is not running")
        self._server.close()
        self._thread.join()
        durations_in_force.pop(self.durations)
        reset_state()
        self._release()

    def _release(self) -> None:
        if self._server is not None and self._thread is None:  # start() failed after binding
            self._server.server.server_close()
            self._server.close_socket()
        self._server = self._thread = None

    def __enter__(self) -> ServerHandle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


# The public name: ``mock_lookoutvision.server(port=0)``.
server = LookoutVisionServer
