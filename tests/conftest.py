"""Shared helpers. The ``lookoutvision_mock`` and ``lookoutvision_client`` fixtures come from the
package's own pytest plugin (``conftest_plugin``), loaded through its ``pytest11`` entry point."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_lookoutvision import LookoutVisionMock, make_png

pytest_plugins = ["pytester"]

REGION = "us-east-1"
PROJECT = "widgets"
OUTPUT: dict[str, Any] = {"S3Location": {"Bucket": "lv-results", "Prefix": "training/"}}


@pytest.fixture
def unchecked_client(lookoutvision_mock: Any) -> Any:
    """A client that sends whatever it is given: botocore's own parameter checks are off."""
    return boto3.client(
        "lookoutvision", region_name=REGION, config=Config(parameter_validation=False)
    )


IMAGES_BUCKET = "lv-images"


def labeled_manifest(
    normal: int = 20, anomaly: int = 10, folder: str = "images", bucket: str = IMAGES_BUCKET
) -> str:
    """A Ground Truth manifest of labeled images: by default just enough for a single-dataset
    project (20 normal, 10 anomalous). The images themselves are not uploaded (``with_images``)."""
    lines = []
    for label, count in (("normal", normal), ("anomaly", anomaly)):
        for number in range(count):
            lines.append(
                json.dumps(
                    {
                        "source-ref": f"s3://{bucket}/{folder}/{label}-{number}.png",
                        "anomaly-label": 1 if label == "anomaly" else 0,
                        "anomaly-label-metadata": {"class-name": label, "human-annotated": "yes"},
                    }
                )
            )
    return "\n".join(lines) + "\n"


IMAGE = make_png(64, 64)


def with_images(manifest: str, region: str = REGION, image: bytes = IMAGE) -> str:
    """``manifest``, once each image it names is in S3 (training reads them); the buckets must
    exist."""
    s3 = boto3.client("s3", region_name=region)
    for line in manifest.splitlines():
        if line.strip():
            bucket, _, key = json.loads(line)["source-ref"].removeprefix("s3://").partition("/")
            s3.put_object(Bucket=bucket, Key=key, Body=image)
    return manifest


def jpeg_header(width: int = 64, height: int = 64) -> bytes:
    """The header of a baseline JPEG of the given size (start of image, frame, end of image)."""
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


def make_bucket(name: str, region: str = REGION) -> None:
    s3 = boto3.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def ready_project(
    client: Any, lv: Any = None, name: str = PROJECT, account_id: str | None = None
) -> dict[str, Any]:
    """A project whose train dataset is ready to train on, with an output bucket in the client's
    region; the OutputConfig to train it with. Bucket names are global: other regions and
    accounts get their own."""
    region = client.meta.region_name
    suffix = "" if region == REGION else f"-{region}"
    suffix += f"-{account_id}" if account_id else ""
    output = {"S3Location": {"Bucket": f"lv-results{suffix}", "Prefix": "training/"}}
    s3 = boto3.client("s3", region_name=region)
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket in (f"lv-results{suffix}", f"{IMAGES_BUCKET}{suffix}"):
        if bucket not in existing:
            make_bucket(bucket, region)
    manifest = with_images(labeled_manifest(bucket=f"{IMAGES_BUCKET}{suffix}"), region)
    s3.put_object(Bucket=f"{IMAGES_BUCKET}{suffix}", Key="train.manifest", Body=manifest)
    client.create_project(ProjectName=name)
    client.create_dataset(
        ProjectName=name,
        DatasetType="train",
        DatasetSource={
            "GroundTruthManifest": {
                "S3Object": {"Bucket": f"{IMAGES_BUCKET}{suffix}", "Key": "train.manifest"}
            }
        },
    )
    # Any handle's controls reach the active state, also one a decorated test has no name for.
    handle = lv if lv is not None else LookoutVisionMock()
    handle.finish_dataset(name, "train", region_name=region, account_id=account_id)
    return output


@pytest.fixture
def bare(lookoutvision_client: Any) -> Any:
    """A project without datasets, with the output bucket and the images bucket in place; the
    client."""
    make_bucket("lv-results")
    make_bucket(IMAGES_BUCKET)
    lookoutvision_client.create_project(ProjectName=PROJECT)
    return lookoutvision_client


def create_dataset_from(client: Any, dataset_type: str, manifest: str) -> None:
    """CreateDataset in PROJECT from ``manifest``, put into the images bucket first."""
    key = f"{dataset_type}.manifest"
    boto3.client("s3", region_name=REGION).put_object(Bucket=IMAGES_BUCKET, Key=key, Body=manifest)
    client.create_dataset(
        ProjectName=PROJECT,
        DatasetType=dataset_type,
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": IMAGES_BUCKET, "Key": key}}},
    )


@pytest.fixture
def project(lookoutvision_client: Any, lookoutvision_mock: Any) -> str:
    """A project ready to train a model on, writing its results to OUTPUT."""
    ready_project(lookoutvision_client, lookoutvision_mock)
    return PROJECT


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    """The parsed error response of a failed call."""
    response: dict[str, Any] = excinfo.value.response
    return response


def model_versions(client: Any, project_name: str = PROJECT) -> list[str]:
    return [m["ModelVersion"] for m in client.list_models(ProjectName=project_name)["Models"]]


def create_model(client: Any, project_name: str = PROJECT, **extra: Any) -> dict[str, Any]:
    """CreateModel with the standard output location; the new model's metadata."""
    extra.setdefault("OutputConfig", OUTPUT)
    metadata: dict[str, Any] = client.create_model(ProjectName=project_name, **extra)[
        "ModelMetadata"
    ]
    return metadata


def create_trained_models(client: Any, lv: Any, count: int, project_name: str = PROJECT) -> None:
    """``count`` models, each trained before the next starts (only 2 may train at once)."""
    for _ in range(count):
        version = create_model(client, project_name)["ModelVersion"]
        lv.finish_training(project_name, version)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter, without the AWS_DATA_PATH of this one unless given."""
    environment = {k: v for k, v in os.environ.items() if k != "AWS_DATA_PATH"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
