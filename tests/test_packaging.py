"""Model packaging jobs: Greengrass configuration rules, statuses on the clock, the component in S3."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import boto3
import pytest
import requests

from .conftest import PROJECT, create_model

HALF_HOUR = timedelta(minutes=30)
PLATFORM = {"Os": "LINUX", "Arch": "X86_64"}


def _greengrass(**changes: Any) -> dict[str, Any]:
    greengrass = {
        "TargetPlatform": PLATFORM,
        "S3OutputLocation": {"Bucket": "lv-components", "Prefix": "edge/"},
        "ComponentName": "widget-inspector",
        **changes,
    }
    return {"Greengrass": {k: v for k, v in greengrass.items() if v is not None}}


@pytest.fixture
def trained(lookoutvision_client: Any, lookoutvision_mock: Any, project: str) -> Any:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="lv-components")
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    return lookoutvision_client


def _start(client: Any, **extra: Any) -> str:
    extra.setdefault("Configuration", _greengrass())
    job: str = client.start_model_packaging_job(ProjectName=PROJECT, ModelVersion="1", **extra)[
        "JobName"
    ]
    return job


def _job(client: Any, name: str) -> dict[str, Any]:
    description: dict[str, Any] = client.describe_model_packaging_job(
        ProjectName=PROJECT, JobName=name
    )["ModelPackagingDescription"]
    return description


def test_a_job_runs_then_writes_the_component(trained: Any, lookoutvision_mock: Any) -> None:
    name = _start(trained, JobName="edge-1", Description="First build")
    running = _job(trained, name)
    assert (running["Status"], running["ModelPackagingMethod"]) == ("RUNNING", "Greengrass")
    assert running["ModelPackagingJobDescription"] == "First build"
    assert "ModelPackagingOutputDetails" not in running
    lookoutvision_mock.advance(HALF_HOUR)
    done = _job(trained, name)
    assert done["Status"] == "SUCCEEDED"
    assert done["ModelPackagingOutputDetails"]["Greengrass"] == {
        "ComponentVersionArn": "arn:aws:greengrass:us-east-1:123456789012:components:widget-inspector:versions:1.0.0",
        "ComponentName": "widget-inspector",
        "ComponentVersion": "1.0.0",
    }
    s3 = boto3.client("s3", region_name="us-east-1")
    body = s3.get_object(
        Bucket="lv-components", Key="edge/widget-inspector/1.0.0/widget-inspector.zip"
    )["Body"].read()
    recipe = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("component.json"))
    assert (recipe["Project"], recipe["ModelVersion"]) == (PROJECT, "1")


def test_a_name_is_generated_when_none_is_given(trained: Any) -> None:
    assert _start(trained) == f"{PROJECT}-1-1"
    assert _start(trained, Configuration=_greengrass(ComponentVersion="1.0.1")) == f"{PROJECT}-1-2"


def test_a_component_version_is_packaged_once(trained: Any) -> None:
    _start(trained)  # the default version is "<model version>.0.0": 1.0.0
    with pytest.raises(trained.exceptions.ConflictException):
        _start(trained, Configuration=_greengrass(ComponentVersion="1.0.0"))
    assert len(trained.list_model_packaging_jobs(ProjectName=PROJECT)["ModelPackagingJobs"]) == 1


def test_job_names_are_unique_per_project(trained: Any) -> None:
    _start(trained, JobName="edge-1")
    with pytest.raises(trained.exceptions.ConflictException) as excinfo:
        _start(trained, JobName="edge-1", Configuration=_greengrass(ComponentName="other"))
    assert excinfo.value.response["ResourceType"] == "MODEL_PACKAGE_JOB"


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        (
            _greengrass(TargetDevice="jetson_xavier"),
            "exactly one of TargetDevice and TargetPlatform",
        ),
        (_greengrass(TargetPlatform=None), "exactly one of TargetDevice and TargetPlatform"),
        (
            _greengrass(
                TargetPlatform=None, TargetDevice="jetson_xavier", CompilerOptions='{"a": 1}'
            ),
            "can't be given with a TargetDevice",
        ),
        (
            _greengrass(TargetPlatform={**PLATFORM, "Accelerator": "NVIDIA"}),
            "CompilerOptions are required",
        ),
        (
            _greengrass(
                TargetPlatform={**PLATFORM, "Accelerator": "NVIDIA"},
                CompilerOptions='{"gpu-code": "sm_72"}',
            ),
            "trt-ver, cuda-ver",
        ),
    ],
    ids=["both-targets", "no-target", "device-options", "nvidia-no-options", "nvidia-partial"],
)
def test_greengrass_rules(trained: Any, configuration: dict[str, Any], message: str) -> None:
    with pytest.raises(trained.exceptions.ValidationException) as excinfo:
        _start(trained, Configuration=configuration)
    assert message in excinfo.value.response["Error"]["Message"]
    assert trained.list_model_packaging_jobs(ProjectName=PROJECT)["ModelPackagingJobs"] == []


@pytest.mark.parametrize(
    "changes",
    [
        {"ComponentName": "bad name!"},
        {"ComponentVersion": "1.0"},
        {"TargetPlatform": {"Os": "WINDOWS", "Arch": "X86_64"}},
    ],
    ids=["component-name", "component-version", "os-enum"],
)
def test_model_constraints_on_the_configuration(
    unchecked_client: Any, trained: Any, changes: dict[str, Any]
) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException):
        _start(unchecked_client, Configuration=_greengrass(**changes))
    assert (
        unchecked_client.list_model_packaging_jobs(ProjectName=PROJECT)["ModelPackagingJobs"] == []
    )


def test_an_untrained_model_cannot_be_packaged(lookoutvision_client: Any, project: str) -> None:
    create_model(lookoutvision_client)
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        _start(lookoutvision_client)


@pytest.mark.parametrize(
    ("bucket", "region", "message"),
    [("missing-bucket", None, "does not exist"), ("lv-west", "us-west-2", "is in us-west-2")],
    ids=["missing", "other-region"],
)
def test_output_bucket_problems_fail_the_job(
    trained: Any, lookoutvision_mock: Any, bucket: str, region: str | None, message: str
) -> None:
    if region is not None:
        boto3.client("s3", region_name=region).create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
    name = _start(trained, Configuration=_greengrass(S3OutputLocation={"Bucket": bucket}))
    lookoutvision_mock.advance(HALF_HOUR)
    failed = _job(trained, name)
    assert failed["Status"] == "FAILED"
    assert message in failed["StatusMessage"]


def test_handle_controls_packaging_jobs(trained: Any, lookoutvision_mock: Any) -> None:
    lookoutvision_mock.next("packaging").fails("Compilation failed.")
    first = _start(trained, Configuration=_greengrass(ComponentVersion="1.0.1"))
    lookoutvision_mock.advance(HALF_HOUR)
    assert (_job(trained, first)["Status"], _job(trained, first)["StatusMessage"]) == (
        "FAILED",
        "Compilation failed.",
    )
    second = _start(trained, Configuration=_greengrass(ComponentVersion="1.0.2"))
    lookoutvision_mock.packaging_job(PROJECT, second).packaging.finish()
    assert _job(trained, second)["Status"] == "SUCCEEDED"
    third = _start(trained, Configuration=_greengrass(ComponentVersion="1.0.3"))
    lookoutvision_mock.packaging_job(PROJECT, third).packaging.fail("Stopped.")
    assert _job(trained, third)["Status"] == "FAILED"


def test_list_jobs_pages(trained: Any) -> None:
    names = [
        _start(trained, Configuration=_greengrass(ComponentVersion=f"2.0.{n}")) for n in range(3)
    ]
    pages = list(
        trained.get_paginator("list_model_packaging_jobs").paginate(
            ProjectName=PROJECT, PaginationConfig={"PageSize": 2}
        )
    )
    assert [[j["JobName"] for j in p["ModelPackagingJobs"]] for p in pages] == [
        names[:2],
        names[2:],
    ]
    assert pages[0]["ModelPackagingJobs"][0]["Status"] == "RUNNING"


def test_unknown_job_is_not_found(trained: Any) -> None:
    with pytest.raises(trained.exceptions.ResourceNotFoundException) as excinfo:
        _job(trained, "nope")
    assert excinfo.value.response["ResourceType"] == "MODEL_PACKAGE_JOB"


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_an_unknown_member_however_deep_is_not_kept(trained: Any, lookoutvision_mock: Any) -> None:
    # R8: a deep unknown member in the configuration once overflowed the stack when the finished
    # job wrote its component, and on every later call on packaging jobs. botocore can't send
    # a member it doesn't know: this one comes as raw JSON.
    configuration = _greengrass(X=_nested(500))
    configuration["Greengrass"]["S3OutputLocation"]["Y"] = _nested(500)
    answer = requests.post(
        f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}"
        "/modelpackagingjobs",
        data=json.dumps({"ModelVersion": "1", "Configuration": configuration}),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 200
    name = answer.json()["JobName"]
    lookoutvision_mock.advance(HALF_HOUR)
    done = _job(trained, name)
    assert done["Status"] == "SUCCEEDED"
    assert done["ModelPackagingConfiguration"] == _greengrass()
    body = (
        boto3.client("s3", region_name="us-east-1")
        .get_object(Bucket="lv-components", Key="edge/widget-inspector/1.0.0/widget-inspector.zip")[
            "Body"
        ]
        .read()
    )
    recipe = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("component.json"))
    assert recipe["Greengrass"] == _greengrass()["Greengrass"]
    jobs = trained.list_model_packaging_jobs(ProjectName=PROJECT)["ModelPackagingJobs"]
    assert [job["JobName"] for job in jobs] == [name]
    assert _start(trained, Configuration=_greengrass(ComponentVersion="2.0.0"))
