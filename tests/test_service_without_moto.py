"""The service reaches S3 and KMS only through the storage it is given: with a dict of objects
and no mock active, a model trains on its images and writes its evaluation."""

from __future__ import annotations

import json

import pytest

from mock_lookoutvision.errors import ConflictException, ValidationException
from mock_lookoutvision.idempotency import Done
from mock_lookoutvision.service.composed import LookoutVisionService
from mock_lookoutvision.storage import Unavailable
from mock_lookoutvision.testing import labeled_lines, make_png, manifest_text


class DictStorage:
    def __init__(self, region_name: str) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.buckets = {"images": region_name, "results": region_name}

    def read(self, bucket: str, key: str, version: str | None = None) -> bytes:
        try:
            return self.objects[bucket, key]
        except KeyError:
            raise Unavailable(f"The object s3://{bucket}/{key} does not exist.") from None

    def head(self, bucket: str, key: str, limit: int, max_size: int) -> tuple[bytes, int]:
        data = self.read(bucket, key)
        return data[:limit], len(data)

    def write(self, bucket: str, key: str, data: bytes) -> None:
        self.objects[bucket, key] = data

    def bucket_region(self, bucket: str) -> str:
        if bucket not in self.buckets:
            raise Unavailable(f"The bucket {bucket} does not exist.")
        return self.buckets[bucket]

    def key_usable(self, key_id: str) -> bool:
        return key_id == "usable-key"


OUTPUT = {"S3Location": {"Bucket": "results", "Prefix": "out/"}}


@pytest.fixture
def service() -> LookoutVisionService:
    storage = DictStorage("eu-west-1")
    lines = labeled_lines(bucket="images", upload=False)
    for number, line in enumerate(lines):
        key = line["source-ref"].removeprefix("s3://images/")
        storage.objects["images", key] = make_png(shade=number)
    storage.objects["images", "train.manifest"] = manifest_text(lines).encode()
    built = LookoutVisionService("210987654321", "eu-west-1", "aws", storage)
    built.create_project("boards")
    source = {"GroundTruthManifest": {"S3Object": {"Bucket": "images", "Key": "train.manifest"}}}
    built.create_dataset("boards", "train", source)
    built.dataset(built.project("boards"), "train").lifecycle.end_now()
    return built


def test_a_model_trains_on_the_given_storage(service: LookoutVisionService) -> None:
    created = service.create_model("boards", OUTPUT)
    assert isinstance(created, Done)
    model = service.find_model("boards", "1")
    assert model.arn == "arn:aws:lookoutvision:eu-west-1:210987654321:model/boards/1"
    model.lifecycle.end_now()
    assert model.lifecycle.status == "TRAINED"
    storage = service.storage
    assert isinstance(storage, DictStorage)
    result = json.loads(storage.objects["results", "out/EvaluationResult-boards-1.json"])
    assert result["EvaluationDetails"]["NumberOfTrainingImages"] == 24
    assert result["EvaluationDetails"]["NumberOfTestingImages"] == 6


def test_the_storage_decides_the_output_bucket_and_the_key(service: LookoutVisionService) -> None:
    with pytest.raises(ValidationException, match="The bucket elsewhere does not exist"):
        service.create_model("boards", {"S3Location": {"Bucket": "elsewhere"}})
    service.create_model("boards", OUTPUT, kms_key_id="unknown-key")
    model = service.find_model("boards", "1")
    model.lifecycle.end_now()
    # What training would find out was known as the model was created: it ends that way.
    assert model.lifecycle.status == "TRAINING_FAILED"
    assert model.lifecycle.status_message == (
        "The KMS key unknown-key was not found or is not enabled."
    )


def test_a_busy_dataset_is_a_conflict(service: LookoutVisionService) -> None:
    service.update_dataset_entries(
        "boards",
        "train",
        # In the dataset's own bucket: added images join their bucket (trial-detection.md).
        manifest_text(labeled_lines(1, 0, bucket="images", upload=False)).encode(),
    )
    with pytest.raises(ConflictException, match="UPDATE_IN_PROGRESS"):
        service.create_model("boards", OUTPUT)
