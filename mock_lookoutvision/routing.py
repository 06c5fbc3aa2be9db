"""Request routing: from a raw HTTP request to the backend method that answers it.

Routes come from each operation's ``requestUri`` in the shipped model. Matching is done on the raw
(still percent-encoded) path, one segment at a time, so a tag ARN such as ``model/proj/1`` sent as
one ``%2F``-encoded label stays one label. Every response, success or error, is written by
``protocol``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore import xform_name
from botocore.model import OperationModel

from .api_model import service_model
from .clock import clock
from .errors import LookoutVisionError, UnknownOperationException
from .journal import Call, journal
from .protocol import Response, parse_request, serialize_error, serialize_response
from .validation import validate


@dataclass(frozen=True)
class Route:
    operation: OperationModel
    segments: tuple[str, ...]
    labels: tuple[tuple[int, str], ...]  # (segment index, input member name)
    handler_name: str
    arguments: tuple[tuple[str, str], ...]  # (input member name, handler keyword)

    def capture(self, segments: list[str]) -> dict[str, str] | None:
        for index, literal in enumerate(self.segments):
            if literal and literal[0] != "{" and segments[index] != literal:
                return None
        return {member: unquote(segments[index]) for index, member in self.labels}


class Router:
    def __init__(self, operations: list[OperationModel]) -> None:
        self._routes: dict[tuple[str, int], list[Route]] = {}
        for operation in operations:
            route = _route_for(operation)
            key = (operation.http["method"], len(route.segments))
            self._routes.setdefault(key, []).append(route)
        for routes in self._routes.values():
            # Literal segments win over labels where two templates could both match.
            routes.sort(key=lambda r: -sum(not s.startswith("{") for s in r.segments))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        segments = path.split("/")
        for route in self._routes.get((method, len(segments)), ()):
            labels = route.capture(segments)
            if labels is not None:
                return route, labels
        return None


def _route_for(operation: OperationModel) -> Route:
    template = operation.http["requestUri"].split("?")[0]
    segments = tuple(template.split("/"))
    label_members = {}
    input_shape = operation.input_shape
    if input_shape is not None:
        for name, member in input_shape.members.items():
            if member.serialization.get("location") == "uri":
                label_members[member.serialization.get("name", name)] = name
    labels = tuple(
        (index, label_members[segment[1:-1]])
        for index, segment in enumerate(segments)
        if segment.startswith("{")
    )
    members = list(input_shape.members) if input_shape is not None else []
    return Route(
        operation=operation,
        segments=segments,
        labels=labels,
        handler_name=xform_name(operation.name),
        arguments=tuple((name, xform_name(name)) for name in members),
    )


@functools.cache
def router() -> Router:
    model = service_model()
    return Router([model.operation_model(name) for name in model.operation_names])


def answer(
    method: str,
    url: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
    backend_for: Callable[[str, Mapping[str, Any]], Any],
) -> Response:
    """Parses, validates and executes one request against the backend ``backend_for`` picks."""
    path, query = _path_and_query(url)
    found = router().match(method.upper(), path)
    if found is None:
        return serialize_error(UnknownOperationException(f"No operation matches {method} {path}"))
    route, labels = found
    operation = route.operation
    params: dict[str, Any] = dict(labels)
    try:
        backend = backend_for(url, headers)
        backend.raise_injected_error(operation.name)
        params = parse_request(operation, labels, query, headers, body)
        if operation.input_shape is not None:
            validate(params, operation.input_shape)
        handler = getattr(backend, route.handler_name)
        result = handler(
            **{keyword: params[member] for member, keyword in route.arguments if member in params}
        )
        response = serialize_response(operation, result)
        error = None
    except LookoutVisionError as failure:
        response, error = serialize_error(failure), failure.code
    journal.record(Call(operation.name, params, error, clock.time()))
    return response


def _path_and_query(url: str) -> tuple[str, str]:
    """The raw path and query of an absolute URL (``urlsplit`` does more than this needs)."""
    start = url.find("/", url.find("//") + 2)
    if start < 0:
        return "/", ""
    path, _, query = url[start:].partition("?")
    return path.partition("#")[0], query
