"""Shared helpers. The ``lookoutvision_mock`` and ``lookoutvision_client`` fixtures come from the
package's own pytest plugin (``conftest_plugin``), loaded through its ``pytest11`` entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

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


@pytest.fixture
def project(lookoutvision_client: Any) -> str:
    lookoutvision_client.create_project(ProjectName=PROJECT)
    return PROJECT


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    """The parsed error response of a failed call."""
    response: dict[str, Any] = excinfo.value.response
    return response


def model_versions(client: Any, project_name: str = PROJECT) -> list[str]:
    return [m["ModelVersion"] for m in client.list_models(ProjectName=project_name)["Models"]]


def create_model(client: Any, project_name: str = PROJECT, **extra: Any) -> dict[str, Any]:
    """CreateModel with the standard output location; the new model's metadata."""
    metadata: dict[str, Any] = client.create_model(
        ProjectName=project_name, OutputConfig=OUTPUT, **extra
    )["ModelMetadata"]
    return metadata


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
