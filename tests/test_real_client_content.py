"""What AWS's own client code and the developer guide show of the service: the flows of AWS's
Python SDK for the service (PyPI ``lookoutvision`` 0.1.10) replayed as plain boto3 calls, manifest
lines exported from a real project, the one-bucket rule for a dataset's images, and images whose
data is broken behind an intact header."""

from __future__ import annotations

from typing import Any

import pytest

from mock_lookoutvision import testing

from .conftest import PROJECT, create_model

# The SDK sleeps 5 s between polls (``time.sleep(5)``); here the simulated clock moves instead.
SDK_POLL_SECONDS = 5


def _dataset_status(client: Any, dataset_type: str) -> tuple[str, str]:
    described = client.describe_dataset(ProjectName=PROJECT, DatasetType=dataset_type)[
        "DatasetDescription"
    ]
    return described["Status"], described["StatusMessage"]


def _dataset_types(client: Any) -> list[str]:
    datasets = client.describe_project(ProjectName=PROJECT)["ProjectDescription"]["Datasets"]
    return [d["DatasetType"] for d in datasets]


# 1. Dataset deletion is as short as a model deletion -------------------------------------------


def test_a_dataset_deletion_takes_a_few_seconds(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    client.delete_dataset(ProjectName=PROJECT, DatasetType="train")
    lv.advance(4.9)
    assert _dataset_status(client, "train") == (
        "DELETE_IN_PROGRESS",
        "The dataset is being deleted.",
    )
    lv.advance(0.1)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_dataset(ProjectName=PROJECT, DatasetType="train")
    assert _dataset_types(client) == []


def test_the_sdks_project_deletion_ends_with_the_project_gone(
    lookoutvision_client: Any, lookoutvision_mock: Any
) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    # The SDK deletes the projects it made for k-fold training: a train and a test dataset, and
    # model 1 trained (its fit() polls until TRAINED first).
    output = testing.ready_project(lv, PROJECT, test_dataset=True)
    create_model(client, OutputConfig=output)
    lv.model(PROJECT, "1").training.finish()

    # LookoutForVision.delete_lookoutvision_project, call for call; any exception would end it
    # in its "Something went wrong" branch.
    for dataset_type in ("train", "test"):
        entries = client.list_dataset_entries(ProjectName=PROJECT, DatasetType=dataset_type)
        if len(entries["DatasetEntries"]) > 0:
            client.delete_dataset(ProjectName=PROJECT, DatasetType=dataset_type)
    if len(client.list_models(ProjectName=PROJECT)["Models"]) > 0:
        client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    polls = 0
    while len(client.list_models(ProjectName=PROJECT)["Models"]) > 0:
        lv.advance(SDK_POLL_SECONDS)
        polls += 1
    client.delete_project(ProjectName=PROJECT)

    assert polls == 1  # the model's deletion takes 5 s; the datasets' are over by then
    assert client.list_projects()["Projects"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_project(ProjectName=PROJECT)


def _sdk_update_datasets(client: Any, lv: Any, dataset_type: dict[str, dict[str, str]]) -> Any:
    """LookoutForVision.update_datasets(dataset_type, wait=True), call for call: DeleteDataset of
    every dataset the project lists, then at once (no sleep, no poll) create_datasets, which calls
    CreateDataset for each and then polls DescribeDataset every 5 s while any is
    CREATE_IN_PROGRESS. The SDK catches a ConflictException from CreateDataset ("Dataset already
    existed in the project") and returns; here it propagates, so a test sees it."""
    for item in client.describe_project(ProjectName=PROJECT)["ProjectDescription"]["Datasets"]:
        client.delete_dataset(ProjectName=PROJECT, DatasetType=item["DatasetType"])
    created = {}
    for key, location in dataset_type.items():
        d_type = "train" if key in ("training", "train") else "test"
        created[key] = client.create_dataset(
            ProjectName=PROJECT,
            DatasetType=d_type,
            DatasetSource={
                "GroundTruthManifest": {
                    "S3Object": {"Bucket": location["bucket"], "Key": location["key"]}
                }
            },
        )["DatasetMetadata"]
    statuses = ["CREATE_IN_PROGRESS"]
    while "CREATE_IN_PROGRESS" in statuses:
        statuses = [
            _dataset_status(client, "train" if key in ("training", "train") else "test")[0]
            for key in dataset_type
        ]
        lv.advance(SDK_POLL_SECONDS)
    return created


def test_the_sdks_update_datasets_replaces_a_dataset_at_once(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    # The SDK creates the new dataset right after DeleteDataset returns, with no wait. The
    # service let it: the guide's way to replace a dataset is "first delete the existing dataset
    # with DeleteDataset and then create a new dataset of the same dataset type by calling
    # CreateDataset" (create-dataset-sdk.md), no wait between, and its DeleteDataset example logs
    # "Dataset deleted." as the call returns (delete-dataset.md), where its DeleteModel example
    # polls ListModels until the model is gone (delete-model.md). The SDK itself answers a
    # ConflictException from CreateDataset with "try updating it with: update_datasets". So a
    # dataset being deleted doesn't block a new one of its type: its deletion ends at once.
    client, lv = lookoutvision_client, lookoutvision_mock
    bucket = testing.IMAGES_BUCKET
    testing.labeled_manifest(
        30, 15, bucket=bucket, key="replacement.manifest", folder="replacement"
    )
    created = _sdk_update_datasets(
        client, lv, {"train": {"bucket": bucket, "key": "replacement.manifest"}}
    )
    assert created["train"]["Status"] == "CREATE_IN_PROGRESS"
    described = client.describe_dataset(ProjectName=PROJECT, DatasetType="train")[
        "DatasetDescription"
    ]
    assert (described["Status"], described["StatusMessage"]) == (
        "CREATE_COMPLETE",
        "The dataset was created successfully.",
    )
    assert described["ImageStats"] == {"Total": 45, "Labeled": 45, "Normal": 30, "Anomaly": 15}
    entries = client.list_dataset_entries(ProjectName=PROJECT, DatasetType="train")
    assert all("/replacement/" in line for line in entries["DatasetEntries"])
    assert _dataset_types(client) == ["train"]


def test_a_deletion_planned_to_fail_still_blocks_the_new_dataset(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    before = client.list_dataset_entries(ProjectName=PROJECT, DatasetType="train")
    lv.next("dataset_deletion").fails("The dataset could not be deleted.")
    client.delete_dataset(ProjectName=PROJECT, DatasetType="train")
    with pytest.raises(client.exceptions.ConflictException) as excinfo:
        client.create_dataset(ProjectName=PROJECT, DatasetType="train")
    error = excinfo.value.response
    assert error["Error"]["Message"] == f"Project {PROJECT} already has a train dataset."
    assert (error["ResourceType"], error["ResourceId"]) == ("DATASET", f"{PROJECT}/train")
    # The deletion ended as planned, and the dataset is as it was.
    assert _dataset_status(client, "train") == (
        "DELETE_FAILED",
        "The dataset could not be deleted.",
    )
    after = client.list_dataset_entries(ProjectName=PROJECT, DatasetType="train")
    assert after["DatasetEntries"] == before["DatasetEntries"]


def test_a_dataset_not_being_deleted_still_blocks_a_new_one(
    lookoutvision_client: Any, project: str
) -> None:
    client = lookoutvision_client
    with pytest.raises(client.exceptions.ConflictException):
        client.create_dataset(ProjectName=PROJECT, DatasetType="train")
    assert _dataset_status(client, "train") == (
        "CREATE_COMPLETE",
        "The dataset was created successfully.",
    )
