"""Request routing: from a method and raw URL to the operation and the backend method it names.

Routes come from each operation's ``requestUri`` in the shipped model. Matching is done on the raw
(still percent-encoded) path, one segment at a time, so a tag ARN such as ``model/proj/1`` sent as
one ``%2F``-encoded label stays one label.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import unquote

from botocore import xform_name
from botocore.model import OperationModel

from .api_model import service_model


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
    # The idempotency token is the pipeline's: handlers never see it.
    members = [
        name
        for name, member in (input_shape.members.items() if input_shape is not None else ())
        if not member.metadata.get("idempotencyToken")
    ]
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


def path_and_query(url: str) -> tuple[str, str]:
    """The raw path and query of an absolute URL (``urlsplit`` does more than this needs)."""
    start = url.find("/", url.find("//") + 2)
    if start < 0:
        return "/", ""
    path, _, query = url[start:].partition("?")
    return path.partition("#")[0], query
