"""What AWS's own client code and the developer guide show of the service: the flows of AWS's
Python SDK for the service (PyPI ``lookoutvision`` 0.1.10) replayed as plain boto3 calls, manifest
lines exported from a real project, the one-bucket rule for a dataset's images, and images whose
data is broken behind an intact header."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from PIL import Image

from mock_lookoutvision import images, testing

from .conftest import PROJECT, create_dataset_from, create_model

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
    lv.advance(1)
    with pytest.raises(client.exceptions.ConflictException) as excinfo:
        client.create_dataset(ProjectName=PROJECT, DatasetType="train")
    error = excinfo.value.response
    assert error["Error"]["Message"] == f"Project {PROJECT} already has a train dataset."
    assert (error["ResourceType"], error["ResourceId"]) == ("DATASET", f"{PROJECT}/train")
    # The refused call changed nothing: the deletion is still in progress ...
    assert _dataset_status(client, "train") == (
        "DELETE_IN_PROGRESS",
        "The dataset is being deleted.",
    )
    assert lv.dataset(PROJECT, "train").deletion.in_progress
    assert _dataset_types(client) == ["train"]
    # ... and fails as planned when its time (5 s from DeleteDataset) is up, not earlier.
    lv.advance(3.9)
    assert _dataset_status(client, "train")[0] == "DELETE_IN_PROGRESS"
    lv.advance(0.1)
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


# 2. Segmentation lines exported from a real project: no BACKGROUND entry ------------------------

# A line as a real project exports it (ListDatasetEntries): its one anomaly label is entry "0",
# and no entry names BACKGROUND.
EXPORTED_LINE = (
    '{"source-ref":"s3://lv-images/exported/cracked-1.png","anomaly-label":1,'
    '"anomaly-label-metadata":{"class-name":"anomaly","creation-date":"2022-03-04T10:11:12.131",'
    '"human-annotated":"yes","job-name":"labeling-job/classification-job",'
    '"type":"groundtruth/image-classification","confidence":1},'
    '"anomaly-mask-ref":"s3://lv-images/exported/cracked-1-mask.png",'
    '"anomaly-mask-ref-metadata":{"internal-color-map":'
    '{"0":{"class-name":"cracked","hex-color":"#23A436"}},'
    '"type":"groundtruth/semantic-segmentation","human-annotated":"yes",'
    '"creation-date":"2022-03-04T10:11:12.131","job-name":"labeling-job/segmentation-job"}}'
)


def _entries(client: Any, dataset_type: str = "train") -> list[str]:
    pages = client.get_paginator("list_dataset_entries").paginate(
        ProjectName=PROJECT, DatasetType=dataset_type
    )
    return [line for page in pages for line in page["DatasetEntries"]]


def test_an_exported_segmentation_line_is_stored_and_listed_unchanged(
    bare: Any, lookoutvision_mock: Any
) -> None:
    create_dataset_from(bare, "train", EXPORTED_LINE + "\n")
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert _dataset_status(bare, "train") == (
        "CREATE_COMPLETE",
        "The dataset was created successfully.",
    )
    assert _entries(bare) == [EXPORTED_LINE]
    # An update may add such a line too.
    added = EXPORTED_LINE.replace("cracked-1", "cracked-2")
    bare.update_dataset_entries(ProjectName=PROJECT, DatasetType="train", Changes=added.encode())
    lookoutvision_mock.dataset(PROJECT, "train").update.finish()
    assert _dataset_status(bare, "train")[0] == "UPDATE_COMPLETE"
    assert _entries(bare) == [EXPORTED_LINE, added]


def test_exported_lines_train_a_segmentation_model(bare: Any, lookoutvision_mock: Any) -> None:
    # The helper's manifest, as a project would export it: each map without its BACKGROUND
    # entry, the label renumbered to "0".
    source = testing.segmentation_manifest(labels=("cracked",), key="full.manifest")
    s3 = boto3.client("s3", region_name="us-east-1")
    lines = [
        json.loads(line)
        for line in s3.get_object(Bucket=testing.IMAGES_BUCKET, Key="full.manifest")["Body"]
        .read()
        .decode()
        .splitlines()
    ]
    for line in lines:
        metadata = line.get("anomaly-mask-ref-metadata")
        if metadata is not None:
            metadata["internal-color-map"] = {"0": metadata["internal-color-map"]["1"]}
    assert source["GroundTruthManifest"]["S3Object"]["Bucket"] == testing.IMAGES_BUCKET
    create_dataset_from(bare, "train", testing.manifest_text(lines))
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    create_model(bare)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    model = bare.describe_model(ProjectName=PROJECT, ModelVersion="1")["ModelDescription"]
    assert (model["Status"], model["StatusMessage"]) == (
        "TRAINED",
        "Training completed successfully.",
    )
    result = json.loads(
        s3.get_object(
            Bucket=model["EvaluationResult"]["Bucket"], Key=model["EvaluationResult"]["Key"]
        )["Body"].read()
    )
    per_label = result["AggregatedEvaluationResults"]["Metrics"]["PixelAnomalyClassMetrics"]
    assert [m["ClassName"] for m in per_label] == ["cracked"]


def _with_color_map(color_map: Any) -> str:
    line = json.loads(EXPORTED_LINE)
    line["anomaly-mask-ref-metadata"]["internal-color-map"] = color_map
    return json.dumps(line)


BACKGROUND = {"class-name": "BACKGROUND", "hex-color": "#ffffff"}
MALFORMED_COLOR_MAPS = [
    (
        _with_color_map({"0": {"class-name": "cracked", "hex-color": "green"}}),
        "Line 1 has an internal-color-map that has no #rrggbb hex-color in entry '0'.",
    ),
    (
        _with_color_map({"0": {"hex-color": "#23A436"}}),
        "Line 1 has an internal-color-map that has no class-name in entry '0'.",
    ),
    (
        _with_color_map({"0": ["cracked", "#23A436"]}),
        "Line 1 has an internal-color-map that has a non-object entry '0'.",
    ),
    (
        _with_color_map(
            {
                "0": {"class-name": "cracked", "hex-color": "#23A436"},
                "1": {"class-name": "dented", "hex-color": "#23a436"},
            }
        ),
        "Line 1 has an internal-color-map that gives the color #23a436 of another entry to dented.",
    ),
    (
        _with_color_map({"0": {**BACKGROUND, "hex-color": "#000000"}}),
        "Line 1 has an internal-color-map that doesn't give BACKGROUND the color #ffffff.",
    ),
    (
        _with_color_map({"0": BACKGROUND, "1": {"class-name": "cracked", "hex-color": "#FFFFFF"}}),
        "Line 1 has an internal-color-map that gives the color #FFFFFF of another entry to "
        "cracked.",
    ),
    (
        _with_color_map({"0": {"class-name": "cracked", "hex-color": "#FFFFFF"}}),
        "Line 1 has an internal-color-map that gives cracked the color #FFFFFF of a mask's "
        "background.",
    ),
    (
        _with_color_map(["cracked", "#23A436"]),
        "Line 1 has no internal-color-map object.",
    ),
]
MALFORMED_IDS = [
    "bad-color",
    "no-class-name",
    "entry-not-an-object",
    "shared-color",
    "background-not-white",
    "label-white-beside-background",
    "label-white-alone",
    "map-not-an-object",
]


@pytest.mark.parametrize(("line", "problem"), MALFORMED_COLOR_MAPS, ids=MALFORMED_IDS)
def test_a_malformed_color_map_still_fails_the_dataset(
    bare: Any, lookoutvision_mock: Any, line: str, problem: str
) -> None:
    create_dataset_from(bare, "train", line + "\n")
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert _dataset_status(bare, "train") == (
        "CREATE_FAILED",
        f"The manifest file is not valid: {problem}",
    )
    assert _entries(bare) == []


@pytest.mark.parametrize(("line", "problem"), MALFORMED_COLOR_MAPS, ids=MALFORMED_IDS)
def test_a_malformed_color_map_is_refused_by_an_update(
    bare: Any, lookoutvision_mock: Any, line: str, problem: str
) -> None:
    create_dataset_from(bare, "train", EXPORTED_LINE + "\n")
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    with pytest.raises(bare.exceptions.ValidationException) as excinfo:
        bare.update_dataset_entries(ProjectName=PROJECT, DatasetType="train", Changes=line.encode())
    assert excinfo.value.response["Error"]["Message"] == f"The changes are not valid: {problem}"
    assert _dataset_status(bare, "train")[0] == "CREATE_COMPLETE"
    assert _entries(bare) == [EXPORTED_LINE]


# 3. A dataset's images are all in one bucket ----------------------------------------------------

OTHER_BUCKET = "lv-other-images"


def _lines(bucket: str, folder: str, count: int = 3) -> list[dict[str, Any]]:
    return testing.labeled_lines(count, 0, bucket=bucket, folder=folder, upload=False)


def _create_from(client: Any, lines: list[dict[str, Any]], manifest_bucket: str) -> None:
    source = testing.put_manifest(lines, bucket=manifest_bucket, key="one-bucket.manifest")
    client.create_dataset(ProjectName=PROJECT, DatasetType="train", DatasetSource=source)


def test_the_manifest_may_be_in_another_bucket_than_its_images(
    bare: Any, lookoutvision_mock: Any
) -> None:
    # "The manifest file can be in a different bucket." (manifest-files.md)
    lines = _lines(testing.IMAGES_BUCKET, "here")
    _create_from(bare, lines, manifest_bucket="lv-manifests")
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert _dataset_status(bare, "train") == (
        "CREATE_COMPLETE",
        "The dataset was created successfully.",
    )
    assert [json.loads(line) for line in _entries(bare)] == lines


@pytest.mark.parametrize("manifest_bucket", [testing.IMAGES_BUCKET, OTHER_BUCKET])
def test_a_manifest_with_images_in_two_buckets_fails_the_dataset(
    bare: Any, lookoutvision_mock: Any, manifest_bucket: str
) -> None:
    lines = _lines(testing.IMAGES_BUCKET, "here", 2) + _lines(OTHER_BUCKET, "there", 1)
    _create_from(bare, lines, manifest_bucket)
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert _dataset_status(bare, "train") == (
        "CREATE_FAILED",
        "The manifest file is not valid: Line 3 names an image in the bucket lv-other-images; a "
        "dataset's images must all be in one bucket, and line 1's image is in lv-images.",
    )
    assert _entries(bare) == []


def test_a_mask_in_another_bucket_fails_the_dataset(bare: Any, lookoutvision_mock: Any) -> None:
    line = json.loads(EXPORTED_LINE)
    line["anomaly-mask-ref"] = f"s3://{OTHER_BUCKET}/masks/cracked-1-mask.png"
    create_dataset_from(bare, "train", json.dumps(line) + "\n")
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert _dataset_status(bare, "train") == (
        "CREATE_FAILED",
        "The manifest file is not valid: Line 1 names a mask in the bucket lv-other-images; a "
        "dataset's images must all be in one bucket, and line 1's image is in lv-images.",
    )
    assert _entries(bare) == []


def test_an_update_adds_images_from_the_datasets_bucket(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client = lookoutvision_client
    before = _entries(client)
    added = _lines(testing.IMAGES_BUCKET, "added")
    answer = client.update_dataset_entries(
        ProjectName=PROJECT, DatasetType="train", Changes=testing.manifest_text(added).encode()
    )
    assert answer["Status"] == "UPDATE_IN_PROGRESS"
    lookoutvision_mock.dataset(PROJECT, "train").update.finish()
    assert _dataset_status(client, "train")[0] == "UPDATE_COMPLETE"
    assert _entries(client) == before + [json.dumps(line) for line in added]


def test_an_update_with_images_from_another_bucket_is_refused(
    lookoutvision_client: Any, project: str
) -> None:
    # Images added later "must be in the same S3 bucket as the images in your dataset"
    # (trial-detection.md): the bucket of the images already in it, not that of its manifest.
    client = lookoutvision_client
    before = _entries(client)
    changes = _lines(testing.IMAGES_BUCKET, "added", 1) + _lines(OTHER_BUCKET, "elsewhere", 1)
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.update_dataset_entries(
            ProjectName=PROJECT,
            DatasetType="train",
            Changes=testing.manifest_text(changes).encode(),
        )
    assert excinfo.value.response["Error"]["Message"] == (
        "The changes are not valid: Line 2 names an image in the bucket lv-other-images; a "
        "dataset's images must all be in one bucket, and the dataset's images are in lv-images."
    )
    assert _dataset_status(client, "train") == (
        "CREATE_COMPLETE",
        "The dataset was created successfully.",
    )
    assert _entries(client) == before


def test_the_first_images_of_an_empty_dataset_choose_its_bucket(bare: Any) -> None:
    bare.create_dataset(ProjectName=PROJECT, DatasetType="test")
    mixed = _lines(OTHER_BUCKET, "first", 1) + _lines(testing.IMAGES_BUCKET, "second", 1)
    with pytest.raises(bare.exceptions.ValidationException) as excinfo:
        bare.update_dataset_entries(
            ProjectName=PROJECT, DatasetType="test", Changes=testing.manifest_text(mixed).encode()
        )
    assert excinfo.value.response["Error"]["Message"] == (
        "The changes are not valid: Line 2 names an image in the bucket lv-images; a dataset's "
        "images must all be in one bucket, and line 1's image is in lv-other-images."
    )
    assert _entries(bare, "test") == []
    first = _lines(OTHER_BUCKET, "first", 2)
    bare.update_dataset_entries(
        ProjectName=PROJECT, DatasetType="test", Changes=testing.manifest_text(first).encode()
    )
    assert _entries(bare, "test") == [json.dumps(line) for line in first]


# 4. Images are decoded, once per distinct image -------------------------------------------------


def _noisy(image_format: str, seed: int) -> bytes:
    """A real 64x64 image of noise (so its data is large enough to cut into), PNG or JPEG."""
    image = Image.frombytes("L", (64, 64), random.Random(seed).randbytes(64 * 64))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _truncated(image_format: str, seed: int) -> bytes:
    """The first three fifths of a real image: the header, and only part of the data."""
    whole = _noisy(image_format, seed)
    cut = whole[: len(whole) * 3 // 5]
    kind = images.PNG if image_format == "PNG" else images.JPEG
    assert images.dimensions(cut, kind) == (64, 64)  # the header alone says nothing is wrong
    return cut


@pytest.fixture
def decodings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The decodings made from now on (each one's type); the cache starts empty."""
    made: list[str] = []
    decode = images._decode

    def counted(data: bytes, kind: str) -> bool:
        made.append(kind)
        return decode(data, kind)

    images.decode_cache.clear()
    monkeypatch.setattr(images, "_decode", counted)
    yield made
    images.decode_cache.clear()


@pytest.fixture
def hosted(lookoutvision_client: Any, lookoutvision_mock: Any) -> Any:
    testing.hosted_model(lookoutvision_mock, PROJECT)
    return lookoutvision_client


def _detect(client: Any, body: bytes, content_type: str) -> dict[str, Any]:
    result: dict[str, Any] = client.detect_anomalies(
        ProjectName=PROJECT, ModelVersion="1", Body=body, ContentType=content_type
    )["DetectAnomalyResult"]
    return result


@pytest.mark.parametrize(
    ("image_format", "content_type", "message"),
    [
        ("PNG", "image/png", "The image is not a valid PNG image."),
        ("JPEG", "image/jpeg", "The image is not a valid JPEG image."),
    ],
    ids=["png", "jpeg"],
)
def test_detect_anomalies_refuses_a_truncated_image(
    hosted: Any, image_format: str, content_type: str, message: str
) -> None:
    # The same refusal as for a body that isn't that type of image at all.
    with pytest.raises(hosted.exceptions.ValidationException) as excinfo:
        _detect(hosted, b"not an image", content_type)
    assert excinfo.value.response["Error"]["Message"] == message
    with pytest.raises(hosted.exceptions.ValidationException) as excinfo:
        _detect(hosted, _truncated(image_format, 1), content_type)
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert excinfo.value.response["Error"]["Message"] == message
    # The whole image is answered, and the model is as it was.
    whole = _noisy(image_format, 1)
    assert _detect(hosted, whole, content_type)["Source"] == {"Type": "direct"}
    described = hosted.describe_model(ProjectName=PROJECT, ModelVersion="1")["ModelDescription"]
    assert described["Status"] == "HOSTED"


def test_a_corrupt_png_is_refused_too(hosted: Any) -> None:
    whole = bytearray(_noisy("PNG", 2))
    whole[len(whole) // 2] ^= 0xFF  # one byte of the compressed data changed: its checksum fails
    with pytest.raises(hosted.exceptions.ValidationException) as excinfo:
        _detect(hosted, bytes(whole), "image/png")
    assert excinfo.value.response["Error"]["Message"] == "The image is not a valid PNG image."


def _train_with(client: Any, lv: Any, key: str, body: bytes) -> dict[str, Any]:
    output = testing.ready_project(lv, PROJECT)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket=testing.IMAGES_BUCKET, Key=key, Body=body)
    create_model(client, OutputConfig=output)
    lv.model(PROJECT, "1").training.finish()
    described: dict[str, Any] = client.describe_model(ProjectName=PROJECT, ModelVersion="1")[
        "ModelDescription"
    ]
    return described


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_truncated_image_fails_the_training(
    lookoutvision_client: Any, lookoutvision_mock: Any, image_format: str
) -> None:
    key = f"{PROJECT}/train/anomaly-3.png"
    failed = _train_with(lookoutvision_client, lookoutvision_mock, key, _truncated(image_format, 3))
    # As an image that is no PNG or JPEG at all fails it (test_training.py).
    assert (failed["Status"], failed["StatusMessage"]) == (
        "TRAINING_FAILED",
        f"The image s3://{testing.IMAGES_BUCKET}/{key} is not a PNG or JPEG image.",
    )
    assert "Performance" not in failed
    assert "EvaluationResult" not in failed
    written = boto3.client("s3", region_name="us-east-1").list_objects_v2(
        Bucket=testing.OUTPUT_BUCKET
    )
    assert written.get("Contents", []) == []


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_whole_noisy_image_trains(
    lookoutvision_client: Any, lookoutvision_mock: Any, image_format: str
) -> None:
    key = f"{PROJECT}/train/anomaly-3.png"
    trained = _train_with(lookoutvision_client, lookoutvision_mock, key, _noisy(image_format, 3))
    assert (trained["Status"], trained["StatusMessage"]) == (
        "TRAINED",
        "Training completed successfully.",
    )


def test_a_truncated_mask_fails_the_training(bare: Any, lookoutvision_mock: Any) -> None:
    testing.segmentation_manifest(labels=("scratch",), key="masks.manifest")
    s3 = boto3.client("s3", region_name="us-east-1")
    mask = testing.make_mask(64, 64, "#ff0000")
    s3.put_object(Bucket=testing.IMAGES_BUCKET, Key="images/scratch-4-mask.png", Body=mask[:-30])
    source = {
        "GroundTruthManifest": {
            "S3Object": {"Bucket": testing.IMAGES_BUCKET, "Key": "masks.manifest"}
        }
    }
    bare.create_dataset(ProjectName=PROJECT, DatasetType="train", DatasetSource=source)
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    create_model(bare)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    failed = bare.describe_model(ProjectName=PROJECT, ModelVersion="1")["ModelDescription"]
    assert (failed["Status"], failed["StatusMessage"]) == (
        "TRAINING_FAILED",
        f"The mask s3://{testing.IMAGES_BUCKET}/images/scratch-4-mask.png is not a PNG image.",
    )


def test_detect_anomalies_decodes_each_distinct_image_once(
    hosted: Any, decodings: list[str]
) -> None:
    whole, cut = _noisy("PNG", 5), _truncated("PNG", 5)
    for _ in range(3):
        _detect(hosted, whole, "image/png")
        with pytest.raises(hosted.exceptions.ValidationException):
            _detect(hosted, cut, "image/png")
    assert decodings == [images.PNG, images.PNG]
    # The same bytes sent as a JPEG are another question (and refused without decoding: the
    # header isn't a JPEG's).
    with pytest.raises(hosted.exceptions.ValidationException):
        _detect(hosted, whole, "image/jpeg")
    assert decodings == [images.PNG, images.PNG]
    assert (images.decode_cache.decoded, images.decode_cache.hits) == (2, 4)


def test_training_decodes_each_distinct_image_once(
    lookoutvision_client: Any, lookoutvision_mock: Any, decodings: list[str]
) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    output = testing.ready_project(lv, PROJECT)
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = [
        json.loads(line)["source-ref"].removeprefix(f"s3://{testing.IMAGES_BUCKET}/")
        for line in _entries(client)
    ]
    contents = {s3.get_object(Bucket=testing.IMAGES_BUCKET, Key=key)["Body"].read() for key in keys}
    # The helper's images repeat (normal-n and anomaly-n share a shade): fewer contents than keys.
    assert (len(keys), len(contents)) == (30, 20)
    for version in ("1", "2"):
        create_model(client, OutputConfig=output)
        lv.model(PROJECT, version).training.finish()
        described = client.describe_model(ProjectName=PROJECT, ModelVersion=version)
        assert described["ModelDescription"]["Status"] == "TRAINED"
    assert len(decodings) == len(contents)


def test_the_decode_cache_is_bounded(decodings: list[str]) -> None:
    cache = images.DecodeCache(maxsize=2)
    first, second, third = (_noisy("PNG", seed) for seed in (6, 7, 8))
    for data in (first, second, first, third):  # third evicts second, the least recently used
        assert cache.decodes(data, images.PNG)
    assert len(cache) == 2
    assert len(decodings) == 3
    assert cache.decodes(first, images.PNG)
    assert len(decodings) == 3
    assert cache.decodes(second, images.PNG)
    assert len(decodings) == 4
