"""Datasets built from manifests in moto's S3, their entries, updates and deletion."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
import requests
from moto.moto_api import state_manager

from mock_lookoutvision.testing import manifest_text

from .conftest import PROJECT

BUCKET = "lv-images"
MINUTE = timedelta(minutes=1)


def _line(name: str, label: str | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"source-ref": f"s3://{BUCKET}/{name}.jpg"}
    if label is not None:
        line["anomaly-label"] = 1 if label == "anomaly" else 0
        line["anomaly-label-metadata"] = {"class-name": label, "human-annotated": "yes"}
    return line


MANIFEST = [
    _line("good-1", "normal"),
    _line("good-2", "normal"),
    _line("good-3", "normal"),
    _line("bad-1", "anomaly"),
    _line("unlabeled-1"),
]


@pytest.fixture
def project(lookoutvision_client: Any) -> str:
    """A project without datasets (unlike the shared fixture): these tests make their own."""
    lookoutvision_client.create_project(ProjectName=PROJECT)
    return PROJECT


@pytest.fixture
def s3(lookoutvision_mock: Any) -> Any:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="train.manifest", Body=manifest_text(MANIFEST))
    return client


def _source(key: str = "train.manifest", bucket: str = BUCKET, **extra: str) -> dict[str, Any]:
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Key": key, **extra}}}


def _describe(client: Any, dataset_type: str = "train") -> dict[str, Any]:
    description: dict[str, Any] = client.describe_dataset(
        ProjectName=PROJECT, DatasetType=dataset_type
    )["DatasetDescription"]
    return description


def _entries(client: Any, **filters: Any) -> list[str]:
    pages = client.get_paginator("list_dataset_entries").paginate(
        ProjectName=PROJECT, DatasetType="train", **filters
    )
    return [
        json.loads(e)["source-ref"].rsplit("/", 1)[1] for p in pages for e in p["DatasetEntries"]
    ]


@pytest.fixture
def train(lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any) -> Any:
    """A project whose train dataset was created from MANIFEST and has finished."""
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=_source()
    )
    lookoutvision_mock.advance(MINUTE)
    return lookoutvision_client


def test_create_from_a_manifest_moves_on_the_clock(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any
) -> None:
    created = lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=_source()
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["DatasetMetadata"]["Status"] == "CREATE_IN_PROGRESS"
    assert _describe(lookoutvision_client)["Status"] == "CREATE_IN_PROGRESS"
    lookoutvision_mock.advance(MINUTE)
    described = _describe(lookoutvision_client)
    assert described["Status"] == "CREATE_COMPLETE"
    assert described["StatusMessage"] == "The dataset was created successfully."
    assert described["ImageStats"] == {"Total": 5, "Labeled": 4, "Normal": 3, "Anomaly": 1}
    datasets = lookoutvision_client.describe_project(ProjectName=PROJECT)["ProjectDescription"][
        "Datasets"
    ]
    assert [(d["DatasetType"], d["Status"]) for d in datasets] == [("train", "CREATE_COMPLETE")]


def test_an_empty_dataset_needs_no_source_and_is_created_at_once(
    lookoutvision_client: Any, project: str
) -> None:
    # "an empty dataset is created and the operation synchronously returns" (API reference)
    created = lookoutvision_client.create_dataset(ProjectName=PROJECT, DatasetType="test")
    assert created["DatasetMetadata"]["Status"] == "CREATE_COMPLETE"
    described = _describe(lookoutvision_client, "test")
    assert described["Status"] == "CREATE_COMPLETE"
    assert described["ImageStats"] == {"Total": 0, "Labeled": 0, "Normal": 0, "Anomaly": 0}


def test_a_member_sent_as_json_null_is_read_as_not_sent(
    lookoutvision_mock: Any, lookoutvision_client: Any, project: str
) -> None:
    # Found by tests/test_fuzz.py: a null GroundTruthManifest reached the handler as None and
    # escaped as an AttributeError. AWS's JSON front end reads a null member as one not sent.
    answer = requests.post(
        f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}/datasets",
        data=json.dumps({"DatasetType": "test", "DatasetSource": {"GroundTruthManifest": None}}),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["DatasetMetadata"]["Status"] == "CREATE_COMPLETE"  # an empty dataset
    assert lookoutvision_mock.calls()[-1].parameters["DatasetSource"] == {}
    assert _describe(lookoutvision_client, "test")["ImageStats"]["Total"] == 0


def test_one_dataset_of_each_type(train: Any) -> None:
    with pytest.raises(train.exceptions.ConflictException) as excinfo:
        train.create_dataset(ProjectName=PROJECT, DatasetType="train")
    assert excinfo.value.response["ResourceType"] == "DATASET"
    train.create_dataset(ProjectName=PROJECT, DatasetType="test")
    types = [
        d["DatasetType"]
        for d in train.describe_project(ProjectName=PROJECT)["ProjectDescription"]["Datasets"]
    ]
    assert types == ["train", "test"]


@pytest.mark.parametrize("dataset_type", ["validation", "TRAIN", "train2"])
def test_dataset_type_is_validated(unchecked_client: Any, project: str, dataset_type: str) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.create_dataset(ProjectName=PROJECT, DatasetType=dataset_type)
    assert "'datasetType'" in excinfo.value.response["Error"]["Message"]
    datasets = unchecked_client.describe_project(ProjectName=PROJECT)["ProjectDescription"][
        "Datasets"
    ]
    assert datasets == []


def test_unknown_project_and_dataset_are_not_found(lookoutvision_client: Any, project: str) -> None:
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException) as excinfo:
        lookoutvision_client.describe_dataset(ProjectName=PROJECT, DatasetType="train")
    assert excinfo.value.response["ResourceType"] == "DATASET"
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException) as excinfo:
        lookoutvision_client.create_dataset(ProjectName="missing", DatasetType="train")
    assert excinfo.value.response["ResourceType"] == "PROJECT"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (_source(bucket="no-such-bucket"), "The bucket no-such-bucket does not exist."),
        (_source(key="missing.manifest"), f"s3://{BUCKET}/missing.manifest"),
        (_source(VersionId="no-such-version"), "version no-such-version"),
        (_source(key="broken.manifest"), "Line 2 is not valid JSON."),
        (_source(key="no-source-ref.manifest"), "Line 1 has no source-ref"),
    ],
    ids=["bucket", "key", "version", "malformed", "no-source-ref"],
)
def test_unreadable_manifests_fail_the_creation_with_a_message(
    lookoutvision_client: Any,
    lookoutvision_mock: Any,
    project: str,
    s3: Any,
    source: dict[str, Any],
    message: str,
) -> None:
    s3.put_object(Bucket=BUCKET, Key="broken.manifest", Body=json.dumps(_line("a")) + "\n{oops\n")
    s3.put_object(Bucket=BUCKET, Key="no-source-ref.manifest", Body='{"anomaly-label": 0}\n')
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=source
    )
    lookoutvision_mock.advance(MINUTE)
    described = _describe(lookoutvision_client)
    assert described["Status"] == "CREATE_FAILED"
    assert message in described["StatusMessage"]
    assert described["ImageStats"]["Total"] == 0
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        lookoutvision_client.update_dataset_entries(
            ProjectName=PROJECT, DatasetType="train", Changes=json.dumps(_line("x")).encode()
        )


def test_a_manifest_version_is_read_as_it_was(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any
) -> None:
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=BUCKET, Key="v.manifest", Body=manifest_text(MANIFEST[:2]))[
        "VersionId"
    ]
    s3.put_object(Bucket=BUCKET, Key="v.manifest", Body=manifest_text(MANIFEST))
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT,
        DatasetType="train",
        DatasetSource=_source("v.manifest", VersionId=first),
    )
    lookoutvision_mock.advance(MINUTE)
    assert _describe(lookoutvision_client)["ImageStats"]["Total"] == 2


def test_list_entries_returns_the_lines_as_given(train: Any) -> None:
    listed = train.list_dataset_entries(ProjectName=PROJECT, DatasetType="train")["DatasetEntries"]
    assert [json.loads(line) for line in listed] == MANIFEST


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"Labeled": True}, ["good-1.jpg", "good-2.jpg", "good-3.jpg", "bad-1.jpg"]),
        ({"Labeled": False}, ["unlabeled-1.jpg"]),
        ({"AnomalyClass": "anomaly"}, ["bad-1.jpg"]),
        ({"AnomalyClass": "normal", "SourceRefContains": "good-2"}, ["good-2.jpg"]),
        ({"SourceRefContains": "nothing"}, []),
    ],
    ids=["labeled", "unlabeled", "anomaly", "normal-and-name", "no-match"],
)
def test_list_entries_filters(train: Any, filters: dict[str, Any], names: list[str]) -> None:
    assert _entries(train, **filters) == names


def test_list_entries_filters_by_when_entries_were_added(
    train: Any, lookoutvision_mock: Any
) -> None:
    middle = lookoutvision_mock.now()
    lookoutvision_mock.advance(MINUTE)
    train.update_dataset_entries(
        ProjectName=PROJECT,
        DatasetType="train",
        Changes=manifest_text([_line("late-1", "normal")]).encode(),
    )
    assert _entries(train, AfterCreationDate=middle) == ["late-1.jpg"]
    assert len(_entries(train, BeforeCreationDate=middle)) == 5


def test_list_entries_pages(train: Any) -> None:
    first = train.list_dataset_entries(ProjectName=PROJECT, DatasetType="train", MaxResults=2)
    assert len(first["DatasetEntries"]) == 2
    pages = list(
        train.get_paginator("list_dataset_entries").paginate(
            ProjectName=PROJECT, DatasetType="train", PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["DatasetEntries"]) for p in pages] == [2, 2, 1]
    with pytest.raises(train.exceptions.ValidationException):
        train.list_models(ProjectName=PROJECT, NextToken=first["NextToken"])


def test_update_adds_and_replaces_entries_by_source_ref(
    train: Any, lookoutvision_mock: Any
) -> None:
    changes = manifest_text([_line("unlabeled-1", "anomaly"), _line("new-1", "normal")])
    answer = train.update_dataset_entries(
        ProjectName=PROJECT, DatasetType="train", Changes=changes.encode()
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert answer["Status"] == "UPDATE_IN_PROGRESS"
    with pytest.raises(train.exceptions.ConflictException):
        train.update_dataset_entries(
            ProjectName=PROJECT, DatasetType="train", Changes=changes.encode()
        )
    lookoutvision_mock.advance(MINUTE)
    described = _describe(train)
    assert described["Status"] == "UPDATE_COMPLETE"
    assert described["ImageStats"] == {"Total": 6, "Labeled": 6, "Normal": 4, "Anomaly": 2}
    assert _entries(train)[-2:] == ["unlabeled-1.jpg", "new-1.jpg"]


@pytest.mark.parametrize(
    "changes",
    [b"{not json}", b'{"anomaly-label": 1}', b"\n\n"],
    ids=["malformed", "no-source-ref", "empty"],
)
def test_invalid_changes_are_refused_and_change_nothing(train: Any, changes: bytes) -> None:
    with pytest.raises(train.exceptions.ValidationException):
        train.update_dataset_entries(ProjectName=PROJECT, DatasetType="train", Changes=changes)
    described = _describe(train)
    assert described["Status"] == "CREATE_COMPLETE"
    assert described["ImageStats"]["Total"] == 5


def test_changes_must_be_base64_on_the_wire(train: Any) -> None:
    url = f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}/datasets/train/entries"
    bad = requests.patch(url, json={"Changes": "%%% not base64 %%%"}, timeout=5)
    assert bad.status_code == 400
    assert bad.headers["x-amzn-ErrorType"] == "SerializationException"
    good = requests.patch(
        url,
        json={"Changes": base64.b64encode(json.dumps(_line("raw-1")).encode()).decode()},
        timeout=5,
    )
    assert good.status_code == 202
    assert _describe(train)["ImageStats"]["Total"] == 6


def test_delete_goes_through_delete_in_progress(train: Any, lookoutvision_mock: Any) -> None:
    with pytest.raises(train.exceptions.ConflictException):
        train.delete_project(ProjectName=PROJECT)
    deleted = train.delete_dataset(ProjectName=PROJECT, DatasetType="train")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert _describe(train)["Status"] == "DELETE_IN_PROGRESS"
    lookoutvision_mock.advance(MINUTE)
    with pytest.raises(train.exceptions.ResourceNotFoundException):
        _describe(train)
    train.delete_project(ProjectName=PROJECT)
    assert train.list_projects()["Projects"] == []


def test_a_busy_dataset_cannot_be_deleted(lookoutvision_client: Any, project: str, s3: Any) -> None:
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=_source()
    )
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        lookoutvision_client.delete_dataset(ProjectName=PROJECT, DatasetType="train")
    assert _describe(lookoutvision_client)["Status"] == "CREATE_IN_PROGRESS"


def test_handle_finishes_and_fails_dataset_steps(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any
) -> None:
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=_source()
    )
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert _describe(lookoutvision_client)["Status"] == "CREATE_COMPLETE"
    lookoutvision_client.update_dataset_entries(
        ProjectName=PROJECT,
        DatasetType="train",
        Changes=json.dumps(_line("extra", "normal")).encode(),
    )
    assert _describe(lookoutvision_client)["ImageStats"]["Total"] == 6
    lookoutvision_mock.dataset(PROJECT, "train").update.fail("Some images are not in the bucket.")
    described = _describe(lookoutvision_client)
    assert described["Status"] == "UPDATE_FAILED_ROLLBACK_COMPLETE"
    assert described["StatusMessage"] == "Some images are not in the bucket."
    assert described["ImageStats"]["Total"] == 5


def test_dataset_steps_follow_moto_state_manager(
    lookoutvision_client: Any, project: str, s3: Any
) -> None:
    state_manager.set_transition("lookoutvision::dataset", {"progression": "immediate"})
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=_source()
    )
    assert _describe(lookoutvision_client)["Status"] == "CREATE_COMPLETE"


def test_create_dataset_token_replays(lookoutvision_client: Any, project: str) -> None:
    first = lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="test", ClientToken="ds-1"
    )
    again = lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="test", ClientToken="ds-1"
    )
    assert (
        again["DatasetMetadata"]["CreationTimestamp"]
        == first["DatasetMetadata"]["CreationTimestamp"]
    )
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        lookoutvision_client.create_dataset(
            ProjectName=PROJECT, DatasetType="train", ClientToken="ds-1"
        )


def test_the_class_name_decides_the_label(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any
) -> None:
    # The guide: the label's value "isn't used"; class-name decides; other names are unlabeled;
    # the label attribute may have any name with a matching -metadata object.
    lines = [
        {**_line("a"), "anomaly-label": 1, "anomaly-label-metadata": {"class-name": "normal"}},
        {**_line("b"), "my-label": 0, "my-label-metadata": {"class-name": "anomaly"}},
        {**_line("c"), "anomaly-label": 1, "anomaly-label-metadata": {"class-name": "scratch"}},
        {**_line("d"), "orphan-metadata": {"class-name": "anomaly"}},
    ]
    s3.put_object(Bucket=BUCKET, Key="classes.manifest", Body=manifest_text(lines))
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="train", DatasetSource=_source("classes.manifest")
    )
    lookoutvision_mock.advance(MINUTE)
    stats = _describe(lookoutvision_client)["ImageStats"]
    assert stats == {"Total": 4, "Labeled": 2, "Normal": 1, "Anomaly": 1}


def test_a_test_dataset_holds_at_most_4000_images(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any
) -> None:
    # limits.md: 16,000 images in a training dataset, 4,000 in a test dataset.
    s3.put_object(
        Bucket=BUCKET, Key="big.manifest", Body=manifest_text([_line(f"i{n}") for n in range(4001)])
    )
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="test", DatasetSource=_source("big.manifest")
    )
    lookoutvision_mock.advance(MINUTE)
    failed = _describe(lookoutvision_client, "test")
    assert failed["Status"] == "CREATE_FAILED"
    assert "at most 4000 images" in failed["StatusMessage"]


def test_an_update_may_not_grow_a_dataset_past_its_limit(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, s3: Any
) -> None:
    s3.put_object(
        Bucket=BUCKET,
        Key="full.manifest",
        Body=manifest_text([_line(f"i{n}") for n in range(4000)]),
    )
    lookoutvision_client.create_dataset(
        ProjectName=PROJECT, DatasetType="test", DatasetSource=_source("full.manifest")
    )
    lookoutvision_mock.advance(MINUTE)
    replace = manifest_text([_line("i1", "normal")]).encode()
    lookoutvision_client.update_dataset_entries(
        ProjectName=PROJECT, DatasetType="test", Changes=replace
    )
    lookoutvision_mock.advance(MINUTE)
    with pytest.raises(lookoutvision_client.exceptions.ValidationException, match="at most 4000"):
        lookoutvision_client.update_dataset_entries(
            ProjectName=PROJECT,
            DatasetType="test",
            Changes=manifest_text([_line("one-more")]).encode(),
        )
    assert _describe(lookoutvision_client, "test")["ImageStats"]["Total"] == 4000
