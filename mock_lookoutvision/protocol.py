"""The rest-json wire format of the service, read and written from the shipped model.

Requests are taken apart by each member's HTTP binding (URI label, query string, header or JSON
body); responses and errors are written from the output and error shapes, with timestamps as epoch
seconds, as the real service sends them.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from botocore.model import OperationModel, Shape

from .api_model import service_model
from .errors import LookoutVisionError, SerializationException

Response = tuple[int, dict[str, str], str]


def parse_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query_string: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
) -> dict[str, Any]:
    """The operation's input parameters, by member name, as a client would have passed them."""
    shape = operation.input_shape
    params: dict[str, Any] = dict(labels)
    if shape is None:
        return params
    query = parse_qs(query_string, keep_blank_values=True) if query_string else {}
    lower_headers: dict[str, str] | None = None
    has_body_members = False
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "querystring":
            if wire_name in query:
                params[name] = _from_query(member, wire_name, query[wire_name])
        elif location == "header":
            if lower_headers is None:
                lower_headers = {str(k).lower(): v for k, v in headers.items()}
            value = lower_headers.get(wire_name.lower())
            if value is not None:
                params[name] = value.decode() if isinstance(value, bytes) else value
        elif location is None:
            has_body_members = True
    if has_body_members and body:
        try:
            document = json.loads(body)
        except ValueError as error:
            raise SerializationException(f"The request body is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise SerializationException("The request body must be a JSON object")
        for name, member in shape.members.items():
            if member.serialization.get("location") is None and name in document:
                params[name] = document[name]
    return params


def _from_query(member: Shape, wire_name: str, values: list[str]) -> Any:
    if member.type_name == "list":
        return values
    value = values[-1]
    if member.type_name == "integer":
        try:
            return int(value)
        except ValueError:
            raise SerializationException(
                f"Value '{value}' of query parameter '{wire_name}' is not an integer"
            ) from None
    return value


def serialize_response(operation: OperationModel, result: Mapping[str, Any]) -> Response:
    shape = operation.output_shape
    headers = _base_headers()
    body: dict[str, Any] = {}
    if shape is not None:
        for name, member in shape.members.items():
            value = result.get(name)
            if value is None:
                continue
            if member.serialization.get("location") == "header":
                headers[member.serialization.get("name", name)] = str(value)
            else:
                body[name] = _to_wire(member, value)
    status = int(operation.http.get("responseCode", 200))
    return status, headers, json.dumps(body)


def serialize_error(error: LookoutVisionError) -> Response:
    headers = _base_headers()
    headers["x-amzn-ErrorType"] = error.code
    body: dict[str, Any] = {"Message": error.message}
    status = error.unmodelled_status
    shape = _error_shapes().get(error.code)
    if shape is not None:
        status = shape.metadata["error"]["httpStatusCode"]
        for name, member in shape.members.items():
            value = error.members.get(name)
            if value is None:
                continue
            if member.serialization.get("location") == "header":
                headers[member.serialization.get("name", name)] = str(value)
            else:
                body[name] = _to_wire(member, value)
    return status, headers, json.dumps(body)


@functools.cache
def _error_shapes() -> dict[str, Shape]:
    return {shape.name: shape for shape in service_model().error_shapes}


def _base_headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}


def _to_wire(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return {
            name: _to_wire(member, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if kind == "list":
        return [_to_wire(shape.member, item) for item in value]
    if kind == "map":
        return {key: _to_wire(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        seconds = value.timestamp() if isinstance(value, datetime) else float(value)
        return round(seconds, 3)
    return value
