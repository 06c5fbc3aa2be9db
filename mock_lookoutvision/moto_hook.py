"""The hook into moto's routing (tested against the moto range in pyproject.toml).

moto answers a request in two steps: its ``BotocoreStubber`` (a botocore ``before-send`` handler,
also the callback of moto's ``responses`` mock for plain HTTP clients) finds the service whose
pattern in ``moto.backend_index.backend_url_patterns`` matches the URL, then asks
``moto.backends.get_backend(service)`` (which imports ``moto.<service>`` and reads its
``<service>_backends``) for the backend whose ``urls`` map the URL to a handler.

``attach()`` makes both steps know "lookoutvision":

- the URL pattern goes first in the index (it must be there before the outermost ``mock_aws``
  starts: moto registers its ``responses`` callbacks from the index at that moment);
- ``moto.lookoutvision`` is an alias of this package's ``models`` module;
- the stubber's ``process_request`` hands lookoutvision URLs straight to the pipeline. moto's
  generic path first rebuilds every request as a werkzeug request (recent moto) and scans ~200 URL
  patterns, which costs more than this service's whole work per call; other URLs go to moto as
  before. Being inside the stubber keeps moto's on/off switch and exactly one execution per call
  (a second ``before-send`` handler would be called too, and moto's would then run the request
  again). moto's passthrough and service-whitelist settings are honoured as moto does;
- recent moto gives its ``responses`` mock (plain HTTP clients) a callback of its own,
  ``process_prepared_request``; where there is one, it hands lookoutvision URLs to the pipeline
  too (older moto calls ``process_request`` for both). Each kind of client gets its own kind of
  error where the service never was (``endpoints.RegionNotOffered``): a botocore
  ``EndpointConnectionError`` or a requests ``ConnectionError``, as when the endpoint's name does
  not resolve; likewise, for an injected ``DroppedConnection``, what each raises when the server
  hangs up without an answer;
- moto registers its ``responses`` callbacks for seven methods and lets a plain HTTP request of
  any other method (``TRACE``, ``FOO``) through to the network; the lookup of moto's ``responses``
  mock is wrapped so that a lookoutvision URL is answered here whatever its method.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from http.client import RemoteDisconnected
from typing import Any

import moto.backend_index as backend_index
import requests
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError
from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
from moto.core.exceptions import ServiceNotWhitelisted
from moto.core.models import botocore_stubber, responses_mock
from responses import CallbackResponse
from urllib3.exceptions import ProtocolError

from . import models
from .api_model import SERVICE_NAME
from .endpoints import HOST, RegionNotOffered
from .faults import DroppedConnection
from .pipeline import handle_request
from .protocol import Response

_moto_process_request: Callable[[Any], Any] | None = None
_moto_process_prepared_request: Callable[[Any], Any] | None = None
_moto_find_match: Callable[[Any], tuple[Any, list[str]]] | None = None


def attach() -> None:
    """Makes moto's routing answer lookoutvision requests. Idempotent."""
    global _moto_process_request, _moto_process_prepared_request, _moto_find_match
    sys.modules.setdefault(f"moto.{SERVICE_NAME}", models)
    if not any(name == SERVICE_NAME for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.insert(0, (SERVICE_NAME, HOST))
    if _moto_process_request is None:
        _moto_process_request = botocore_stubber.process_request
        botocore_stubber.process_request = _process_request  # type: ignore[method-assign]
    # moto 5.2.5 has it, 5.2.0 does not; moto reads it when the outermost mock starts.
    if _moto_process_prepared_request is None and hasattr(
        botocore_stubber, "process_prepared_request"
    ):
        _moto_process_prepared_request = botocore_stubber.process_prepared_request
        botocore_stubber.process_prepared_request = _process_prepared_request  # type: ignore[method-assign]
    # An attribute of moto's one ``responses`` mock: it outlives the mock's resets.
    if _moto_find_match is None:
        _moto_find_match = responses_mock._find_match
        responses_mock._find_match = _find_match  # type: ignore[method-assign]


def is_attached() -> bool:
    return (
        sys.modules.get(f"moto.{SERVICE_NAME}") is models
        and backend_index.backend_url_patterns[0] == (SERVICE_NAME, HOST)
        and botocore_stubber.process_request is _process_request
        and getattr(botocore_stubber, "process_prepared_request", None)
        in (None, _process_prepared_request)
        and responses_mock._find_match is _find_match
    )


def moto_process_request(request: Any) -> Any:
    """moto's own ``process_request``, as it was before ``attach``."""
    assert _moto_process_request is not None, "attach() first"
    return _moto_process_request(request)


def _process_request(request: Any) -> Any:
    """moto's stubber entry point: lookoutvision URLs here, every other URL to moto."""
    url = request.url or ""
    if not HOST.match(url):
        return moto_process_request(request)
    return _answer(request, url)


def _process_prepared_request(request: Any) -> Any:
    """The callback of recent moto's ``responses`` mock, for plain HTTP clients (requests)."""
    url = request.url or ""
    if not HOST.match(url):
        assert _moto_process_prepared_request is not None, "attach() first"
        return _moto_process_prepared_request(request)
    return _answer(request, url)


def _find_match(request: Any) -> tuple[Any, list[str]]:
    """moto's ``responses`` lookup, answering a lookoutvision URL of a method it has nothing
    registered for (moto's lookup finds nothing, and the request would go out to the network)."""
    assert _moto_find_match is not None, "attach() first"
    found, reasons = _moto_find_match(request)
    url = str(request.url or "")
    if found is None and HOST.match(url) and not _passed_through(url):
        return _EVERY_METHOD, []
    return found, reasons


def _passed_through(url: str) -> bool:
    return passthrough_service(SERVICE_NAME) or passthrough_url(url.split("?", 1)[0])


def _answer(request: Any, url: str) -> Any:
    if _passed_through(url):
        return None
    if not service_whitelisted(SERVICE_NAME):
        raise ServiceNotWhitelisted(SERVICE_NAME)
    return answer_in_process(request, url)


def answer_in_process(request: Any, url: str) -> Response:
    """The pipeline's answer to a request made in this process, or, where the service gives none
    (a region it was never in, an injected ``DroppedConnection``), what the client's HTTP layer
    raises then. The hook's entry points and moto's generic dispatch (``urls``) answer with it."""
    try:
        return handle_request(request)
    except RegionNotOffered as nowhere:
        raise _unreachable(request, url, nowhere) from nowhere
    except DroppedConnection as dropped:
        raise _hung_up(request, url) from dropped


def _unreachable(request: Any, url: str, nowhere: RegionNotOffered) -> Exception:
    """What the client's HTTP layer raises when the endpoint's host does not resolve: botocore's
    (which retries it, as it does a real one), or requests' for plain HTTP clients (whose request
    moto 5.2.0 hands on rebuilt as a werkzeug request)."""
    if isinstance(request, AWSPreparedRequest):
        return EndpointConnectionError(endpoint_url=url, error=nowhere)
    host = url.split("/", 3)[2]
    return requests.exceptions.ConnectionError(f"Failed to resolve '{host}' for {url} ({nowhere})")


def _hung_up(request: Any, url: str) -> Exception:
    """What the client's HTTP layer raises when the server closes the connection without an
    answer: urllib3's ProtocolError, as botocore's ``ConnectionClosedError`` (which it retries)
    or as requests' ``ConnectionError``."""
    closed = ProtocolError(
        "Connection aborted.", RemoteDisconnected("Remote end closed connection without response")
    )
    if isinstance(request, AWSPreparedRequest):
        return ConnectionClosedError(error=closed, request=request, endpoint_url=url)
    return requests.exceptions.ConnectionError(closed)


# The answer ``_find_match`` hands ``responses`` for any other method; the pipeline then answers
# it as it answers any method and path no operation has.
_EVERY_METHOD = CallbackResponse(
    method="ANY", url=HOST, callback=lambda request: _answer(request, str(request.url))
)
