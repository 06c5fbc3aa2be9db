"""Service Quotas: each adjustable quota of the service stops the call that would pass it, with
its own code, and the call changes nothing; a test can set a quota as an increase would."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from .conftest import PROJECT, create_model, create_trained_models, model_versions


def _quota_error(excinfo: pytest.ExceptionInfo[Any], code: str) -> str:
    response = excinfo.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert (response["ServiceCode"], response["QuotaCode"]) == ("lookoutvision", code)
    message: str = response["Error"]["Message"]
    return message


def test_an_account_has_at_most_100_projects(lookoutvision_client: Any) -> None:
    client = lookoutvision_client
    for number in range(100):
        client.create_project(ProjectName=f"project-{number}", ClientToken=f"token-{number}")
    # A retry of a call that made it replays: the quota is about new projects.
    client.create_project(ProjectName="project-99", ClientToken="token-99")
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        client.create_project(ProjectName="one-too-many")
    assert "Maximum number of projects (L-64685F61) is 100" in _quota_error(excinfo, "L-64685F61")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_project(ProjectName="one-too-many")
    client.delete_project(ProjectName="project-0")
    client.create_project(ProjectName="one-too-many")
    # Quotas are per region.
    boto3.client("lookoutvision", region_name="eu-west-1").create_project(ProjectName="p")


def test_models_per_project(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client = lookoutvision_client
    lookoutvision_mock.set_quota("L-1B1011CA", 3)
    create_trained_models(client, lookoutvision_mock, 3)
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        create_model(client)
    _quota_error(excinfo, "L-1B1011CA")
    assert model_versions(client) == ["1", "2", "3"]
    # A model being deleted still counts, until it is gone.
    client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    with pytest.raises(client.exceptions.ServiceQuotaExceededException):
        create_model(client)
    lookoutvision_mock.model(PROJECT, "1").deletion.finish()
    assert create_model(client)["ModelVersion"] == "4"


def test_the_default_of_100_models_per_project(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    lookoutvision_mock.set_quota("L-2489F742", 100)  # no wait for trainings to end
    for _ in range(100):
        create_model(lookoutvision_client)
    with pytest.raises(lookoutvision_client.exceptions.ServiceQuotaExceededException) as excinfo:
        create_model(lookoutvision_client)
    _quota_error(excinfo, "L-1B1011CA")


def _start(client: Any, version: str, units: int = 1, **extra: Any) -> None:
    client.start_model(ProjectName=PROJECT, ModelVersion=version, MinInferenceUnits=units, **extra)


def _status(client: Any, version: str) -> str:
    status: str = client.describe_model(ProjectName=PROJECT, ModelVersion=version)[
        "ModelDescription"
    ]["Status"]
    return status


def test_at_most_two_models_run_at_once(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client = lookoutvision_client
    create_trained_models(client, lookoutvision_mock, 3)
    _start(client, "1")
    _start(client, "2")
    lookoutvision_mock.model(PROJECT, "2").hosting_start.finish()  # starting or running, both count
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        _start(client, "3")
    _quota_error(excinfo, "L-82DA2ABD")
    assert _status(client, "3") == "TRAINED"
    client.stop_model(ProjectName=PROJECT, ModelVersion="2")
    with pytest.raises(client.exceptions.ServiceQuotaExceededException):
        _start(client, "3")  # still stopping
    lookoutvision_mock.model(PROJECT, "2").hosting_stop.finish()
    _start(client, "3")
    assert _status(client, "3") == "STARTING_HOSTING"


@pytest.mark.parametrize(("minimum", "maximum"), [(6, None), (1, 6), (6, 6)])
def test_a_model_runs_on_at_most_5_inference_units(
    lookoutvision_client: Any,
    lookoutvision_mock: Any,
    project: str,
    minimum: int,
    maximum: int | None,
) -> None:
    client = lookoutvision_client
    create_trained_models(client, lookoutvision_mock, 1)
    extra = {} if maximum is None else {"MaxInferenceUnits": maximum}
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        _start(client, "1", minimum, **extra)
    _quota_error(excinfo, "L-84E8C9F8")
    assert _status(client, "1") == "TRAINED"
    _start(client, "1", 5)
    assert _status(client, "1") == "STARTING_HOSTING"


def test_at_most_three_packaging_jobs_run_at_once(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client = lookoutvision_client
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="lv-components")
    create_trained_models(client, lookoutvision_mock, 1)

    def package(number: int) -> str:
        configuration = {
            "Greengrass": {
                "TargetPlatform": {"Os": "LINUX", "Arch": "X86_64"},
                "S3OutputLocation": {"Bucket": "lv-components"},
                "ComponentName": "inspector",
                "ComponentVersion": f"1.0.{number}",
            }
        }
        name: str = client.start_model_packaging_job(
            ProjectName=PROJECT,
            ModelVersion="1",
            JobName=f"job-{number}",
            Configuration=configuration,
        )["JobName"]
        return name

    for number in range(3):
        package(number)
    with pytest.raises(client.exceptions.ServiceQuotaExceededException) as excinfo:
        package(3)
    _quota_error(excinfo, "L-A2F581AB")
    jobs = client.list_model_packaging_jobs(ProjectName=PROJECT)["ModelPackagingJobs"]
    assert sorted(job["JobName"] for job in jobs) == ["job-0", "job-1", "job-2"]
    lookoutvision_mock.packaging_job(PROJECT, "job-0").packaging.finish()
    assert package(3) == "job-3"


def test_only_the_service_quotas_can_be_set(lookoutvision_mock: Any) -> None:
    with pytest.raises(ValueError, match="not a quota of lookoutvision"):
        lookoutvision_mock.set_quota("L-00000000", 5)
    with pytest.raises(ValueError, match="at least 0"):
        lookoutvision_mock.set_quota("L-64685F61", -1)
