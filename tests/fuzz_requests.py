"""Hypothesis strategies for malformed requests of all 22 operations, built from the shipped model.

Each operation has one valid request against the fuzz state (``VALID``; a project with an imported
train dataset, a trained model with tags, a hosted model and a packaging job). A generated request
starts from it and is mutated: at the level of its members (a required one dropped, unknown ones
added, wrong JSON types, edge-case and oversized strings, deep nesting, bad numbers and tokens), at
the level of the wire (broken, truncated and non-UTF-8 JSON, bodies that are no object, wrong or
missing Content-Type, another method, odd paths, odd encodings of the ARN in the tags path), or
both. ``encode`` writes members onto the wire by the model's HTTP bindings, written here from the
model rather than taken from the mock's own serializer, so the two can disagree.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from botocore import xform_name
from botocore.model import OperationModel, Shape, StructureShape
from hypothesis import strategies as st

from mock_lookoutvision import make_png
from mock_lookoutvision.api_model import API_VERSION, service_model

API = f"/{API_VERSION}"
REGION = "us-east-1"
ACCOUNT = "123456789012"
PROJECT = "widgets"
TRAINED = "1"  # trained, tagged, packaged
HOSTED = "2"  # trained and hosted
JOB = "edge-1"
IMAGES_BUCKET = "lv-images"
OUTPUT_BUCKET = "lv-results"
COMPONENTS_BUCKET = "lv-components"
MODEL_ARN = f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:model/{PROJECT}/{TRAINED}"
OUTPUT = {"S3Location": {"Bucket": OUTPUT_BUCKET, "Prefix": "training/"}}
GREENGRASS = {
    "Greengrass": {
        "TargetPlatform": {"Os": "LINUX", "Arch": "X86_64"},
        "S3OutputLocation": {"Bucket": COMPONENTS_BUCKET, "Prefix": "edge/"},
        "ComponentName": "widget-inspector",
    }
}
IMAGE = make_png(64, 64)
CHANGE = {
    "source-ref": f"s3://{IMAGES_BUCKET}/{PROJECT}/train/normal-0.png",
    "anomaly-label": 0,
    "anomaly-label-metadata": {
        "class-name": "normal",
        "human-annotated": "yes",
        "type": "groundtruth/image-classification",
    },
}

MODEL = service_model()
OPERATIONS: dict[str, OperationModel] = {
    name: MODEL.operation_model(name) for name in MODEL.operation_names
}

# One valid request per operation against the fuzz state: each is accepted as it stands (a test
# checks it), so what a mutation does is all that makes a generated request bad.
VALID: dict[str, dict[str, Any]] = {
    "CreateDataset": {
        "ProjectName": PROJECT,
        "DatasetType": "test",
        "DatasetSource": {
            "GroundTruthManifest": {
                "S3Object": {"Bucket": IMAGES_BUCKET, "Key": f"{PROJECT}/train.manifest"}
            }
        },
    },
    "CreateModel": {
        "ProjectName": PROJECT,
        "OutputConfig": OUTPUT,
        "Description": "fuzzed",
        "Tags": [{"Key": "team", "Value": "qa"}],
    },
    "CreateProject": {"ProjectName": "fuzzed"},
    "DeleteDataset": {"ProjectName": PROJECT, "DatasetType": "train"},
    "DeleteModel": {"ProjectName": PROJECT, "ModelVersion": TRAINED},
    # Refused while the project has models (a ConflictException): its valid form is checked on an
    # empty project by the positive control.
    "DeleteProject": {"ProjectName": PROJECT},
    "DescribeDataset": {"ProjectName": PROJECT, "DatasetType": "train"},
    "DescribeModel": {"ProjectName": PROJECT, "ModelVersion": TRAINED},
    "DescribeModelPackagingJob": {"ProjectName": PROJECT, "JobName": JOB},
    "DescribeProject": {"ProjectName": PROJECT},
    "DetectAnomalies": {
        "ProjectName": PROJECT,
        "ModelVersion": HOSTED,
        "Body": IMAGE,
        "ContentType": "image/png",
    },
    "ListDatasetEntries": {
        "ProjectName": PROJECT,
        "DatasetType": "train",
        "Labeled": True,
        "AnomalyClass": "normal",
        "BeforeCreationDate": 4102444800,  # 2100-01-01
        "AfterCreationDate": 0,
        "MaxResults": 5,
        "SourceRefContains": "normal",
    },
    "ListModelPackagingJobs": {"ProjectName": PROJECT, "MaxResults": 5},
    "ListModels": {"ProjectName": PROJECT, "MaxResults": 5},
    "ListProjects": {"MaxResults": 5},
    "ListTagsForResource": {"ResourceArn": MODEL_ARN},
    "StartModel": {
        "ProjectName": PROJECT,
        "ModelVersion": TRAINED,
        "MinInferenceUnits": 1,
        "MaxInferenceUnits": 2,
    },
    "StartModelPackagingJob": {
        "ProjectName": PROJECT,
        "ModelVersion": TRAINED,
        "JobName": "edge-2",
        "Configuration": {"Greengrass": {**GREENGRASS["Greengrass"], "ComponentVersion": "1.0.1"}},
        "Description": "fuzzed",
    },
    "StopModel": {"ProjectName": PROJECT, "ModelVersion": HOSTED},
    "TagResource": {"ResourceArn": MODEL_ARN, "Tags": [{"Key": "team", "Value": "qa"}]},
    "UntagResource": {"ResourceArn": MODEL_ARN, "TagKeys": ["stage"]},
    "UpdateDatasetEntries": {
        "ProjectName": PROJECT,
        "DatasetType": "train",
        "Changes": (json.dumps(CHANGE) + "\n").encode(),
    },
}

# The operations that change nothing when they succeed.
READ_ONLY = frozenset(
    name
    for name in OPERATIONS
    if name.startswith(("Describe", "List")) or name == "DetectAnomalies"
)


# Values -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deep:
    """A value nested ``depth`` levels deep; JSON text is written for it by hand (``json.dumps``
    itself overflows the stack long before 5,000 levels)."""

    depth: int
    kind: str  # "list" or "object"

    def text(self) -> str:
        if self.kind == "list":
            return "[" * self.depth + "]" * self.depth
        return '{"a":' * self.depth + "1" + "}" * self.depth

    def value(self) -> Any:
        """The same as a Python value (for boto3: botocore serializes it, or fails to)."""
        built: Any = 1 if self.kind == "object" else []
        for _ in range(self.depth - (self.kind == "list")):
            built = {"a": built} if self.kind == "object" else [built]
        return built


EDGE_STRINGS = [
    "",
    " ",
    "\x00",
    "widgets\x00",
    "\u202ewidgets",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\ufeff",
    "\ud800",  # lone surrogates: \ud800 escapes in JSON
    "\udfff",
    "a\udbffb",
    "\U0001f600",
    "e\u0301",
    "\uffff",
    "\u0661",
    "..",
    "../widgets",
    "a/b",
    "%2F",
    "%",
    "\\",
    "'\"",
    "\r\n",
    "\t",
    "null",
    "true",
    "-1",
    "1e400",
]
# Every code point, surrogates included (st.text() leaves them out by default).
_ANY_CHARACTER = st.characters(codec=None, categories=None)
OVERSIZED_LENGTHS = [64, 65, 100, 129, 256, 257, 1025, 2049, 65_537]

edge_strings: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(EDGE_STRINGS),
    st.text(_ANY_CHARACTER, max_size=20),
    st.builds(
        lambda char, length: char * length,
        st.sampled_from(["a", "\u00e9", "\U0001f600", "\ud800", "\x00", " "]),
        st.sampled_from(OVERSIZED_LENGTHS),
    ),
)
bad_numbers = st.sampled_from(
    [
        0,
        -1,
        -(2**31) - 1,
        2**31,
        2**63,
        10**30,
        1.5,
        -0.0,
        1e300,
        math.inf,
        math.nan,
        True,
        "5",
        None,
    ]
)
bad_tokens = st.one_of(
    st.sampled_from(
        [
            "",
            "x",
            "====",
            "AAAA",
            base64.b64encode(b"\xff\xfe\x00").decode(),
            base64.b64encode(b'{"offset": -1}').decode(),
            base64.b64encode(b"ListModels|999999").decode(),
            "ListProjects|abc",
            "eyJ" * 400,
        ]
    ),
    edge_strings,
)
deep_values = st.builds(
    Deep, st.sampled_from([2, 64, 999, 1001, 2000, 5000]), st.sampled_from(["list", "object"])
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    edge_strings,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(edge_strings, inner, max_size=3)
    ),
    max_leaves=6,
)


def _other_type(value: Any) -> st.SearchStrategy[Any]:
    """A JSON value of another type than ``value``'s."""
    choices: list[st.SearchStrategy[Any]] = [st.none(), deep_values]
    if not isinstance(value, bool):
        choices.append(st.booleans())
    if not isinstance(value, int) or isinstance(value, bool):
        choices.append(st.integers(-5, 5))
    if not isinstance(value, float):
        choices.append(st.floats(allow_nan=True))
    if not isinstance(value, str | bytes):
        choices.append(edge_strings)
    if not isinstance(value, list):
        choices.append(st.lists(json_scalars, max_size=2))
    if not isinstance(value, dict):
        choices.append(st.dictionaries(st.sampled_from(["a", "Key", "Bucket"]), json_scalars))
    return st.one_of(choices)


# Requests ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as a client would send it; ``mutations`` says what was done to it."""

    method: str
    path: str  # percent-encoded, ASCII
    query: str
    headers: dict[str, str]
    body: bytes
    operation: str | None
    mutations: tuple[str, ...] = field(default=())

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    def but(self, mutation: str, **changes: Any) -> Request:
        return replace(self, mutations=(*self.mutations, mutation), **changes)


def _placeholder(number: int) -> str:
    return f"@@deep-{number}@@"


def json_text(value: Any, *, ascii_only: bool = True) -> str:
    """``value`` as JSON text, with ``Deep`` values written out in full."""
    deep: list[Deep] = []

    def swap(item: Any) -> Any:
        if isinstance(item, Deep):
            deep.append(item)
            return _placeholder(len(deep) - 1)
        if isinstance(item, dict):
            return {key: swap(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [swap(inner) for inner in item]
        if isinstance(item, bytes):
            return base64.b64encode(item).decode()
        return item

    text = json.dumps(swap(value), ensure_ascii=ascii_only)
    for number, item in enumerate(deep):
        text = text.replace(json.dumps(_placeholder(number)), item.text(), 1)
    return text


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Deep):
        return value.text()[:64]
    return str(value)


def header_value(text: str) -> str:
    """``text`` as an HTTP client can send it in a header: its UTF-8 bytes (as the latin-1
    characters http.client and requests write them as), without the line breaks and NULs no
    client sends and the leading whitespace HTTP strips."""
    sent = _bytes(text).decode("latin-1")
    return "".join(c for c in sent if c not in "\r\n\x00").lstrip()


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def encode(operation_name: str, params: dict[str, Any], *, ascii_json: bool = True) -> Request:
    """``params`` on the wire by the operation's HTTP bindings: URI labels percent-encoded whole
    (``/`` and ``:`` too), query strings, headers, a JSON body or the raw payload."""
    operation = OPERATIONS[operation_name]
    shape = operation.input_shape
    members = shape.members if isinstance(shape, StructureShape) else {}
    payload = shape.serialization.get("payload") if shape is not None else None
    path = operation.http["requestUri"].split("?")[0]
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    raw_payload: bytes | None = None
    for name, value in params.items():
        member = members.get(name)
        location = member.serialization.get("location") if member is not None else None
        wire = member.serialization.get("name", name) if member is not None else name
        if location == "uri":
            label = value if isinstance(value, str) else _query_value(value)
            path = path.replace("{" + wire + "}", quote(_bytes(label), safe=""))
        elif location == "querystring":
            items = value if isinstance(value, list) else [value]
            query.extend((wire, _query_value(item)) for item in items)
        elif location == "header":
            headers[wire] = header_value(_query_value(value))
        elif name == payload:
            raw_payload = value if isinstance(value, bytes) else _bytes(_query_value(value))
        else:
            body[name] = value
    if raw_payload is not None:
        data = raw_payload
    elif body or any(
        m.serialization.get("location") is None and n != payload for n, m in members.items()
    ):
        data = _bytes(json_text(body, ascii_only=ascii_json))
        headers.setdefault("Content-Type", "application/json")
    else:
        data = b""
    encoded_query = "&".join(
        f"{quote(_bytes(k), safe='')}={quote(_bytes(v), safe='')}" for k, v in query
    )
    method = operation.http["method"]
    return Request(method, path, encoded_query, headers, data, operation_name)


# Mutations of members -------------------------------------------------------------------------


def _members(operation_name: str) -> dict[str, Shape]:
    shape = OPERATIONS[operation_name].input_shape
    return dict(shape.members) if isinstance(shape, StructureShape) else {}


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every member path into a value made of dicts (list items are left alone)."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((*prefix, key))
            found.extend(_paths(inner, (*prefix, key)))
    return found


def _set(value: dict[str, Any], path: tuple[str, ...], new: Any) -> dict[str, Any]:
    copy = dict(value)
    if len(path) == 1:
        copy[path[0]] = new
    else:
        copy[path[0]] = _set(copy[path[0]], path[1:], new)
    return copy


def _drop(value: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    copy = dict(value)
    if len(path) == 1:
        copy.pop(path[0], None)
    else:
        copy[path[0]] = _drop(copy[path[0]], path[1:])
    return copy


def _get(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def mutated_params(
    draw: st.DrawFn, operation_name: str, *, top_level_unknowns: bool = True
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The operation's valid members, mutated one to three times; what was done. Without
    ``top_level_unknowns`` no unknown member is added beside the input's own (boto3 can't send
    one: its serializer fails on it before anything is sent)."""
    params = dict(VALID[operation_name])
    done: list[str] = []
    members = _members(operation_name)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(params)
        kind = draw(
            st.sampled_from(
                ["drop", "unknown", "wrong type", "edge string", "null", "number", "token"]
            )
        )
        if kind == "drop" and paths:
            path = draw(st.sampled_from(paths))
            params = _drop(params, path)
        elif kind == "unknown":
            container = draw(
                st.sampled_from([(), *(p for p in paths if isinstance(_get(params, p), dict))])
            )
            name = draw(st.one_of(st.sampled_from(["X", "projectName", "Extra"]), edge_strings))
            if not container and not top_level_unknowns:
                continue
            values = st.one_of(json_values, deep_values)
            params = (
                _set(params, (*container, name), draw(values))
                if container
                else {
                    **params,
                    name: draw(values),
                }
            )
        elif kind == "wrong type" and paths:
            path = draw(st.sampled_from(paths))
            params = _set(params, path, draw(_other_type(_get(params, path))))
        elif kind == "edge string" and paths:
            path = draw(st.sampled_from(paths))
            params = _set(params, path, draw(edge_strings))
        elif kind == "null" and paths:
            params = _set(params, draw(st.sampled_from(paths)), None)
        elif kind == "number":
            numeric = [n for n, m in members.items() if m.type_name in ("integer", "timestamp")]
            if not numeric:
                continue
            params = {**params, draw(st.sampled_from(numeric)): draw(bad_numbers)}
        elif kind == "token":
            if "NextToken" in members:
                params = {**params, "NextToken": draw(bad_tokens)}
            elif "ClientToken" in members:
                params = {**params, "ClientToken": draw(bad_tokens)}
            else:
                continue
        else:
            continue
        done.append(kind)
    return params, tuple(done)


# Mutations on the wire ------------------------------------------------------------------------

NON_UTF8 = [b"\xff", b"\xfe\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xf5\x80\x80\x80"]
BROKEN_JSON = [
    b"",
    b"{",
    b"}",
    b"{]",
    b"[]",
    b"1",
    b'"x"',
    b"null",
    b"true",
    b"{'a': 1}",
    b'{"a":}',
    b'{"ProjectName": "a" "b"}',
    b'{"ProjectName": "\\ud800"}',
    b'{"ProjectName": "\\udfff\\ud800"}',
    b'{"ProjectName": "\\u0000"}',
    b'{"ProjectName": "\\x"}',
    b'{"ProjectName": NaN}',
    b'{"ProjectName": 1e99999}',
    b'{"a": 1, "a": 2}',
    b"\xef\xbb\xbf{}",
    b"\x00",
    b"{}" + b" " * 10_000,
    b"{}garbage",
]
CONTENT_TYPES = [
    None,
    "text/plain",
    "application/x-amz-json-1.1",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin-1",
    "application/json; charset=utf-16",
    "image/png",
    "image/gif",
    "",
    ";;;",
    "application/json\u00e9",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
# Methods moto's responses mock registers no callback for (issue 11's R4 answers them in-process).
EXOTIC_METHODS = ["TRACE", "FOO", "CONNECT", "PROPFIND", "get"]
# x-moto-account-id values: none is an account but the default and another 12-digit one.
ACCOUNT_HEADERS = ["", "../x", "12345678901", "1234567890123", "12345678901a", " 123456789012"]
ACCOUNT_HEADERS += ["\u0661" * 12, "123456789012\x00", "-23456789012", ACCOUNT, "000000000000"]


def arn_encodings(arn: str) -> st.SearchStrategy[str]:
    """Ways to write an ARN as the tags path's label, right and wrong."""

    def every_character(text: str) -> str:
        return "".join(f"%{byte:02X}" for byte in text.encode())

    forms = [
        quote(arn, safe=""),
        quote(arn, safe="").lower(),
        quote(arn, safe=":"),
        quote(arn, safe="/"),  # raw slashes: extra path segments
        quote(quote(arn, safe=""), safe=""),  # encoded twice
        every_character(arn),
        quote(arn, safe="").replace("%3A", "%3a", 1),
        quote(arn, safe="").replace("%2F", "%2", 1),
        quote(arn, safe="").replace("%2F", "%zz", 1),
        quote(arn, safe="") + "%",
        quote(arn, safe="") + "%00",
        quote(arn, safe="").replace("%2F", "%C0%AF", 1),  # an overlong slash
        quote(arn, safe="") + "%FF",
        quote(arn, safe="") + "%ED%A0%80",  # an encoded surrogate
        quote(arn + "\u202e", safe=""),
        quote(arn, safe="") + "%20",
        "%20" + quote(arn, safe=""),
        quote(arn.upper(), safe=""),
        quote(arn.replace(REGION, "eu-west-1"), safe=""),
        quote(arn.replace(ACCOUNT, "000000000000"), safe=""),
        quote(arn.replace(f"/{TRAINED}", "/999"), safe=""),
        quote(arn.replace(f"model/{PROJECT}/{TRAINED}", f"project/{PROJECT}"), safe=""),
        quote(arn.replace("arn:aws:", "arn:aws-cn:"), safe=""),
        "",
        ".",
        "..",
    ]
    return st.sampled_from(forms)


@st.composite
def on_the_wire(draw: st.DrawFn, request: Request, *, exotic_methods: bool = True) -> Request:
    """``request`` mutated on the wire, zero to two times."""
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(
            st.sampled_from(
                ["body", "non-utf8", "truncate", "content type", "method", "path", "arn", "account"]
            )
        )
        if kind == "body":
            request = request.but(
                kind, body=draw(st.one_of(st.sampled_from(BROKEN_JSON), _deep_text()))
            )
        elif kind == "non-utf8" and request.body:
            at = draw(st.integers(0, len(request.body)))
            bad = draw(st.sampled_from(NON_UTF8))
            request = request.but(kind, body=request.body[:at] + bad + request.body[at:])
        elif kind == "truncate" and request.body:
            at = draw(st.integers(0, len(request.body) - 1))
            request = request.but(kind, body=request.body[:at])
        elif kind == "content type":
            headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
            content_type = draw(st.sampled_from(CONTENT_TYPES))
            if content_type is not None:
                headers["Content-Type"] = header_value(content_type)
            request = request.but(kind, headers=headers)
        elif kind == "method":
            methods = METHODS + (EXOTIC_METHODS if exotic_methods else [])
            request = request.but(kind, method=draw(st.sampled_from(methods)))
        elif kind == "path":
            request = request.but(kind, path=draw(_odd_path(request.path)))
        elif kind == "account":
            account = header_value(draw(st.sampled_from(ACCOUNT_HEADERS)))
            request = request.but(kind, headers={**request.headers, "x-moto-account-id": account})
        elif kind == "arn" and "/tags/" in request.path:
            label = draw(arn_encodings(MODEL_ARN))
            request = request.but(kind, path=f"{API}/tags/{label}")
    return request


def _deep_text() -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda deep, wrapped: (
            f'{{"ProjectName": {deep.text()}}}' if wrapped else deep.text()
        ).encode(),
        deep_values,
        st.booleans(),
    )


def _odd_path(path: str) -> st.SearchStrategy[str]:
    segments = path.split("/")
    forms = [
        path + "/",
        path + "//",
        path.replace("/", "//", 2),
        path.upper(),
        path + "/extra",
        "/".join(segments[:-1]) or "/",
        path.replace(API, "/2019-01-01"),
        path.replace(API, ""),
        path + "/..",
        path.replace("/projects", "/projects/.", 1),
        path.replace("/projects", "/%70rojects", 1),
        path + "%2F",
        path + ";x=1",
    ]
    return st.sampled_from(forms)


@st.composite
def operation_requests(draw: st.DrawFn, *, exotic_methods: bool = True) -> Request:
    """A mutated request of any of the 22 operations."""
    operation_name = draw(st.sampled_from(sorted(OPERATIONS)))
    params, done = draw(mutated_params(operation_name))
    request = encode(operation_name, params, ascii_json=draw(st.booleans()))
    request = replace(request, mutations=done)
    return draw(on_the_wire(request, exotic_methods=exotic_methods))


@st.composite
def unknown_routes(draw: st.DrawFn, *, exotic_methods: bool = True) -> Request:
    """A method and path that may name no operation at all."""
    literals = ["projects", "models", "datasets", "tags", "entries", "detect", "start", "stop"]
    literals += ["modelpackagingjobs", PROJECT, TRAINED, "train", "", "..", "%2F", "%00"]
    segment = st.one_of(
        st.sampled_from(literals),
        st.text(st.characters(codec="ascii", exclude_characters="/?#%"), max_size=12),
    )
    prefix = draw(st.sampled_from([API, "", "/2020-11-21", "/_mock_lookoutvision_x", "/moto"]))
    segments = draw(st.lists(segment, max_size=6))
    path = prefix + "/" + "/".join(quote(s, safe="%") for s in segments)
    methods = METHODS + (EXOTIC_METHODS if exotic_methods else [])
    method = draw(st.sampled_from(methods))
    body = draw(st.one_of(st.just(b""), st.sampled_from(BROKEN_JSON)))
    headers = {"Content-Type": "application/json"} if body else {}
    return Request(method, path, "", headers, body, None, ("route",))


def requests_(*, exotic_methods: bool = True) -> st.SearchStrategy[Request]:
    """What the raw-HTTP tests send: mostly mutated operation requests, some unknown routes."""
    return st.one_of(
        operation_requests(exotic_methods=exotic_methods),
        operation_requests(exotic_methods=exotic_methods),
        operation_requests(exotic_methods=exotic_methods),
        unknown_routes(exotic_methods=exotic_methods),
    )


@st.composite
def boto3_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """A client method name and its mutated parameters (``python_value`` makes them what boto3
    is given: deep values are drawn as ``Deep``, which Hypothesis can print)."""
    operation_name = draw(st.sampled_from(sorted(OPERATIONS)))
    params, done = draw(mutated_params(operation_name, top_level_unknowns=False))
    return xform_name(operation_name), params, done


def python_value(value: Any) -> Any:
    """``value`` with each ``Deep`` made the nested Python value it stands for."""
    if isinstance(value, Deep):
        return value.value()
    if isinstance(value, dict):
        return {key: python_value(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [python_value(inner) for inner in value]
    return value
