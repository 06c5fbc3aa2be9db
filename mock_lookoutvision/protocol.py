"""The rest-json wire format of the service, read and written from the shipped model.

Requests are taken apart by each member's HTTP binding (URI label, query string, header or JSON
body); responses and errors are written from the output and error shapes, timestamps as epoch
seconds, as the real service sends them. Both directions are planned once per shape from the model
and cached, which keeps the per-call work small.
"""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.utils import parse_timestamp

from .api_model import service_model
from .errors import (
    LookoutVisionError,
    RequestEntityTooLargeException,
    SerializationException,
    UnsupportedMediaTypeException,
)

Response = tuple[int, dict[str, str], str]
ToWire = Callable[[Any], Any]

MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest request body read: above the largest valid one (UpdateDatasetEntries' 10 MiB of
changes, base64-encoded) and DetectAnomalies' 8 MB images, so a larger one is refused unread."""
MAX_NESTING = 512
"""The deepest nesting of arrays and objects in a JSON body: far above the model's deepest shape,
and far enough below Python's recursion limit that nothing done with a value can overflow."""

# Request ids look like AWS's (a UUID); a per-process random prefix and a counter make them unique
# without the cost of a fresh uuid4 per call.
_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_counter = itertools.count(1)
# What is written is built fresh from the shapes, so it can't hold a cycle to look for.
_to_json = json.JSONEncoder(check_circular=False).encode


@dataclass(frozen=True)
class _InputBindings:
    query: tuple[tuple[str, str, str], ...]  # (member, wire name, shape type)
    headers: tuple[tuple[str, str], ...]  # (member, header name)
    body: tuple[tuple[str, ToWire], ...]  # members carried in the JSON body, and their readers
    blobs: frozenset[str]  # JSON body members that are base64-encoded bytes
    payload: str | None  # the member that is the whole raw body (DetectAnomalies' image)


@functools.cache
def _input_bindings(operation: OperationModel) -> _InputBindings:
    shape = operation.input_shape
    query: list[tuple[str, str, str]] = []
    headers: list[tuple[str, str]] = []
    body: list[tuple[str, ToWire]] = []
    blobs: set[str] = set()
    payload = shape.serialization.get("payload") if shape is not None else None
    for name, member in shape.members.items() if shape is not None else ():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "querystring":
            query.append((name, wire_name, member.type_name))
        elif location == "header":
            headers.append((name, wire_name))
        elif location is None and name != payload:
            body.append((name, _known_members(member)))
            if member.type_name == "blob":
                blobs.add(name)
    return _InputBindings(tuple(query), tuple(headers), tuple(body), frozenset(blobs), payload)


def wire_body(body: object) -> bytes | str | None:
    """A prepared request's body as the bytes an HTTP client would send.

    botocore and requests hand a ``before-send`` handler (and moto's callbacks) the body the
    caller passed: ``bytes`` or ``str``, a ``bytearray`` (AWS's own Python SDK for the service
    sends one), a file object, which is sent from where it stands, or (requests) an iterable of
    chunks. Anything else no HTTP client could send: the client fails before a byte goes out.
    """
    if body is None or isinstance(body, bytes | str):
        return body
    read = getattr(body, "read", None)
    if callable(read):
        return _chunk(read(), body)
    if isinstance(body, Iterable) and not isinstance(body, bytearray | memoryview):
        return b"".join(_chunk(chunk, body) for chunk in body)
    return _chunk(body, body)


def _chunk(data: object, body: object) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str):
        return data.encode()
    what = type(body).__name__
    if data is not body:
        what += f" giving {type(data).__name__}"
    raise TypeError(f"a request body can't be a {what}: an HTTP client sends bytes")


def parse_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query_string: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
) -> dict[str, Any]:
    """The operation's input parameters, by member name, as a client would have passed them.

    ``headers`` is read case-insensitively, as botocore's, requests' and werkzeug's headers are.
    """
    if body is not None and len(body) > MAX_BODY_BYTES:
        raise RequestEntityTooLargeException(
            f"Request must be smaller than {MAX_BODY_BYTES} bytes for the {operation.name} "
            "operation"
        )
    bindings = _input_bindings(operation)
    params: dict[str, Any] = dict(labels)
    if bindings.query and query_string:
        query = parse_qs(query_string, keep_blank_values=True)
        for name, wire_name, type_name in bindings.query:
            if wire_name in query:
                params[name] = _from_query(type_name, wire_name, query[wire_name])
    for name, header in bindings.headers:
        value = headers.get(header)
        if value is not None:
            params[name] = header_text(value)
    if bindings.payload is not None:
        params[bindings.payload] = body.encode() if isinstance(body, str) else (body or b"")
    elif bindings.body and body:
        _require_json(headers.get("Content-Type"))
        if _nested_too_deeply(body):
            raise SerializationException("The request body is nested too deeply")
        try:
            document = json.loads(body)
        except ValueError as error:
            raise SerializationException(f"The request body is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise SerializationException("The request body must be a JSON object")
        for name, read in bindings.body:
            if name in document:
                params[name] = read(document[name])
        for name in bindings.blobs & params.keys():
            params[name] = _base64_bytes(name, params[name])
    return params


def header_text(value: str | bytes) -> str:
    """A header's value as text. botocore hands header values on as bytes (the UTF-8 of the text
    it was given), requests as whatever its caller passed; bytes that are no UTF-8 are read one
    character a byte, as a WSGI server reads every header, for validation to judge."""
    if isinstance(value, str):
        return value
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _require_json(content_type: bytes | str | None) -> None:
    """A body read as JSON must say it is (every AWS client sends ``application/json``): a body
    of another media type, or of none, is refused as restJson1 services refuse it."""
    text = None if content_type is None else header_text(content_type)
    media_type = (text or "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        shown = f"not {text}" if text else "and the request has none"
        raise UnsupportedMediaTypeException(
            f"The request body's Content-Type must be application/json, {shown}"
        )


# A JSON value's brackets, and its strings (whose brackets are text), in the order they come.
_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _nested_too_deeply(body: bytes | str) -> bool:
    """Whether the JSON ``body`` nests arrays and objects deeper than ``MAX_NESTING``; read in
    one pass without recursion, so no depth of brackets can overflow the stack."""
    data = body.encode() if isinstance(body, str) else body
    if data.count(b"[") + data.count(b"{") <= MAX_NESTING:
        return False
    depth = 0
    for token in _STRUCTURE.finditer(data):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False


@functools.cache
def _known_members(shape: Shape) -> ToWire:
    """A reader of a JSON value of ``shape`` that leaves out, at every level, the members the
    shape doesn't have, as AWS's front end ignores them: the service never holds (copies, writes,
    compares) a member it doesn't know, however deep it nests. A member sent as JSON null is left
    out too, as the front end reads it: not sent (no handler meets a None where it looks for a
    value or its absence). A value of the wrong type is kept as it is, for validation to refuse."""
    if isinstance(shape, StructureShape):
        readers = {name: _known_members(member) for name, member in shape.members.items()}

        def structure(value: Any) -> Any:
            if not isinstance(value, dict):
                return value
            return {
                name: readers[name](item)
                for name, item in value.items()
                if name in readers and item is not None
            }

        return structure
    if isinstance(shape, ListShape):
        read_item = _known_members(shape.member)
        return lambda value: [read_item(v) for v in value] if isinstance(value, list) else value
    if isinstance(shape, MapShape):
        read_value = _known_members(shape.value)
        return lambda value: (
            {key: read_value(v) for key, v in value.items()} if isinstance(value, dict) else value
        )
    return _identity


def _base64_bytes(name: str, value: Any) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise SerializationException(f"Value of '{name}' is not valid base64") from None


_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def _from_query(type_name: str, wire_name: str, values: list[str]) -> Any:
    if type_name == "list":
        return values
    value = values[-1]
    if type_name == "boolean":
        if value not in ("true", "false"):
            raise SerializationException(
                f"Value '{value}' of query parameter '{wire_name}' is not a boolean"
            )
        return value == "true"
    if type_name == "timestamp":
        try:
            # botocore's parser answers a number past any datetime (1e300, inf) with
            # RuntimeError or OverflowError rather than ValueError.
            return parse_timestamp(value).timestamp()
        except (TypeError, ValueError, OverflowError, OSError, RuntimeError):
            raise SerializationException(
                f"Value '{value}' of query parameter '{wire_name}' is not a timestamp"
            ) from None
    if type_name == "integer":
        # ASCII digits, with a sign as Java's parseInt takes one: Python's int() also takes "1_0",
        # spaces and other scripts' digits (U+0661, an Arabic-Indic one).
        if not _ASCII_INTEGER.fullmatch(value):
            raise SerializationException(
                f"Value '{value}' of query parameter '{wire_name}' is not an integer"
            )
        return int(value)
    return value


def serialize_response(operation: OperationModel, result: Mapping[str, Any]) -> Response:
    shape = operation.output_shape
    status = int(operation.http.get("responseCode", 200))
    if shape is None:
        return status, _base_headers(), "{}"
    return _serialize(shape, result, status, _base_headers())


def serialize_error(error: LookoutVisionError) -> Response:
    headers = _base_headers()
    headers["x-amzn-ErrorType"] = error.code
    shape = _error_shapes().get(error.code)
    if shape is None:
        return error.unmodelled_status, headers, json.dumps({"Message": error.message})
    status = shape.metadata["error"]["httpStatusCode"]
    return _serialize(shape, {"Message": error.message, **error.members}, status, headers)


def _serialize(
    shape: StructureShape, values: Mapping[str, Any], status: int, headers: dict[str, str]
) -> Response:
    for name, header in _header_members(shape):
        if values.get(name) is not None:
            headers[header] = str(values[name])
    return status, headers, _to_json(_to_wire(shape)(values))


@functools.cache
def _error_shapes() -> dict[str, StructureShape]:
    # Error shapes are structures (Message and the error's members); the stubs type them as Shape.
    return {
        shape.name: shape
        for shape in service_model().error_shapes
        if isinstance(shape, StructureShape)
    }


@functools.cache
def _header_members(shape: StructureShape) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, member.serialization.get("name", name))
        for name, member in shape.members.items()
        if member.serialization.get("location") == "header"
    )


def _base_headers() -> dict[str, str]:
    request_id = f"{_REQUEST_ID_PREFIX}{next(_request_counter):012x}"
    return {"Content-Type": "application/json", "x-amzn-RequestId": request_id}


def _identity(value: Any) -> Any:
    return value


def _is_plain(shape: Shape) -> bool:
    return shape.type_name not in ("structure", "list", "map", "timestamp", "blob")


def _timestamp(value: Any) -> float:
    seconds = value.timestamp() if isinstance(value, datetime) else float(value)
    return round(seconds, 3)


@functools.cache
def _to_wire(shape: Shape) -> ToWire:
    """A function writing a value of ``shape`` as JSON-ready data; absent members are left out."""
    # botocore builds a shape of the subclass its type_name names, so isinstance and kind agree.
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        # Scalars other than timestamps are written as they are: no call per member.
        writers = {
            name: None if _is_plain(member) else _to_wire(member)
            for name, member in shape.members.items()
            if member.serialization.get("location") is None
        }

        def structure(value: Mapping[str, Any]) -> dict[str, Any]:
            written = {}
            for name, item in value.items():
                if item is None or name not in writers:
                    continue
                write = writers[name]
                written[name] = item if write is None else write(item)
            return written

        return structure
    if isinstance(shape, ListShape):
        write_item = _to_wire(shape.member)
        return lambda items: [write_item(item) for item in items]
    if isinstance(shape, MapShape):
        write_value = _to_wire(shape.value)
        return lambda mapping: {key: write_value(item) for key, item in mapping.items()}
    if kind == "timestamp":
        return _timestamp
    if kind == "blob":
        return lambda data: base64.b64encode(data).decode()
    return _identity
