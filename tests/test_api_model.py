"""The shipped API model: complete, without documentation, and found by botocore on import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_lookoutvision.api_model import DATA_PATH, paginators, service_model

from .conftest import run_python

MODEL_DIR = DATA_PATH / "lookoutvision" / "2020-11-20"


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


@pytest.mark.parametrize(
    "name", ["service-2.json", "paginators-1.json", "endpoint-rule-set-1.json"]
)
def test_model_files_ship_without_documentation(name: str) -> None:
    keys = set(_walk(json.loads((MODEL_DIR / name).read_text())))
    assert "documentation" not in keys
    assert "documentationUrl" not in keys


def test_model_has_all_22_operations_and_4_paginators() -> None:
    assert len(service_model().operation_names) == 22
    assert set(paginators()) == {
        "ListDatasetEntries",
        "ListModels",
        "ListProjects",
        "ListModelPackagingJobs",
    }


def test_paginators_match_the_list_operations() -> None:
    model = service_model()
    for operation, config in paginators().items():
        output = model.operation_model(operation).output_shape
        assert config["result_key"] in output.members
        assert config["output_token"] in output.members


def test_import_makes_the_client_resolve_without_any_setting() -> None:
    result = run_python(
        """
        import boto3
        import mock_lookoutvision
        client = boto3.client("lookoutvision", region_name="us-west-2")
        print(client.meta.service_model.api_version)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2020-11-20"


def test_a_default_session_made_before_import_learns_the_model() -> None:
    result = run_python(
        """
        import boto3
        boto3.client("s3", region_name="us-east-1")  # the default session's loader is in use
        import mock_lookoutvision
        print(boto3.client("lookoutvision", region_name="us-east-1").meta.service_model.service_name)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lookoutvision"


def test_users_own_aws_data_path_keeps_working(tmp_path: Path) -> None:
    custom = tmp_path / "customsvc" / "2021-01-01"
    custom.mkdir(parents=True)
    model = {
        "version": "2.0",
        "metadata": {"apiVersion": "2021-01-01", "endpointPrefix": "customsvc", "protocol": "rest-json",
                     "serviceId": "CustomSvc", "signatureVersion": "v4", "uid": "customsvc-2021-01-01"},
        "operations": {},
        "shapes": {},
    }  # fmt: skip
    (custom / "service-2.json").write_text(json.dumps(model))
    result = run_python(
        """
        import os
        import botocore.session
        import mock_lookoutvision
        session = botocore.session.get_session()
        print(session.get_service_model("customsvc").service_name)
        print(session.get_service_model("lookoutvision").api_version)
        print(os.environ["AWS_DATA_PATH"].split(os.pathsep)[0])
        """,
        AWS_DATA_PATH=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["customsvc", "2020-11-20", str(tmp_path)]
