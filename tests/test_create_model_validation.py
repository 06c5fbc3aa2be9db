"""Every constraint of CreateModel is enforced by the server, and a refused call changes nothing."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID

from mock_lookoutvision.models import backend_of

from .conftest import OUTPUT, PROJECT, REGION, error_of, make_bucket, model_versions, ready_project

BASE: dict[str, Any] = {"ProjectName": PROJECT, "OutputConfig": OUTPUT}


def _with(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def _output(**location: Any) -> dict[str, Any]:
    return {"S3Location": location}


def _tag(key: Any = "team", value: Any = "vision") -> dict[str, Any]:
    tag = {}
    if key is not None:
        tag["Key"] = key
    if value is not None:
        tag["Value"] = value
    return tag


# (id, request, member path AWS names, constraint)
INVALID = [
    ("project-too-long", _with(ProjectName="p" * 256), "projectName", "length less than or equal to 255"),
    ("project-pattern", _with(ProjectName="-widgets"), "projectName", "regular expression pattern"),
    ("project-space", _with(ProjectName="my widgets"), "projectName", "regular expression pattern"),
    ("token-empty", _with(ClientToken=""), "clientToken", "length greater than or equal to 1"),
    ("token-too-long", _with(ClientToken="t" * 65), "clientToken", "length less than or equal to 64"),
    ("token-pattern", _with(ClientToken="bad_token"), "clientToken", "pattern: ^[a-zA-Z0-9-]+$"),
    ("description-empty", _with(Description=""), "description", "length greater than or equal to 1"),
    ("description-too-long", _with(Description="d" * 501), "description", "less than or equal to 500"),
    ("description-pattern", _with(Description="two words"), "description", "regular expression"),
    ("kms-empty", _with(KmsKeyId=""), "kmsKeyId", "length greater than or equal to 1"),
    ("kms-too-long", _with(KmsKeyId="k" * 2049), "kmsKeyId", "length less than or equal to 2048"),
    ("kms-pattern", _with(KmsKeyId="-key"), "kmsKeyId", "regular expression pattern"),
    ("output-missing", {"ProjectName": PROJECT}, "outputConfig", "must not be null"),
    ("location-missing", _with(OutputConfig={}), "outputConfig.s3Location", "must not be null"),
    ("bucket-missing", _with(OutputConfig=_output(Prefix="p/")), "outputConfig.s3Location.bucket", "must not be null"),
    ("bucket-too-short", _with(OutputConfig=_output(Bucket="ab")), "outputConfig.s3Location.bucket", "greater than or equal to 3"),
    ("bucket-too-long", _with(OutputConfig=_output(Bucket="b" * 64)), "outputConfig.s3Location.bucket", "less than or equal to 63"),
    ("bucket-pattern", _with(OutputConfig=_output(Bucket="bad/bucket")), "outputConfig.s3Location.bucket", "pattern"),
    ("prefix-too-long", _with(OutputConfig=_output(Bucket="lv-results", Prefix="p" * 1025)), "outputConfig.s3Location.prefix", "less than or equal to 1024"),
    ("prefix-leading-slash", _with(OutputConfig=_output(Bucket="lv-results", Prefix="/out")), "outputConfig.s3Location.prefix", "pattern"),
    ("prefix-space", _with(OutputConfig=_output(Bucket="lv-results", Prefix="my out/")), "outputConfig.s3Location.prefix", "pattern"),
    ("tags-too-many", _with(Tags=[_tag(f"k{i}") for i in range(201)]), "tags", "length less than or equal to 200"),
    ("tag-key-missing", _with(Tags=[_tag(key=None)]), "tags.1.member.key", "must not be null"),
    ("tag-value-missing", _with(Tags=[_tag(value=None)]), "tags.1.member.value", "must not be null"),
    ("tag-key-empty", _with(Tags=[_tag(key="")]), "tags.1.member.key", "greater than or equal to 1"),
    ("tag-key-too-long", _with(Tags=[_tag(key="k" * 129)]), "tags.1.member.key", "less than or equal to 128"),
    ("tag-key-pattern", _with(Tags=[_tag(key="cost#centre")]), "tags.1.member.key", "pattern"),
    ("tag-value-too-long", _with(Tags=[_tag(), _tag("b", "v" * 257)]), "tags.2.member.value", "less than or equal to 256"),
    ("tag-value-pattern", _with(Tags=[_tag(value="a;b")]), "tags.1.member.value", "pattern"),
]  # fmt: skip


def _assert_nothing_recorded(client: Any, lv: Any, token: str | None) -> None:
    """No model, no version number, no tag and no client token were recorded."""
    assert model_versions(client) == []
    assert backend_of(DEFAULT_ACCOUNT_ID, REGION).tokens.active("CreateModel") == 0
    # The next valid call, reusing the refused call's token if it was valid, gets version 1.
    valid = dict(BASE, ClientToken=token) if token else dict(BASE)
    created = client.create_model(**valid)["ModelMetadata"]
    assert created["ModelVersion"] == "1"
    assert client.list_tags_for_resource(ResourceArn=created["ModelArn"])["Tags"] == []


@pytest.mark.parametrize(
    ("request_", "path", "constraint"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_each_constraint_is_refused_with_validation_exception(
    unchecked_client: Any,
    lookoutvision_mock: Any,
    project: str,
    request_: dict[str, Any],
    path: str,
    constraint: str,
) -> None:
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_model(**request_)
    error = error_of(excinfo)
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    message = error["Error"]["Message"]
    # An empty value can break a length and a pattern at once; AWS reports every violation.
    assert re.match(r"^[12] validation errors? detected: Value ", message)
    assert f"at '{path}' failed to satisfy constraint: Member must" in message
    assert constraint in message
    token = request_.get("ClientToken")
    valid_token = token if token and len(token) <= 64 and token.replace("-", "").isalnum() else None
    _assert_nothing_recorded(unchecked_client, lookoutvision_mock, valid_token)


def test_several_violations_are_reported_together(unchecked_client: Any, project: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_model(
            ProjectName=project, Description="a b", OutputConfig=_output(Bucket="x")
        )
    message = error_of(excinfo)["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    assert "'description'" in message
    assert "'outputConfig.s3Location.bucket'" in message


@pytest.mark.parametrize(
    "changes",
    [
        {"ProjectName": "p" * 256},
        {"Description": "two words"},
        {"KmsKeyId": "k" * 2049},
        {"OutputConfig": _output(Bucket="b" * 64)},
        {"Tags": [_tag(key="cost#centre")]},
    ],
    ids=["project-max", "description-pattern", "kms-max", "bucket-max", "tag-pattern"],
)
def test_constraints_botocore_does_not_check_are_refused_by_the_server(
    lookoutvision_client: Any, project: str, changes: dict[str, Any]
) -> None:
    # botocore validates only minimums and required members; the rest is the service's job.
    with pytest.raises(lookoutvision_client.exceptions.ValidationException):
        lookoutvision_client.create_model(**_with(**changes))
    assert model_versions(lookoutvision_client) == []


def test_duplicate_tag_keys_are_refused(
    unchecked_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.create_model(
            **_with(Tags=[_tag("team", "a"), _tag("team", "b")], ClientToken="retry-1")
        )
    message = excinfo.value.response["Error"]["Message"]
    assert "at 'tags' failed to satisfy constraint: Member must have unique keys" in message
    assert message.endswith("repeated: team")
    _assert_nothing_recorded(unchecked_client, lookoutvision_mock, "retry-1")


def test_duplicate_tag_keys_are_refused_also_with_a_used_token(
    unchecked_client: Any, project: str
) -> None:
    unchecked_client.create_model(**_with(ClientToken="retry-1"))
    with pytest.raises(unchecked_client.exceptions.ValidationException):
        unchecked_client.create_model(
            **_with(Tags=[_tag("team", "a"), _tag("team", "b")], ClientToken="retry-1")
        )
    assert model_versions(unchecked_client) == ["1"]


def test_reserved_aws_prefix_is_refused(
    unchecked_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.create_model(**_with(Tags=[_tag("team"), _tag("aws:owner")]))
    assert "at 'tags.2.member.key'" in excinfo.value.response["Error"]["Message"]
    _assert_nothing_recorded(unchecked_client, lookoutvision_mock, None)


def test_unicode_letters_spaces_and_numbers_are_valid_in_tags(
    lookoutvision_client: Any, project: str
) -> None:
    tags = [{"Key": "équipe ١", "Value": "Vision 视觉 @ line-2"}, {"Key": "empty", "Value": ""}]
    arn = lookoutvision_client.create_model(**_with(Tags=tags))["ModelMetadata"]["ModelArn"]
    assert lookoutvision_client.list_tags_for_resource(ResourceArn=arn)["Tags"] == tags


def test_bounds_themselves_are_accepted(lookoutvision_client: Any, lookoutvision_mock: Any) -> None:
    name = "p" * 255
    ready_project(lookoutvision_client, lookoutvision_mock, name)
    make_bucket("b" * 63)
    created = lookoutvision_client.create_model(
        ProjectName=name,
        ClientToken="t" * 64,
        Description="d" * 500,
        KmsKeyId="k" * 2048,
        OutputConfig=_output(Bucket="b" * 63, Prefix="p" * 1024),
        Tags=[_tag(f"k{i}", "v" * 256) for i in range(199)] + [_tag("k" * 128, "")],
    )
    assert created["ModelMetadata"]["ModelVersion"] == "1"


def test_unknown_project_is_resource_not_found(lookoutvision_client: Any) -> None:
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException) as excinfo:
        lookoutvision_client.create_model(ProjectName="missing", OutputConfig=OUTPUT)
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["ResourceId"] == "missing"
    assert error["ResourceType"] == "PROJECT"


class TestRawHttp:
    """Any client that speaks the protocol gets the same contract as boto3."""

    URL = f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}/models"

    def test_valid_request_creates_a_model(self, lookoutvision_client: Any, project: str) -> None:
        response = requests.post(self.URL, json={"OutputConfig": OUTPUT}, timeout=5)
        assert response.status_code == 202
        assert response.json()["ModelMetadata"]["Status"] == "TRAINING"
        assert model_versions(lookoutvision_client) == ["1"]

    def test_invalid_body_is_refused(self, lookoutvision_client: Any, project: str) -> None:
        response = requests.post(
            self.URL, json={"OutputConfig": _output(Bucket="b" * 64)}, timeout=5
        )
        assert response.status_code == 400
        assert response.headers["x-amzn-ErrorType"] == "ValidationException"
        assert "outputConfig.s3Location.bucket" in response.json()["Message"]
        assert model_versions(lookoutvision_client) == []

    def test_empty_token_header_is_invalid_not_absent(
        self, lookoutvision_client: Any, project: str
    ) -> None:
        response = requests.post(
            self.URL, json={"OutputConfig": OUTPUT}, headers={"X-Amzn-Client-Token": ""}, timeout=5
        )
        assert response.status_code == 400
        assert "clientToken" in response.json()["Message"]
        assert model_versions(lookoutvision_client) == []

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            (b"{not json", "SerializationException"),
            (b"[1, 2]", "SerializationException"),
            (b'{"OutputConfig": "s3://bucket"}', "SerializationException"),
            (b'{"OutputConfig": {"S3Location": {"Bucket": 42}}}', "SerializationException"),
            (
                b'{"OutputConfig": {"S3Location": {"Bucket": "lv-results"}}, "Tags": {"a": "b"}}',
                "SerializationException",
            ),
        ],
        ids=[
            "malformed",
            "not-an-object",
            "string-for-structure",
            "number-for-string",
            "map-for-list",
        ],
    )
    def test_unreadable_body_is_a_serialization_error(
        self, lookoutvision_client: Any, project: str, body: bytes, expected: str
    ) -> None:
        response = requests.post(
            self.URL, data=body, headers={"Content-Type": "application/json"}, timeout=5
        )
        assert response.status_code == 400
        assert response.headers["x-amzn-ErrorType"] == expected
        assert model_versions(lookoutvision_client) == []

    def test_unknown_path_is_unknown_operation(self, lookoutvision_mock: Any) -> None:
        response = requests.get(
            "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/nothing-here", timeout=5
        )
        assert response.status_code == 404
        assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_empty_project_name_in_the_path_is_a_validation_error(unchecked_client: Any) -> None:
    unchecked_client.create_project(ProjectName=PROJECT)
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.create_model(ProjectName="", OutputConfig=OUTPUT)
    assert "'projectName'" in excinfo.value.response["Error"]["Message"]
    assert model_versions(unchecked_client) == []


def test_a_client_made_outside_the_fixtures_works_too(lookoutvision_mock: Any) -> None:
    client = boto3.client("lookoutvision", region_name="eu-west-1")
    client.create_project(ProjectName=PROJECT)
    assert model_versions(client) == []
