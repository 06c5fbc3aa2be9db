"""ClientToken: one model per token and input for 8 hours of simulated time."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
import requests

from .conftest import OUTPUT, PROJECT, create_model, model_versions, ready_project

EIGHT_HOURS = timedelta(hours=8)


def test_same_token_and_input_returns_the_same_model(
    lookoutvision_client: Any, project: str
) -> None:
    first = create_model(lookoutvision_client, ClientToken="retry-1", Description="first")
    again = create_model(lookoutvision_client, ClientToken="retry-1", Description="first")
    assert again["ModelArn"] == first["ModelArn"]
    assert again["ModelVersion"] == "1"
    assert again["CreationTimestamp"] == first["CreationTimestamp"]
    assert model_versions(lookoutvision_client) == ["1"]


def test_replay_reports_the_models_current_status(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client, ClientToken="retry-1")
    lookoutvision_mock.advance(timedelta(hours=2))
    assert create_model(lookoutvision_client, ClientToken="retry-1")["Status"] == "TRAINED"


@pytest.mark.parametrize(
    "different",
    [
        {"Description": "other"},
        {"KmsKeyId": "alias/other"},
        {"Tags": [{"Key": "team", "Value": "other"}]},
        {"OutputConfig": {"S3Location": {"Bucket": "lv-results", "Prefix": "elsewhere/"}}},
    ],
    ids=["description", "kms-key", "tags", "output-config"],
)
def test_same_token_with_different_input_is_a_conflict(
    lookoutvision_client: Any, project: str, different: dict[str, Any]
) -> None:
    create_model(lookoutvision_client, ClientToken="retry-1", Tags=[{"Key": "team", "Value": "a"}])
    request = {
        "ProjectName": PROJECT,
        "OutputConfig": OUTPUT,
        "ClientToken": "retry-1",
        "Tags": [{"Key": "team", "Value": "a"}],
        **different,
    }
    with pytest.raises(lookoutvision_client.exceptions.ConflictException) as excinfo:
        lookoutvision_client.create_model(**request)
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert (error["ResourceId"], error["ResourceType"]) == (f"{PROJECT}/1", "MODEL")
    assert "retry-1" in error["Error"]["Message"]
    assert model_versions(lookoutvision_client) == ["1"]


def test_same_token_in_another_project_is_a_conflict(
    lookoutvision_client: Any, project: str
) -> None:
    lookoutvision_client.create_project(ProjectName="gears")
    create_model(lookoutvision_client, ClientToken="retry-1")
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        lookoutvision_client.create_model(
            ProjectName="gears", OutputConfig=OUTPUT, ClientToken="retry-1"
        )
    assert model_versions(lookoutvision_client, "gears") == []


def test_token_replays_until_just_before_eight_hours(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    first = create_model(lookoutvision_client, ClientToken="retry-1")
    lookoutvision_mock.advance(EIGHT_HOURS - timedelta(seconds=1))
    assert (
        create_model(lookoutvision_client, ClientToken="retry-1")["ModelArn"] == first["ModelArn"]
    )
    assert model_versions(lookoutvision_client) == ["1"]


def test_token_is_forgotten_after_eight_hours(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client, ClientToken="retry-1")
    lookoutvision_mock.advance(EIGHT_HOURS + timedelta(seconds=1))
    second = create_model(lookoutvision_client, ClientToken="retry-1")
    assert second["ModelVersion"] == "2"
    # ... and is then active again, for the new model.
    assert create_model(lookoutvision_client, ClientToken="retry-1")["ModelVersion"] == "2"
    assert model_versions(lookoutvision_client) == ["1", "2"]


def test_expired_token_may_come_back_with_different_input(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client, ClientToken="retry-1", Description="first")
    lookoutvision_mock.advance(EIGHT_HOURS + timedelta(seconds=1))
    assert (
        create_model(lookoutvision_client, ClientToken="retry-1", Description="second")[
            "ModelVersion"
        ]
        == "2"
    )


def _without_client_token(client: Any, sent: list[dict[str, str]]) -> Any:
    """``client``, changed so that its requests carry no ClientToken at all; the headers of each
    request it sends are added to ``sent``.

    botocore fills a fresh token into every call of an operation with an idempotency-token member
    that is not given one (before the parameters are built, even with parameter validation off),
    so the X-Amzn-Client-Token header it becomes is taken out of the built request."""

    def drop_token(params: dict[str, Any], **_: Any) -> None:
        headers = params["headers"]
        for name in [n for n in headers if n.lower() == "x-amzn-client-token"]:
            del headers[name]

    client.meta.events.register("before-call.lookoutvision", drop_token)
    client.meta.events.register(
        "before-send.lookoutvision",
        lambda request, **_: sent.append({k.lower(): str(v) for k, v in request.headers.items()}),
    )
    return client


def test_calls_without_token_always_create(
    unchecked_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    sent: list[dict[str, str]] = []
    client = _without_client_token(unchecked_client, sent)
    created = [create_model(client, Description="same") for _ in range(2)]
    assert [m["ModelVersion"] for m in created] == ["1", "2"]
    assert created[0]["ModelArn"] != created[1]["ModelArn"]
    assert model_versions(client) == ["1", "2"]
    # Really without a token: neither on the wire nor in what the mock parsed.
    assert len(sent) == 3  # two CreateModel calls and the ListModels
    assert all("x-amzn-client-token" not in headers for headers in sent)
    parameters = [c.parameters for c in lookoutvision_mock.calls("CreateModel")]
    assert (
        parameters == [{"ProjectName": PROJECT, "OutputConfig": OUTPUT, "Description": "same"}] * 2
    )


def test_tokens_are_scoped_per_region(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    other_region = boto3.client("lookoutvision", region_name="eu-west-1")
    output = ready_project(other_region, lookoutvision_mock)
    first = create_model(lookoutvision_client, ClientToken="retry-1")
    elsewhere = create_model(
        other_region, ClientToken="retry-1", Description="different", OutputConfig=output
    )
    assert elsewhere["ModelArn"] != first["ModelArn"]
    assert ":eu-west-1:" in elsewhere["ModelArn"]


def test_tokens_are_scoped_per_account(
    lookoutvision_client: Any,
    lookoutvision_mock: Any,
    project: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = create_model(lookoutvision_client, ClientToken="retry-1")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    other_account = boto3.client("lookoutvision", region_name="us-east-1")
    output = ready_project(other_account, lookoutvision_mock)
    elsewhere = create_model(
        other_account, ClientToken="retry-1", Description="different", OutputConfig=output
    )
    assert ":111122223333:" in elsewhere["ModelArn"]
    assert elsewhere["ModelArn"] != first["ModelArn"]


def test_a_refused_call_does_not_claim_its_token(unchecked_client: Any, project: str) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException):
        unchecked_client.create_model(
            ProjectName=PROJECT, OutputConfig=OUTPUT, ClientToken="retry-1", Description="a b"
        )
    with pytest.raises(unchecked_client.exceptions.ResourceNotFoundException):
        unchecked_client.create_model(
            ProjectName="missing", OutputConfig=OUTPUT, ClientToken="retry-1"
        )
    created = create_model(unchecked_client, ClientToken="retry-1", Description="valid")
    assert created["ModelVersion"] == "1"


def test_create_project_token_replays_the_project(lookoutvision_client: Any) -> None:
    first = lookoutvision_client.create_project(ProjectName=PROJECT, ClientToken="p-1")
    again = lookoutvision_client.create_project(ProjectName=PROJECT, ClientToken="p-1")
    assert again["ProjectMetadata"] == first["ProjectMetadata"]
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        lookoutvision_client.create_project(ProjectName="other", ClientToken="p-1")
    with pytest.raises(lookoutvision_client.exceptions.ConflictException) as excinfo:
        lookoutvision_client.create_project(ProjectName=PROJECT)
    assert excinfo.value.response["ResourceType"] == "PROJECT"


def test_delete_model_token_replays_the_deletion(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    arn = create_model(lookoutvision_client)["ModelArn"]
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    first = lookoutvision_client.delete_model(
        ProjectName=PROJECT, ModelVersion="1", ClientToken="del-1"
    )
    again = lookoutvision_client.delete_model(
        ProjectName=PROJECT, ModelVersion="1", ClientToken="del-1"
    )
    assert first["ModelArn"] == again["ModelArn"] == arn
    lookoutvision_mock.advance(5)
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        lookoutvision_client.delete_model(
            ProjectName=PROJECT, ModelVersion="1", ClientToken="del-2"
        )


def test_delete_project_token_replays_the_deletion(lookoutvision_client: Any) -> None:
    lookoutvision_client.create_project(ProjectName=PROJECT)
    first = lookoutvision_client.delete_project(ProjectName=PROJECT, ClientToken="del-1")
    again = lookoutvision_client.delete_project(ProjectName=PROJECT, ClientToken="del-1")
    assert first["ProjectArn"] == again["ProjectArn"]
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        lookoutvision_client.delete_project(ProjectName=PROJECT)


def test_tag_order_and_empty_tags_are_the_same_input(
    lookoutvision_client: Any, project: str
) -> None:
    tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    first = create_model(lookoutvision_client, ClientToken="retry-1", Tags=tags)
    again = create_model(lookoutvision_client, ClientToken="retry-1", Tags=tags[::-1])
    assert again["ModelArn"] == first["ModelArn"]
    create_model(lookoutvision_client, ClientToken="retry-2")
    assert create_model(lookoutvision_client, ClientToken="retry-2", Tags=[])["ModelVersion"] == "2"
    assert model_versions(lookoutvision_client) == ["1", "2"]


def _deep_unknown(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_a_deep_unknown_member_does_not_break_the_token(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    # R2: a deep unknown member once made the token's snapshot overflow after the model was made,
    # so every retry made another model.
    url = f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}/models"
    deep = _deep_unknown(500)
    body = json.dumps(
        {"OutputConfig": {"S3Location": {"Bucket": "lv-results", "X": deep}}, "X": deep}
    )
    headers = {"Content-Type": "application/json", "X-Amzn-Client-Token": "deep-1"}
    answers = [requests.post(url, data=body, headers=headers, timeout=10) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert {a.json()["ModelMetadata"]["ModelVersion"] for a in answers} == {"1"}
    assert model_versions(lookoutvision_client) == ["1"]
    calls = lookoutvision_mock.calls("CreateModel")
    assert [c.error for c in calls] == [None, None, None]
    # What the service keeps of the input: the members it knows, at every level.
    assert calls[0].parameters["OutputConfig"] == {"S3Location": {"Bucket": "lv-results"}}
