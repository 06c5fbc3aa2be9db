"""The hook into moto's internals holds for the installed moto (see pyproject's range)."""

from __future__ import annotations

from typing import Any

import boto3
import moto.backend_index
import moto.backends
import pytest
from botocore.awsrequest import AWSRequest
from moto import mock_aws

from mock_lookoutvision import moto_hook
from mock_lookoutvision.models import LookoutVisionBackend, lookoutvision_backends

from .conftest import OUTPUT, PROJECT


def test_attached_on_import() -> None:
    assert moto_hook.is_attached()
    assert moto.backend_index.backend_url_patterns[0][0] == "lookoutvision"
    assert moto.backends.get_backend("lookoutvision") is lookoutvision_backends  # type: ignore[call-overload]


def test_attach_is_idempotent() -> None:
    before = list(moto.backend_index.backend_url_patterns)
    moto_hook.attach()
    assert moto.backend_index.backend_url_patterns == before
    assert moto_hook.is_attached()


def test_each_call_runs_exactly_once(
    lookoutvision_client: Any, project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = LookoutVisionBackend.tag_resource

    def counting(self: LookoutVisionBackend, **kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs["resource_arn"])
        return original(self, **kwargs)

    monkeypatch.setattr(LookoutVisionBackend, "tag_resource", counting)
    arn = lookoutvision_client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)[
        "ModelMetadata"
    ]["ModelArn"]
    lookoutvision_client.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    assert calls == [arn]


def test_mocks_off_means_no_answer() -> None:
    request = AWSRequest(
        method="GET", url="https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
    ).prepare()
    from moto.core.models import botocore_stubber

    assert botocore_stubber("before-send.lookoutvision.ListProjects", request) is None


def test_mocks_generic_backend_lookup_reaches_the_same_backend(lookoutvision_mock: Any) -> None:
    # The path a client patched with moto.core.patch_client before our import would take.
    boto3.client("lookoutvision", region_name="us-east-1").create_project(ProjectName=PROJECT)
    request = AWSRequest(
        method="GET", url="https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
    ).prepare()
    assert moto_hook.is_attached()
    status, _, body = moto_hook.moto_process_request(request)
    assert status == 200
    assert f'"ProjectName": "{PROJECT}"' in body


def test_account_comes_from_the_access_key_of_an_assumed_role() -> None:
    with mock_aws():
        sts = boto3.client("sts", region_name="us-east-1")
        role_arn = "arn:aws:iam::210987654321:role/cross-account"
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="tests")["Credentials"]
        client = boto3.client(
            "lookoutvision",
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        arn = client.create_project(ProjectName=PROJECT)["ProjectMetadata"]["ProjectArn"]
        assert ":210987654321:project/" in arn


def test_every_operation_of_the_model_has_a_backend_method() -> None:
    from botocore import xform_name

    from mock_lookoutvision.api_model import service_model

    missing = [
        name
        for name in service_model().operation_names
        if not callable(getattr(LookoutVisionBackend, xform_name(name), None))
    ]
    assert missing == []
