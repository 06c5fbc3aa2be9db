"""The REST API as AWS documents it (the CreateModel reference's request and response syntax), over
the mock's server: SigV4-signed requests built with botocore's signer and sent with requests (or,
where requests would rewrite the request, http.client), checked on status codes, headers and JSON
bodies. Unsigned and malformed requests get AWS-shaped JSON 4xx answers and change nothing; each
such case is paired with a valid signed request over the same path that succeeds, so that a
catch-all refusal could not make it pass.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from mock_lookoutvision import make_png
from mock_lookoutvision.serving import ServerHandle

from .server_helpers import (
    ACCOUNT,
    API,
    ERROR_CASES,
    JSON,
    NO_RETRIES,
    OUTPUT,
    PROJECT,
    REGION,
    ErrorCase,
    RawResponse,
    boto3_client,
    expected_headers,
    model_arn,
    raw,
    ready_project,
    seen_in_process,
    signed,
    snapshot,
    tags_path,
    unsigned,
)

MODELS = f"{API}/projects/{PROJECT}/models"
REQUEST_ID = re.compile(r"^[0-9a-f-]{36}$")


@pytest.fixture
def ready(srv: ServerHandle) -> ServerHandle:
    """A project with an imported train dataset and the output bucket."""
    ready_project(srv)
    return srv


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _assert_json_answer(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert REQUEST_ID.match(response.headers["x-amzn-RequestId"])
    return response.json()


# Positive: the documented requests and answers --------------------------------------------------


def test_create_project_answers_200_and_the_project_metadata(srv: ServerHandle) -> None:
    response = signed(srv, "POST", f"{API}/projects", {"ProjectName": PROJECT})

    body = _assert_json_answer(response, 200)
    assert "x-amzn-ErrorType" not in response.headers
    assert set(body) == {"ProjectMetadata"}
    metadata = body["ProjectMetadata"]
    assert set(metadata) == {"ProjectArn", "ProjectName", "CreationTimestamp"}
    assert metadata["ProjectArn"] == f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:project/{PROJECT}"
    assert metadata["ProjectName"] == PROJECT
    # Timestamps are epoch seconds (a JSON number), as the reference's "CreationTimestamp: number".
    assert _number(metadata["CreationTimestamp"])
    assert abs(metadata["CreationTimestamp"] - srv.now().timestamp()) < 60
    listed = boto3_client(srv).list_projects()["Projects"]
    assert [p["ProjectName"] for p in listed] == [PROJECT]


def test_create_model_answers_202_and_the_model_metadata(ready: ServerHandle) -> None:
    # The reference: "HTTP/1.1 202"; the model says so too.
    operation = boto3_client(ready).meta.service_model.operation_model("CreateModel")
    assert (operation.http["method"], operation.http["responseCode"]) == ("POST", 202)

    response = signed(
        ready,
        "POST",
        MODELS,
        {"Description": "first-try", "OutputConfig": OUTPUT},
        {**JSON, "X-Amzn-Client-Token": "token-1"},
    )

    body = _assert_json_answer(response, 202)
    assert set(body) == {"ModelMetadata"}
    metadata = body["ModelMetadata"]
    # No Performance: "Not available until training has successfully completed".
    assert set(metadata) == {
        "CreationTimestamp",
        "Description",
        "ModelArn",
        "ModelVersion",
        "Status",
        "StatusMessage",
    }
    assert metadata["ModelVersion"] == "1"
    assert metadata["ModelArn"] == model_arn("1")
    assert metadata["Description"] == "first-try"
    assert metadata["Status"] == "TRAINING"
    assert isinstance(metadata["StatusMessage"], str)
    assert metadata["StatusMessage"]
    assert _number(metadata["CreationTimestamp"])
    [call] = ready.calls("CreateModel")
    assert (call.parameters["ClientToken"], call.error) == ("token-1", None)


def test_describe_model_over_get_before_and_after_training(ready: ServerHandle) -> None:
    created = signed(ready, "POST", MODELS, {"OutputConfig": OUTPUT}).json()["ModelMetadata"]

    training = _assert_json_answer(signed(ready, "GET", f"{MODELS}/1"), 200)
    assert set(training) == {"ModelDescription"}
    description = training["ModelDescription"]
    assert set(description) == {
        "CreationTimestamp",
        "ModelArn",
        "ModelVersion",
        "OutputConfig",
        "Status",
        "StatusMessage",
    }
    assert description["OutputConfig"] == OUTPUT
    assert description["CreationTimestamp"] == created["CreationTimestamp"]
    assert (description["ModelVersion"], description["Status"]) == ("1", "TRAINING")

    ready.model(PROJECT, "1").training.finish()
    trained = _assert_json_answer(signed(ready, "GET", f"{MODELS}/1"), 200)["ModelDescription"]
    assert trained["Status"] == "TRAINED"
    assert {
        "Performance",
        "EvaluationManifest",
        "EvaluationResult",
        "EvaluationEndTimestamp",
    } <= set(trained)
    assert set(trained["Performance"]) == {"F1Score", "Precision", "Recall"}
    assert all(_number(score) for score in trained["Performance"].values())
    assert set(trained["EvaluationManifest"]) == {"Bucket", "Key"}
    assert trained["EvaluationManifest"]["Bucket"] == OUTPUT["S3Location"]["Bucket"]
    assert _number(trained["EvaluationEndTimestamp"])
    # What boto3 parses from the same server is the same description.
    parsed = boto3_client(ready).describe_model(ProjectName=PROJECT, ModelVersion="1")
    assert parsed["ModelDescription"]["Performance"] == trained["Performance"]
    assert parsed["ModelDescription"]["CreationTimestamp"].timestamp() == pytest.approx(
        trained["CreationTimestamp"]
    )


def test_describe_model_of_a_version_that_does_not_exist_is_404(ready: ServerHandle) -> None:
    response = signed(ready, "GET", f"{MODELS}/7")

    body = _assert_json_answer(response, 404)
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert set(body) == {"Message", "ResourceId", "ResourceType"}
    assert (body["ResourceId"], body["ResourceType"]) == (f"{PROJECT}/7", "MODEL")


def test_the_same_client_token_and_input_replays_the_first_answer(ready: ServerHandle) -> None:
    request = {"Description": "replayed", "OutputConfig": OUTPUT}
    token = {**JSON, "X-Amzn-Client-Token": "retry-me"}

    first = _assert_json_answer(signed(ready, "POST", MODELS, request, token), 202)
    again = _assert_json_answer(signed(ready, "POST", MODELS, request, token), 202)

    assert again == first
    assert [
        m["ModelVersion"] for m in boto3_client(ready).list_models(ProjectName=PROJECT)["Models"]
    ] == ["1"]
    assert [c.error for c in ready.calls("CreateModel")] == [None, None]


def test_the_same_client_token_with_other_input_is_a_conflict(ready: ServerHandle) -> None:
    token = {**JSON, "X-Amzn-Client-Token": "once-only"}
    signed(ready, "POST", MODELS, {"Description": "first", "OutputConfig": OUTPUT}, token)

    response = signed(
        ready, "POST", MODELS, {"Description": "second", "OutputConfig": OUTPUT}, token
    )

    body = _assert_json_answer(response, 409)
    assert response.headers["x-amzn-ErrorType"] == "ConflictException"
    assert set(body) == {"Message", "ResourceId", "ResourceType"}
    assert (body["ResourceId"], body["ResourceType"]) == (f"{PROJECT}/1", "MODEL")
    assert "once-only" in body["Message"]
    models = boto3_client(ready).list_models(ProjectName=PROJECT)["Models"]
    assert [(m["ModelVersion"], m.get("Description")) for m in models] == [("1", "first")]


def test_without_a_client_token_each_request_creates_a_model(ready: ServerHandle) -> None:
    versions = [
        signed(ready, "POST", MODELS, {"OutputConfig": OUTPUT}).json()["ModelMetadata"][
            "ModelVersion"
        ]
        for _ in range(2)
    ]

    assert versions == ["1", "2"]
    # Nothing filled a token in: a plain HTTP client sends none, and the service needs none.
    assert [c.parameters.get("ClientToken") for c in ready.calls("CreateModel")] == [None, None]


def test_an_empty_client_token_header_is_invalid_input(ready: ServerHandle) -> None:
    response = signed(
        ready, "POST", MODELS, {"OutputConfig": OUTPUT}, {**JSON, "X-Amzn-Client-Token": ""}
    )

    _assert_json_answer(response, 400)
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert boto3_client(ready).list_models(ProjectName=PROJECT)["Models"] == []


def test_tags_paths_carry_the_model_arn_as_one_encoded_label(ready: ServerHandle) -> None:
    signed(ready, "POST", MODELS, {"OutputConfig": OUTPUT})
    path = tags_path(model_arn("1"))
    assert "%2F" in path
    assert "%3A" in path

    tagged = signed(
        ready,
        "POST",
        path,
        {"Tags": [{"Key": "stage", "Value": "test"}, {"Key": "team", "Value": "vision"}]},
    )
    assert _assert_json_answer(tagged, 200) == {}

    listed = _assert_json_answer(signed(ready, "GET", path), 200)
    assert set(listed) == {"Tags"}
    assert sorted(listed["Tags"], key=lambda t: t["Key"]) == [
        {"Key": "stage", "Value": "test"},
        {"Key": "team", "Value": "vision"},
    ]

    untagged = signed(ready, "DELETE", f"{path}?tagKeys=stage")
    assert _assert_json_answer(untagged, 200) == {}
    remaining = boto3_client(ready).list_tags_for_resource(ResourceArn=model_arn("1"))["Tags"]
    assert remaining == [{"Key": "team", "Value": "vision"}]


# Negative: unsigned requests --------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A request to send unsigned, then signed, and what the signed one gets."""

    method: str
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    operation: str | None = None  # what the signed request runs (None: no operation)
    signed_status: int = 200


IMAGE = make_png(64, 64)
UNSIGNED_CALLS = {
    "CreateProject": Request("POST", f"{API}/projects", {"ProjectName": "newcomer"}, operation="CreateProject"),
    "ListProjects": Request("GET", f"{API}/projects", operation="ListProjects"),
    "DeleteProject": Request("DELETE", f"{API}/projects/spare", operation="DeleteProject"),
    "CreateModel": Request(
        "POST", MODELS, {"OutputConfig": OUTPUT}, {"X-Amzn-Client-Token": "unsigned-then-signed"},
        operation="CreateModel", signed_status=202,
    ),
    "DescribeModel": Request("GET", f"{MODELS}/1", operation="DescribeModel"),
    "StopModel": Request("POST", f"{MODELS}/1/stop", operation="StopModel", signed_status=202),
    "DetectAnomalies": Request(
        "POST", f"{MODELS}/1/detect", IMAGE, {"Content-Type": "image/png"}, operation="DetectAnomalies"
    ),
    "TagResource": Request(
        "POST", tags_path(model_arn("1")), {"Tags": [{"Key": "k", "Value": "v"}]}, operation="TagResource"
    ),
    "ListTagsForResource": Request("GET", tags_path(model_arn("1")), operation="ListTagsForResource"),
    "UntagResource": Request(
        "DELETE", tags_path(model_arn("1")) + "?tagKeys=stage", operation="UntagResource"
    ),
    # No operation there: signed, the service's own 404; unsigned, the same 403 as anywhere.
    "unknown path": Request("GET", f"{API}/no/such/thing", signed_status=404),
}  # fmt: skip


@pytest.fixture
def hosted(ready: ServerHandle) -> ServerHandle:
    """Model 1 of PROJECT trained, tagged stage=test and hosted; an empty project "spare"."""
    client = boto3_client(ready)
    client.create_model(
        ProjectName=PROJECT, OutputConfig=OUTPUT, Tags=[{"Key": "stage", "Value": "test"}]
    )
    ready.model(PROJECT, "1").training.finish()
    client.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    ready.model(PROJECT, "1").hosting_start.finish()
    client.create_project(ProjectName="spare")
    return ready


@pytest.mark.parametrize("name", UNSIGNED_CALLS)
def test_an_unsigned_request_is_refused_and_changes_nothing(
    hosted: ServerHandle, name: str
) -> None:
    call = UNSIGNED_CALLS[name]
    client = boto3_client(hosted)
    before = snapshot(client)
    answered = len(hosted.calls())

    response = unsigned(hosted, call.method, call.path, call.body, call.headers)

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert response.json() == {"message": "Missing Authentication Token"}
    assert len(hosted.calls()) == answered  # it never reached the service
    assert snapshot(client) == before

    # Positive control: the same request, signed, reaches the service.
    control = signed(hosted, call.method, call.path, call.body, call.headers)
    assert control.status_code == call.signed_status, control.text
    last = hosted.calls()[-1]
    if call.operation is None:
        assert control.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    else:
        assert (last.operation, last.error) == (call.operation, None)


@pytest.mark.parametrize(
    ("authorization", "region", "status", "error_type"),
    [
        ("AWS4-HMAC-SHA256 Signature=deadbeef", None, 400, "IncompleteSignatureException"),
        ("Bearer something", None, 400, "IncompleteSignatureException"),
        (None, "xx-nowhere-1", 403, "InvalidSignatureException"),
    ],
    ids=["no-credential-scope", "not-sigv4", "region-never-offered"],
)
def test_a_badly_signed_request_is_refused_and_changes_nothing(
    ready: ServerHandle,
    authorization: str | None,
    region: str | None,
    status: int,
    error_type: str,
) -> None:
    client = boto3_client(ready)
    before = snapshot(client)
    answered = len(ready.calls())
    body = {"ProjectName": "newcomer"}

    if region is not None:
        response = signed(ready, "POST", f"{API}/projects", body, region=region)
    else:
        response = unsigned(
            ready, "POST", f"{API}/projects", body, {"Authorization": authorization or ""}
        )

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert set(response.json()) == {"message"}
    assert len(ready.calls()) == answered
    assert snapshot(client) == before
    control = signed(ready, "POST", f"{API}/projects", body)
    assert control.status_code == 200


# Negative: malformed requests -------------------------------------------------------------------


@dataclass(frozen=True)
class Garbage:
    """A malformed request and, over the same path, a valid one that succeeds."""

    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] | None = None  # JSON's content type if there is a body
    extra_headers: tuple[tuple[str, str], ...] = ()
    # The valid request: the same method and path unless given; no extra headers unless given.
    control_method: str | None = None
    control_path: str | None = None
    control_body: bytes = b""
    control_extra_headers: tuple[tuple[str, str], ...] = ()
    control_status: int = 200


def _json(value: str) -> bytes:
    return value.encode()


CREATE_BODY = _json('{"ProjectName": "newcomer"}')
MODEL_BODY = _json('{"OutputConfig": {"S3Location": {"Bucket": "lv-results"}}}')
TAGS_BODY = _json('{"Tags": [{"Key": "k", "Value": "v"}]}')
GARBAGE: dict[str, Garbage | tuple[Garbage, str]] = {
    "body not JSON": Garbage("POST", f"{API}/projects", b"{ProjectName: newcomer", control_body=CREATE_BODY),
    "body a JSON array": Garbage("POST", f"{API}/projects", b'["newcomer"]', control_body=CREATE_BODY),
    "body a JSON string": Garbage("POST", f"{API}/projects", b'"newcomer"', control_body=CREATE_BODY),
    "body not UTF-8": Garbage("POST", f"{API}/projects", b'{"ProjectName": "\xff\xfe"}', control_body=CREATE_BODY),
    "member of the wrong type": Garbage("POST", f"{API}/projects", b'{"ProjectName": 7}', control_body=CREATE_BODY),
    "XML body and content type": Garbage(
        "POST", f"{API}/projects", b"<ProjectName>newcomer</ProjectName>", {"Content-Type": "application/xml"},
        control_body=CREATE_BODY,
    ),
    "empty body to CreateProject": Garbage("POST", f"{API}/projects", b"", JSON, control_body=CREATE_BODY),
    "empty body to CreateModel": Garbage("POST", MODELS, b"", JSON, control_body=MODEL_BODY, control_status=202),
    "empty body to TagResource": Garbage("POST", tags_path(model_arn("1")), b"", JSON, control_body=TAGS_BODY),
    "unknown path": Garbage("GET", f"{API}/nothing", control_path=f"{API}/projects"),
    "API version alone": Garbage("GET", f"{API}/", control_path=f"{API}/projects"),
    "unknown path below a model": Garbage("GET", f"{MODELS}/1/explode", control_path=f"{MODELS}/1"),
    "known path, other method": Garbage("PUT", f"{API}/projects", control_method="GET"),
    "method TRACE": Garbage("TRACE", f"{API}/projects", control_method="GET"),
    "method FOO": Garbage("FOO", f"{API}/projects", control_method="GET"),
    "bad percent-escape in a label": Garbage(
        "GET", f"{API}/projects/wid%zzgets", control_path=f"{API}/projects/{PROJECT}"
    ),
    "percent-escape of no UTF-8 text": Garbage(
        "GET", f"{API}/projects/%E2%28%A1", control_path=f"{API}/projects/{PROJECT}"
    ),
    "bad percent-escape in an ARN": Garbage(
        "GET", tags_path(model_arn("1")).replace("%3A", "%3", 1), control_path=tags_path(model_arn("1"))
    ),
    "JSON array, with a header of 60 000 bytes": Garbage(
        "POST", f"{API}/projects", b"[]", extra_headers=(("X-Padding", "p" * 60_000),),
        control_body=CREATE_BODY, control_extra_headers=(("X-Padding", "p" * 60_000),),
    ),
    # Answered by Python's http.server (under werkzeug's) before the request reaches the
    # application: JSON there too.
    "header of 70 000 bytes": Garbage(
        "POST", f"{API}/projects", CREATE_BODY, extra_headers=(("X-Padding", "p" * 70_000),),
        control_body=CREATE_BODY,
    ),
    "150 headers": Garbage(
        "POST", f"{API}/projects", CREATE_BODY,
        extra_headers=tuple((f"X-Extra-{n}", "x") for n in range(150)), control_body=CREATE_BODY,
    ),
    "request line of 70 000 bytes": Garbage(
        "GET", f"{API}/projects/{'a' * 70_000}", control_path=f"{API}/projects/{PROJECT}"
    ),
    # Once bugs of the mock (issue 11): a RecursionError, and a body taken whatever its type.
    "JSON nested 100 000 deep": Garbage(
        "POST", f"{API}/projects", b'{"ProjectName": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        control_body=CREATE_BODY,
    ),
    "JSON body sent as text/plain": Garbage(
        "POST", f"{API}/projects", CREATE_BODY, {"Content-Type": "text/plain"},
        control_body=CREATE_BODY,
    ),
    "JSON body sent with no Content-Type": Garbage(
        "POST", f"{API}/projects", CREATE_BODY, {}, control_body=CREATE_BODY
    ),
}  # fmt: skip


@pytest.fixture
def with_a_model(ready: ServerHandle) -> ServerHandle:
    """Model 1 of PROJECT, trained and tagged stage=test."""
    client = boto3_client(ready)
    client.create_model(
        ProjectName=PROJECT, OutputConfig=OUTPUT, Tags=[{"Key": "stage", "Value": "test"}]
    )
    ready.model(PROJECT, "1").training.finish()
    return ready


def _content_type(body: bytes) -> dict[str, str]:
    return dict(JSON) if body else {}


def _assert_refused_as_json(response: RawResponse) -> dict[str, Any]:
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    assert response.headers["content-type"] == "application/json", response.body[:300]
    body = response.json()
    assert isinstance(body, dict)
    assert response.headers["x-amzn-errortype"]
    message = body.get("Message", body.get("message"))
    assert isinstance(message, str)
    assert message
    return body


def _cases(cases: dict[str, Garbage | tuple[Garbage, str]]) -> list[Any]:
    """Parameters named by their keys; a case given with a reason is a mock bug, xfail."""
    return [
        pytest.param(case[0], id=name, marks=pytest.mark.xfail(strict=True, reason=case[1]))
        if isinstance(case, tuple)
        else pytest.param(case, id=name)
        for name, case in cases.items()
    ]


@pytest.mark.parametrize("garbage", _cases(GARBAGE))
def test_a_malformed_request_gets_a_json_4xx_and_changes_nothing(
    with_a_model: ServerHandle, garbage: Garbage
) -> None:
    srv = with_a_model
    client = boto3_client(srv)
    before = snapshot(client)
    succeeded = [c for c in srv.calls() if c.error is None]

    headers = garbage.headers if garbage.headers is not None else _content_type(garbage.body)
    response = raw(
        srv, garbage.method, garbage.path, garbage.body, headers,
        extra_headers=garbage.extra_headers,
    )  # fmt: skip

    _assert_refused_as_json(response)
    assert [c for c in srv.calls() if c.error is None] == succeeded
    assert snapshot(client) == before

    # Positive control: a valid signed request over the same path (the same way of sending).
    control = raw(
        srv,
        garbage.control_method or garbage.method,
        garbage.control_path or garbage.path,
        garbage.control_body,
        _content_type(garbage.control_body),
        extra_headers=garbage.control_extra_headers,
    )
    assert control.status == garbage.control_status, control.body[:300]
    assert control.headers["content-type"] == "application/json"
    assert "x-amzn-errortype" not in control.headers


# All clients see the same errors ----------------------------------------------------------------


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.name for c in ERROR_CASES])
def test_rest_boto3_and_the_in_process_mock_see_the_same_error(
    lv_server: ServerHandle, case: ErrorCase
) -> None:
    in_process = seen_in_process(case)

    lv_server.reset()
    client = boto3_client(lv_server, config=NO_RETRIES)
    case.prepare(lv_server, client)
    over_the_server = case.call(client)

    lv_server.reset()
    case.prepare(lv_server, boto3_client(lv_server))
    on_the_wire = case.rest(lv_server)

    assert on_the_wire == over_the_server == in_process
    assert (on_the_wire.code, on_the_wire.status) == (case.code, case.status)
    assert on_the_wire.members == case.members
    assert on_the_wire.headers == expected_headers(case)
    assert on_the_wire.message


def test_what_the_http_layer_refuses_is_json_with_a_code_made_of_its_phrase(
    ready: ServerHandle,
) -> None:
    response = raw(ready, "GET", f"{API}/projects/{'a' * 70_000}")
    assert response.status == 414
    assert response.headers["x-amzn-errortype"] == "RequestUriTooLong"
    assert response.json() == {"message": "Request-URI Too Long"}
