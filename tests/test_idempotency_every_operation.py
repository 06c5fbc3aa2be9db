"""ClientToken idempotency is one step for every operation whose model marks a member
``idempotencyToken``: a repeat replays without doing the work again, the token with other input is
a ConflictException naming the first call's resource, and members the model doesn't know are
ignored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError
from botocore.model import StructureShape

from mock_lookoutvision import testing
from mock_lookoutvision.api_model import service_model

from .conftest import PROJECT, error_of

GREENGRASS = {
    "Greengrass": {
        "ComponentName": "detector",
        "S3OutputLocation": {"Bucket": "lv-results"},
        "TargetDevice": "jetson_xavier",
    }
}


def test_the_operations_with_a_token_are_the_models_ten() -> None:
    model = service_model()
    with_token = set()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        assert shape is None or isinstance(shape, StructureShape)
        if shape is not None and any(
            m.metadata.get("idempotencyToken") for m in shape.members.values()
        ):
            with_token.add(name)
    assert with_token == {
        "CreateDataset",
        "CreateModel",
        "CreateProject",
        "DeleteDataset",
        "DeleteModel",
        "DeleteProject",
        "StartModel",
        "StartModelPackagingJob",
        "StopModel",
        "UpdateDatasetEntries",
    }


Call = Callable[..., dict[str, Any]]


def _strip(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def _check(
    lv: Any,
    operation: str,
    call: Call,
    first: dict[str, Any],
    other: dict[str, Any],
    resource: tuple[str, str],
) -> dict[str, Any]:
    """``call(**first)`` with a token, its replay, and the token with ``other`` input."""
    answer = _strip(call(**first, ClientToken="token-1"))
    assert _strip(call(**first, ClientToken="token-1")) == answer
    with pytest.raises(ClientError) as conflict:
        call(**other, ClientToken="token-1")
    error = error_of(conflict)
    assert error["Error"]["Code"] == "ConflictException"
    assert (error["ResourceType"], error["ResourceId"]) == resource
    answered = [c.error for c in lv.calls(operation)]
    assert answered[-3:] == [None, None, "ConflictException"]
    return answer


def test_create_project(lookoutvision_client: Any, lookoutvision_mock: Any) -> None:
    client = lookoutvision_client
    _check(
        lookoutvision_mock,
        "CreateProject",
        client.create_project,
        {"ProjectName": "one"},
        {"ProjectName": "two"},
        ("PROJECT", "one"),
    )
    assert [p["ProjectName"] for p in client.list_projects()["Projects"]] == ["one"]


def test_delete_project(lookoutvision_client: Any, lookoutvision_mock: Any) -> None:
    client = lookoutvision_client
    client.create_project(ProjectName="one")
    client.create_project(ProjectName="two")
    answer = _check(
        lookoutvision_mock,
        "DeleteProject",
        client.delete_project,
        {"ProjectName": "one"},
        {"ProjectName": "two"},
        ("PROJECT", "one"),
    )
    assert answer["ProjectArn"].endswith(":project/one")
    assert [p["ProjectName"] for p in client.list_projects()["Projects"]] == ["two"]


def test_create_and_delete_dataset(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client = lookoutvision_client
    answer = _check(
        lookoutvision_mock,
        "CreateDataset",
        client.create_dataset,
        {"ProjectName": PROJECT, "DatasetType": "test"},
        {"ProjectName": PROJECT, "DatasetType": "train"},
        ("DATASET", f"{PROJECT}/test"),
    )
    assert answer["DatasetMetadata"]["Status"] == "CREATE_COMPLETE"
    _check(
        lookoutvision_mock,
        "DeleteDataset",
        client.delete_dataset,
        {"ProjectName": PROJECT, "DatasetType": "test"},
        {"ProjectName": PROJECT, "DatasetType": "train"},
        ("DATASET", f"{PROJECT}/test"),
    )
    statuses = [
        d["Status"]
        for d in client.describe_project(ProjectName=PROJECT)["ProjectDescription"]["Datasets"]
    ]
    assert statuses == ["CREATE_COMPLETE", "DELETE_IN_PROGRESS"]


def test_update_dataset_entries(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client = lookoutvision_client
    changes = testing.manifest_text(testing.labeled_lines(1, 0, folder="more")).encode()
    other = testing.manifest_text(testing.labeled_lines(2, 0, folder="more")).encode()
    answer = _check(
        lookoutvision_mock,
        "UpdateDatasetEntries",
        client.update_dataset_entries,
        {"ProjectName": PROJECT, "DatasetType": "train", "Changes": changes},
        {"ProjectName": PROJECT, "DatasetType": "train", "Changes": other},
        ("DATASET", f"{PROJECT}/train"),
    )
    assert answer == {"Status": "UPDATE_IN_PROGRESS"}
    stats = client.describe_dataset(ProjectName=PROJECT, DatasetType="train")["DatasetDescription"][
        "ImageStats"
    ]
    assert stats["Total"] == 31  # one update, not two


def test_start_and_stop_model(lookoutvision_client: Any, lookoutvision_mock: Any) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    testing.trained_model(lv, PROJECT)
    testing.trained_model(lv, PROJECT)
    start = {"ProjectName": PROJECT, "ModelVersion": "1", "MinInferenceUnits": 1}
    answer = _check(
        lv,
        "StartModel",
        client.start_model,
        start,
        {**start, "MinInferenceUnits": 2},
        ("MODEL", f"{PROJECT}/1"),
    )
    assert answer == {"Status": "STARTING_HOSTING"}
    lv.model(PROJECT, "1").hosting_start.finish()
    answer = _check(
        lv,
        "StopModel",
        client.stop_model,
        {"ProjectName": PROJECT, "ModelVersion": "1"},
        {"ProjectName": PROJECT, "ModelVersion": "2"},
        ("MODEL", f"{PROJECT}/1"),
    )
    assert answer == {"Status": "STOPPING_HOSTING"}


def test_start_model_packaging_job(lookoutvision_client: Any, lookoutvision_mock: Any) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    testing.trained_model(lv, PROJECT)
    job = {"ProjectName": PROJECT, "ModelVersion": "1", "Configuration": GREENGRASS}
    answer = _check(
        lv,
        "StartModelPackagingJob",
        client.start_model_packaging_job,
        {**job, "JobName": "job-1"},
        {**job, "JobName": "job-2"},
        ("MODEL_PACKAGE_JOB", "job-1"),
    )
    assert answer == {"JobName": "job-1"}
    jobs = client.list_model_packaging_jobs(ProjectName=PROJECT)["ModelPackagingJobs"]
    assert [j["JobName"] for j in jobs] == ["job-1"]


def test_members_the_model_does_not_know_are_ignored(
    lookoutvision_client: Any, lookoutvision_mock: Any
) -> None:
    import requests

    def create(body: dict[str, Any]) -> requests.Response:
        url = "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
        request = AWSRequest(
            method="POST",
            url=url,
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "X-Amzn-Client-Token": "token-1"},
        )
        return requests.post(url, data=request.data, headers=dict(request.headers), timeout=5)

    first = create({"ProjectName": "one"})
    again = create({"ProjectName": "one", "Unknown": [[[[{"deep": 1}]]]]})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert len(lookoutvision_client.list_projects()["Projects"]) == 1
