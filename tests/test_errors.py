"""The seven errors of the API reach botocore as the real service sends them."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_lookoutvision import (
    AccessDeniedException,
    ConflictException,
    ControlError,
    InternalServerException,
    LookoutVisionError,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ThrottlingException,
    ValidationException,
)
from mock_lookoutvision.protocol import MAX_BODY_BYTES, MAX_NESTING

from .conftest import OUTPUT, PROJECT, model_versions

CASES: list[tuple[LookoutVisionError, int, dict[str, Any]]] = [
    (AccessDeniedException("Not allowed."), 403, {}),
    (ConflictException("Busy.", resource_id="widgets/1", resource_type="MODEL"), 409,
     {"ResourceId": "widgets/1", "ResourceType": "MODEL"}),
    (InternalServerException("Oops.", retry_after_seconds=7), 500, {"RetryAfterSeconds": 7}),
    (ResourceNotFoundException("Gone.", resource_id="widgets", resource_type="PROJECT"), 404,
     {"ResourceId": "widgets", "ResourceType": "PROJECT"}),
    (ServiceQuotaExceededException("Too many.", quota_code="L-1234", service_code="lookoutvision",
                                   resource_id="widgets", resource_type="PROJECT"), 402,
     {"QuotaCode": "L-1234", "ServiceCode": "lookoutvision", "ResourceId": "widgets"}),
    (ThrottlingException("Slow down.", quota_code="L-5", service_code="lookoutvision",
                         retry_after_seconds=3), 429,
     {"QuotaCode": "L-5", "ServiceCode": "lookoutvision", "RetryAfterSeconds": 3}),
    (ValidationException("Bad input."), 400, {}),
]  # fmt: skip


@pytest.fixture
def single_attempt_client(lookoutvision_mock: Any) -> Any:
    """No retries, so that throttling and server errors are seen as they are sent."""
    return boto3.client(
        "lookoutvision",
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


@pytest.mark.parametrize(("error", "status", "members"), CASES, ids=[c[0].code for c in CASES])
def test_each_error_is_modelled_exception_with_its_members(
    single_attempt_client: Any,
    lookoutvision_mock: Any,
    project: str,
    error: LookoutVisionError,
    status: int,
    members: dict[str, Any],
) -> None:
    lookoutvision_mock.inject_error("CreateModel", error)
    exception_class = getattr(single_attempt_client.exceptions, error.code)
    with pytest.raises(exception_class) as excinfo:
        single_attempt_client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)
    response = excinfo.value.response
    assert response["Error"] == {"Code": error.code, "Message": error.message}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == error.code
    for name, value in members.items():
        assert response[name] == value
    if "RetryAfterSeconds" in members:
        assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == str(
            members["RetryAfterSeconds"]
        )
    assert model_versions(single_attempt_client) == []
    # Injected errors are used up: the next call runs, and creates the project's first model.
    created = single_attempt_client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (created["ModelMetadata"]["ModelVersion"], created["ModelMetadata"]["Status"]) == (
        "1",
        "TRAINING",
    )
    assert model_versions(single_attempt_client) == ["1"]


@pytest.mark.lookoutvision(instant_sleep=True)  # botocore's back-off takes simulated time
def test_botocore_retries_throttling_through_to_success(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    lookoutvision_mock.inject_error("CreateModel", ThrottlingException("Slow down."), times=2)
    before = lookoutvision_mock.now()
    created = lookoutvision_client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)
    assert created["ResponseMetadata"]["RetryAttempts"] == 2
    assert lookoutvision_mock.now() > before
    assert model_versions(lookoutvision_client) == ["1"]


def test_injected_errors_apply_to_their_operation_only(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    lookoutvision_mock.inject_error("DeleteProject", AccessDeniedException("No."))
    assert lookoutvision_client.list_projects()["Projects"]
    with pytest.raises(ClientError, match="AccessDenied"):
        lookoutvision_client.delete_project(ProjectName=PROJECT)


def test_unknown_operation_names_are_refused(lookoutvision_mock: Any) -> None:
    with pytest.raises(ControlError, match="CreateWidget is not an operation of lookoutvision"):
        lookoutvision_mock.inject_error("CreateWidget", AccessDeniedException("No."))


def test_json_nested_too_deeply_is_a_serialization_exception_that_changes_nothing(
    lookoutvision_mock: Any, lookoutvision_client: Any
) -> None:
    nested = '{"ProjectName": ' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = requests.post(
        "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects",
        data=nested,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"].startswith("SerializationException")
    assert answer.json()["Message"] == "The request body is nested too deeply"
    assert lookoutvision_client.list_projects()["Projects"] == []
    assert [c.error for c in lookoutvision_mock.calls()] == ["SerializationException", None]


PROJECTS_URL = "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"


def _post_projects(body: str | bytes) -> requests.Response:
    return requests.post(
        PROJECTS_URL, data=body, headers={"Content-Type": "application/json"}, timeout=30
    )


def test_nesting_is_limited_before_the_body_is_read(
    lookoutvision_mock: Any, lookoutvision_client: Any
) -> None:
    def nested(depth: int) -> str:  # an object holding arrays: ``depth`` levels in all
        arrays = "[" * (depth - 1) + "]" * (depth - 1)
        return f'{{"ProjectName": "p{depth}", "X": {arrays}}}'

    assert MAX_NESTING == 512
    assert _post_projects(nested(MAX_NESTING)).status_code == 200
    refused = _post_projects(nested(MAX_NESTING + 1))
    assert refused.status_code == 400
    assert refused.headers["x-amzn-ErrorType"].startswith("SerializationException")
    assert refused.json()["Message"] == "The request body is nested too deeply"
    # Brackets in strings are text, not nesting.
    text = '{"ProjectName": "p", "X": "%s"}' % ("[" * 1000)
    assert _post_projects(text).status_code == 200
    names = [p["ProjectName"] for p in lookoutvision_client.list_projects()["Projects"]]
    assert names == [f"p{MAX_NESTING}", "p"]


def test_a_body_larger_than_any_the_api_takes_is_refused_unread(
    lookoutvision_mock: Any, lookoutvision_client: Any
) -> None:
    padding = b"a" * (MAX_BODY_BYTES - len(b'{"ProjectName": "p", "X": ""}'))
    assert _post_projects(b'{"ProjectName": "p", "X": "' + padding + b'"}').status_code == 200
    refused = _post_projects(b'{"ProjectName": "q", "X": "' + padding + b'a"}')
    assert refused.status_code == 413
    assert refused.headers["x-amzn-ErrorType"].startswith("RequestEntityTooLargeException")
    assert refused.json()["Message"] == (
        f"Request must be smaller than {MAX_BODY_BYTES} bytes for the CreateProject operation"
    )
    assert [p["ProjectName"] for p in lookoutvision_client.list_projects()["Projects"]] == ["p"]
    assert [c.error for c in lookoutvision_mock.calls()][-2:] == [
        "RequestEntityTooLargeException",
        None,
    ]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_a_json_body_says_it_is_json(
    lookoutvision_mock: Any, lookoutvision_client: Any, content_type: str
) -> None:
    answer = requests.post(
        PROJECTS_URL, data='{"ProjectName": "p"}', headers={"Content-Type": content_type}, timeout=5
    )
    assert answer.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_body_of_another_media_type_is_refused(
    lookoutvision_mock: Any, lookoutvision_client: Any, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = requests.post(PROJECTS_URL, data=b'{"ProjectName": "p"}', headers=headers, timeout=5)
    assert answer.status_code == 415
    assert answer.headers["x-amzn-ErrorType"].startswith("UnsupportedMediaTypeException")
    assert answer.json()["Message"].startswith(
        "The request body's Content-Type must be application/json"
    )
    assert lookoutvision_client.list_projects()["Projects"] == []
    assert [c.error for c in lookoutvision_mock.calls("CreateProject")] == [
        "UnsupportedMediaTypeException"
    ]


@pytest.mark.parametrize(
    ("header", "code", "status"),
    [
        ("X-Amzn-Client-Token", "ValidationException", 400),
        ("x-moto-account-id", "UnrecognizedClientException", 403),
        ("Content-Type", "UnsupportedMediaTypeException", 415),
    ],
)
def test_header_bytes_that_are_no_utf8_get_a_service_error(
    lookoutvision_mock: Any, lookoutvision_client: Any, header: str, code: str, status: int
) -> None:
    # requests passes bytes header values on as given; these once escaped as UnicodeDecodeError.
    headers: dict[str, str | bytes] = {"Content-Type": "application/json", header: b"\xff\xfe"}
    answer = requests.post(PROJECTS_URL, data=b'{"ProjectName": "p"}', headers=headers, timeout=5)
    assert answer.status_code == status
    assert answer.headers["x-amzn-ErrorType"].startswith(code)
    assert lookoutvision_client.list_projects()["Projects"] == []
