"""The request path, one way for every request:

route -> injected faults -> parse -> validate -> faults on the parameters -> permissions (opt-in
IAM) -> idempotency -> the resource's handler -> serialize -> faults after commit -> journal.

Whatever reaches the service (moto's stubber, moto's generic dispatch) calls ``handle`` with the
raw method, URL, headers and body (``handle_request`` takes them from any request object moto hands
on, the body as the bytes a client would send), and gets the HTTP status, headers and body to
answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel

from .accounts import request_account
from .clock import clock
from .endpoints import endpoint_region
from .errors import LookoutVisionError, UnknownOperationException
from .faults import DroppedConnection, Stage
from .journal import Call, journal
from .models import backend_of, require_offered
from .permissions import authorize, enforced
from .protocol import Response, parse_request, serialize_error, serialize_response, wire_body
from .routing import path_and_query, router
from .validation import validate


def handle(method: str, url: str, headers: Mapping[str, Any], body: bytes | str | None) -> Response:
    """The answer to one request; ``RegionNotOffered`` (for the front end to say as its clients
    would meet it) when the URL names a region the service was never in, ``DroppedConnection``
    when a test injected one (journaled; the front end hangs up as it can)."""
    # First: in such a region no endpoint resolves, whatever the path or the identity.
    region = endpoint_region(url)
    require_offered(region)
    try:
        account = request_account(headers)
    except LookoutVisionError as unknown_identity:  # refused before any operation is looked at
        return serialize_error(unknown_identity)
    backend = backend_of(account, region)
    path, query = path_and_query(url)
    found = router().match(method.upper(), path)
    if found is None:
        return serialize_error(UnknownOperationException(f"No operation matches {method} {path}"))
    route, labels = found
    operation = route.operation
    checked = enforced()  # counted here, as moto counts a request it routes to an action
    params: dict[str, Any] = dict(labels)
    error = None
    committed = False
    try:
        try:
            backend.controls.faults.raise_injected(operation.name, Stage.RECEIVED)
        except (LookoutVisionError, DroppedConnection):
            # Answered before it is read, as a throttled call is; the journal still says what was
            # sent, so a test can check what a retry carried (R9).
            params = _sent(operation, labels, query, headers, body)
            raise
        params = parse_request(operation, labels, query, headers, body)
        if operation.input_shape is not None:
            validate(params, operation.input_shape)
        backend.controls.faults.raise_injected(operation.name, Stage.VALIDATED, params)
        authorize(checked, operation.name, params, backend, method, url, headers, body)
        handler = getattr(backend, route.handler_name)
        arguments = {keyword: params[m] for m, keyword in route.arguments if m in params}
        with backend.lock:
            answer = backend.tokens.run(operation, params, lambda: handler(**arguments))
        response = serialize_response(operation, answer)
        committed = True
        backend.controls.faults.raise_injected(operation.name, Stage.COMMITTED, params)
    except LookoutVisionError as failure:
        response, error = serialize_error(failure), failure.code
    except DroppedConnection as dropped:  # no answer: the front end hangs up as it can
        journal.record(Call(operation.name, params, dropped.code, clock.time(), committed))
        raise
    journal.record(Call(operation.name, params, error, clock.time(), committed))
    return response


def _sent(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
) -> dict[str, Any]:
    """The parameters of a request, for the journal; its URL's labels if it can't be read."""
    try:
        return parse_request(operation, labels, query, headers, body)
    except LookoutVisionError:
        return dict(labels)


def handle_request(request: Any) -> Response:
    """``handle`` for botocore's and requests' prepared requests, or the werkzeug request some
    moto versions build, with the URL still percent-encoded."""
    if hasattr(request, "get_data"):
        environ = request.environ
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        url = request.host_url.rstrip("/") + raw
        return handle(request.method, url, request.headers, request.get_data())
    body = wire_body(request.body)
    return handle(request.method or "GET", request.url or "", request.headers, body)
