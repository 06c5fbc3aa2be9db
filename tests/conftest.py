"""Shared helpers. The ``lookoutvision_mock`` and ``lookoutvision_client`` fixtures come from the
package's own pytest plugin (``conftest_plugin``), loaded through its ``pytest11`` entry point;
``lv_server`` and ``srv`` here share one server per test module among the client tests."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import settings
from moto.core.models import DEFAULT_ACCOUNT_ID

from mock_lookoutvision import LookoutVisionMock, make_png, server, testing
from mock_lookoutvision.serving import ServerHandle

pytest_plugins = ["pytester"]

# tests/test_fuzz.py's CI run (--hypothesis-profile=fuzz-ci): a fixed seed, no deadline per example,
# 3,000 examples as the unit each fuzz test takes its share of (12,000 in all). Registered here
# because the option is read before test modules are imported.
# Not named "ci": Hypothesis loads a profile of that name by itself wherever CI is set, and the
# whole suite's run would take this long one (split over xdist's workers) instead of its default.
settings.register_profile(
    "fuzz-ci", max_examples=3000, derandomize=True, deadline=None, database=None, print_blob=True
)

TESTS = Path(__file__).parent


@pytest.fixture(scope="session", autouse=True)
def loopback_only_subprocesses() -> Iterator[None]:
    """The processes the suite starts are held to loopback as pytest-socket holds the suite's
    own: Python ones (the AWS CLI, pytester's runs) by tests/loopback_only/sitecustomize.py on
    their PYTHONPATH, node by tests/js/loopback_only.cjs preloaded."""
    environment = pytest.MonkeyPatch()
    python_path = [str(TESTS / "loopback_only"), os.environ.get("PYTHONPATH", "")]
    environment.setenv("PYTHONPATH", os.pathsep.join(filter(None, python_path)))
    preload = f'--require "{TESTS / "js" / "loopback_only.cjs"}"'
    environment.setenv("NODE_OPTIONS", f"{preload} {os.environ.get('NODE_OPTIONS', '')}".strip())
    yield
    environment.undo()


REGION = "us-east-1"
PROJECT = "widgets"
OUTPUT: dict[str, Any] = {"S3Location": {"Bucket": "lv-results", "Prefix": "training/"}}


@pytest.fixture
def unchecked_client(lookoutvision_mock: Any) -> Any:
    """A client that sends whatever it is given: botocore's own parameter checks are off."""
    return boto3.client(
        "lookoutvision", region_name=REGION, config=Config(parameter_validation=False)
    )


IMAGES_BUCKET = testing.IMAGES_BUCKET


def labeled_manifest(
    normal: int = 20, anomaly: int = 10, folder: str = "images", bucket: str = IMAGES_BUCKET
) -> str:
    """The text of a manifest of labeled images: by default just enough for a single-dataset
    project (20 normal, 10 anomalous). The images are not uploaded (``with_images``)."""
    lines = testing.labeled_lines(normal, anomaly, bucket=bucket, folder=folder, upload=False)
    return testing.manifest_text(lines)


IMAGE = make_png(64, 64)


def with_images(manifest: str, region: str = REGION, image: bytes = IMAGE) -> str:
    """``manifest``, once each image it names is in S3 as ``image`` (training reads them); the
    buckets must exist."""
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
    testing.ensure_bucket(name, region)


def ready_project(client: Any, lv: LookoutVisionMock, name: str = PROJECT) -> dict[str, Any]:
    """A project in the client's region whose train dataset is ready to train on, with an
    output bucket there; the OutputConfig to train it with. Bucket names are global: other
    regions and accounts get their own."""
    region = client.meta.region_name
    handle = lv.scoped(region_name=region)
    suffix = "" if region == REGION else f"-{region}"
    suffix += "" if handle.account_id == DEFAULT_ACCOUNT_ID else f"-{handle.account_id}"
    return testing.ready_project(
        handle,
        name,
        output_bucket=f"lv-results{suffix}",
        images_bucket=f"{IMAGES_BUCKET}{suffix}",
    )


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
        lv.model(project_name, version).training.finish()


def role_keys(role_arn: str, session_name: str = "tests") -> dict[str, str]:
    """Client keyword arguments with the keys of a session of the role (moto's STS)."""
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=role_arn, RoleSessionName=session_name
    )["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter, without the AWS_DATA_PATH of this one unless given, and
    with moto's fake credentials unless it has some (without any, botocore would ask the
    instance metadata service on the network)."""
    environment = {k: v for k, v in os.environ.items() if k != "AWS_DATA_PATH"}
    environment.setdefault("AWS_ACCESS_KEY_ID", "testing")
    environment.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def lv_server() -> Iterator[ServerHandle]:
    """One server for a test module: stopping one waits for its serving loop, a reset doesn't."""
    with server(port=0) as running:
        yield running


@pytest.fixture
def srv(lv_server: ServerHandle) -> ServerHandle:
    """The module's server, emptied (every service, the clock, the journal) for this test."""
    lv_server.reset()
    return lv_server
