"""Projects and models: create, describe, list (with paging), delete."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

from .conftest import (
    OUTPUT,
    PROJECT,
    create_model,
    create_trained_models,
    model_versions,
    ready_project,
)


def test_create_model_answers_202_with_its_metadata(
    lookoutvision_client: Any, project: str
) -> None:
    response = lookoutvision_client.create_model(
        ProjectName=PROJECT, OutputConfig=OUTPUT, Description="first-try", KmsKeyId="alias/lv"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    metadata = response["ModelMetadata"]
    assert metadata["ModelArn"] == f"arn:aws:lookoutvision:us-east-1:123456789012:model/{PROJECT}/1"
    assert metadata["ModelVersion"] == "1"
    assert metadata["Description"] == "first-try"
    assert metadata["Status"] == "TRAINING"
    described = lookoutvision_client.describe_model(ProjectName=PROJECT, ModelVersion="1")
    assert described["ModelDescription"]["KmsKeyId"] == "alias/lv"
    listed = lookoutvision_client.list_models(ProjectName=PROJECT)["Models"][0]
    # Create, Describe and List agree on the model's identity, time and status.
    for view in (described["ModelDescription"], listed):
        for member in ("ModelArn", "ModelVersion", "CreationTimestamp", "Status", "Description"):
            assert view[member] == metadata[member]


def test_versions_count_per_project_and_are_never_reused(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    ready_project(lookoutvision_client, lookoutvision_mock, "gears")
    assert [create_model(lookoutvision_client)["ModelVersion"] for _ in range(2)] == ["1", "2"]
    lookoutvision_mock.advance(timedelta(hours=1))
    assert create_model(lookoutvision_client, "gears")["ModelVersion"] == "1"
    lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="2")
    lookoutvision_mock.advance(5)
    assert create_model(lookoutvision_client)["ModelVersion"] == "3"
    assert model_versions(lookoutvision_client) == ["1", "3"]


def test_describe_latest_model(lookoutvision_client: Any, project: str) -> None:
    create_model(lookoutvision_client)
    create_model(lookoutvision_client)
    latest = lookoutvision_client.describe_model(ProjectName=PROJECT, ModelVersion="latest")
    assert latest["ModelDescription"]["ModelVersion"] == "2"


@pytest.mark.parametrize("version", ["9", "latest"])
def test_describe_unknown_model(lookoutvision_client: Any, project: str, version: str) -> None:
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException) as excinfo:
        lookoutvision_client.describe_model(ProjectName=PROJECT, ModelVersion=version)
    assert excinfo.value.response["ResourceType"] == "MODEL"


@pytest.mark.parametrize("version", ["0", "01", "v1", "12345678901"])
def test_model_version_format_is_validated(
    unchecked_client: Any, project: str, version: str
) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.describe_model(ProjectName=PROJECT, ModelVersion=version)
    assert "'modelVersion'" in excinfo.value.response["Error"]["Message"]


def test_delete_model_refuses_latest(unchecked_client: Any, project: str) -> None:
    create_model(unchecked_client)
    with pytest.raises(unchecked_client.exceptions.ValidationException):
        unchecked_client.delete_model(ProjectName=PROJECT, ModelVersion="latest")
    assert model_versions(unchecked_client) == ["1"]


def test_a_training_model_cannot_be_deleted(lookoutvision_client: Any, project: str) -> None:
    arn = create_model(lookoutvision_client)["ModelArn"]
    with pytest.raises(lookoutvision_client.exceptions.ConflictException) as excinfo:
        lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert (error["ResourceId"], error["ResourceType"]) == (f"{PROJECT}/1", "MODEL")
    assert model_versions(lookoutvision_client) == ["1"]
    assert lookoutvision_client.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


def test_trained_and_failed_models_can_be_deleted(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    arn = create_model(lookoutvision_client)["ModelArn"]
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    lookoutvision_mock.model(PROJECT, "2").training.fail("broken")
    deleted = lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="2")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["ModelArn"] == arn
    lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    # "It might take a few seconds to delete a model": DELETING first, then gone.
    deleting = lookoutvision_client.describe_model(ProjectName=PROJECT, ModelVersion="1")
    assert deleting["ModelDescription"]["Status"] == "DELETING"
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    lookoutvision_mock.advance(5)
    assert model_versions(lookoutvision_client) == []
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="1")


def test_list_models_pages_with_next_token(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_trained_models(lookoutvision_client, lookoutvision_mock, 7)
    first = lookoutvision_client.list_models(ProjectName=PROJECT, MaxResults=3)
    assert [m["ModelVersion"] for m in first["Models"]] == ["1", "2", "3"]
    second = lookoutvision_client.list_models(
        ProjectName=PROJECT, MaxResults=3, NextToken=first["NextToken"]
    )
    assert [m["ModelVersion"] for m in second["Models"]] == ["4", "5", "6"]
    paginator = lookoutvision_client.get_paginator("list_models")
    pages = list(paginator.paginate(ProjectName=PROJECT, PaginationConfig={"PageSize": 3}))
    assert [len(p["Models"]) for p in pages] == [3, 3, 1]
    assert "NextToken" not in pages[-1]


def test_a_token_from_another_list_is_refused(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    lookoutvision_client.create_project(ProjectName="gears")
    create_trained_models(lookoutvision_client, lookoutvision_mock, 3)
    token = lookoutvision_client.list_models(ProjectName=PROJECT, MaxResults=1)["NextToken"]
    with pytest.raises(lookoutvision_client.exceptions.ValidationException):
        lookoutvision_client.list_models(ProjectName="gears", NextToken=token)
    with pytest.raises(lookoutvision_client.exceptions.ValidationException):
        lookoutvision_client.list_projects(NextToken=token)


def _forged(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        "bm90LWEtdG9rZW4=",
        "abc",
        "Zm9vfGJhcg==",
        _forged("ListProjects|-5"),
        _forged("ListProjects|-1000000000000000000"),
        _forged("ListProjects|2|" + "0" * 32),
    ],
)
def test_a_forged_next_token_is_refused(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, token: str
) -> None:
    with pytest.raises(lookoutvision_client.exceptions.ValidationException) as refused:
        lookoutvision_client.list_projects(NextToken=token)
    assert refused.value.response["Error"]["Message"] == "The pagination token is invalid."
    with pytest.raises(lookoutvision_client.exceptions.ValidationException):
        lookoutvision_client.list_models(ProjectName=PROJECT, NextToken=token)


def test_an_edited_next_token_is_refused(lookoutvision_client: Any) -> None:
    for name in ("a", "b", "c"):
        lookoutvision_client.create_project(ProjectName=name)
    token = lookoutvision_client.list_projects(MaxResults=1)["NextToken"]
    scope, position, seal = base64.b64decode(token).decode().split("|")
    assert (scope, position) == ("ListProjects", "2")
    edited = _forged(f"{scope}|-5|{seal}")
    with pytest.raises(lookoutvision_client.exceptions.ValidationException):
        lookoutvision_client.list_projects(NextToken=edited)
    # The token as given still resumes where the first page ended.
    page = lookoutvision_client.list_projects(NextToken=token)["Projects"]
    assert [p["ProjectName"] for p in page] == ["b", "c"]


@pytest.mark.parametrize("size", [0, 101])
def test_page_size_bounds(unchecked_client: Any, project: str, size: int) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.list_models(ProjectName=PROJECT, MaxResults=size)
    assert "'maxResults'" in excinfo.value.response["Error"]["Message"]


def test_project_create_describe_list_delete(lookoutvision_client: Any) -> None:
    created = lookoutvision_client.create_project(ProjectName=PROJECT)["ProjectMetadata"]
    assert (
        created["ProjectArn"] == f"arn:aws:lookoutvision:us-east-1:123456789012:project/{PROJECT}"
    )
    described = lookoutvision_client.describe_project(ProjectName=PROJECT)["ProjectDescription"]
    assert described == {**created, "Datasets": []}
    listed = lookoutvision_client.list_projects()["Projects"]
    assert listed == [created]
    deleted = lookoutvision_client.delete_project(ProjectName=PROJECT)
    assert deleted["ProjectArn"] == created["ProjectArn"]
    assert lookoutvision_client.list_projects()["Projects"] == []
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        lookoutvision_client.describe_project(ProjectName=PROJECT)


def test_a_project_with_models_cannot_be_deleted(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    before = lookoutvision_client.describe_project(ProjectName=PROJECT)["ProjectDescription"]
    with pytest.raises(lookoutvision_client.exceptions.ConflictException) as excinfo:
        lookoutvision_client.delete_project(ProjectName=PROJECT)
    error = excinfo.value.response
    assert (error["ResourceType"], error["ResourceId"]) == ("PROJECT", PROJECT)
    # The refused deletion leaves the project, and its model, as they were.
    after = lookoutvision_client.describe_project(ProjectName=PROJECT)["ProjectDescription"]
    assert after == before
    assert after["ProjectName"] == PROJECT
    assert [p["ProjectName"] for p in lookoutvision_client.list_projects()["Projects"]] == [PROJECT]
    assert model_versions(lookoutvision_client) == ["1"]


def test_list_projects_pages(lookoutvision_client: Any) -> None:
    names = [f"project-{i}" for i in range(5)]
    for name in names:
        lookoutvision_client.create_project(ProjectName=name)
    lookoutvision_client.delete_project(ProjectName="project-1")
    paginator = lookoutvision_client.get_paginator("list_projects")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    listed = [p["ProjectName"] for page in pages for p in page["Projects"]]
    assert listed == ["project-0", "project-2", "project-3", "project-4"]
    assert len(pages) == 2


def test_project_name_is_validated(unchecked_client: Any) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException):
        unchecked_client.create_project(ProjectName="_starts-with-underscore")
    assert unchecked_client.list_projects()["Projects"] == []


def test_only_two_models_train_at_a_time(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    create_model(lookoutvision_client)
    with pytest.raises(lookoutvision_client.exceptions.ServiceQuotaExceededException) as excinfo:
        create_model(lookoutvision_client)
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert (error["ServiceCode"], error["QuotaCode"]) == ("lookoutvision", "L-2489F742")
    assert model_versions(lookoutvision_client) == ["1", "2"]
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    assert create_model(lookoutvision_client)["ModelVersion"] == "3"
