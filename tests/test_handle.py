"""The handle: one way to reach any resource and its step, the same verbs for every kind."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from freezegun import freeze_time

from mock_lookoutvision import (
    ControlError,
    InternalServerException,
    StepNotInProgress,
    UnknownResource,
    mock_lookoutvision,
    testing,
)

from .conftest import PROJECT, create_model
from .server_helpers import NO_RETRIES

GREENGRASS = {
    "Greengrass": {
        "ComponentName": "widget-detector",
        "S3OutputLocation": {"Bucket": "lv-results", "Prefix": "components/"},
        "TargetDevice": "jetson_xavier",
    }
}


def _model_status(client: Any, version: str = "1") -> tuple[str, str]:
    model = client.describe_model(ProjectName=PROJECT, ModelVersion=version)["ModelDescription"]
    return model["Status"], model["StatusMessage"]


def _dataset_status(client: Any, dataset_type: str = "train") -> tuple[str, str]:
    dataset = client.describe_dataset(ProjectName=PROJECT, DatasetType=dataset_type)
    return dataset["DatasetDescription"]["Status"], dataset["DatasetDescription"]["StatusMessage"]


def _job_status(client: Any, job: str = "job") -> tuple[str, str]:
    described = client.describe_model_packaging_job(ProjectName=PROJECT, JobName=job)
    return (
        described["ModelPackagingDescription"]["Status"],
        described["ModelPackagingDescription"]["StatusMessage"],
    )


@pytest.fixture
def trained(lookoutvision_client: Any, lookoutvision_mock: Any, project: str) -> Any:
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    return lookoutvision_client


# Every model step, ended either way through the handle ----------------------------------------


def test_training_finishes_and_fails(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    lookoutvision_mock.model(PROJECT, "2").training.fail("Too few images.")
    assert _model_status(lookoutvision_client, "1") == (
        "TRAINED",
        "Training completed successfully.",
    )
    assert _model_status(lookoutvision_client, "2") == ("TRAINING_FAILED", "Too few images.")


def test_hosting_start_and_stop_finish_and_fail(trained: Any, lookoutvision_mock: Any) -> None:
    model = lookoutvision_mock.model(PROJECT, "1")
    trained.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    model.hosting_start.fail()
    assert _model_status(trained) == ("HOSTING_FAILED", "The model failed to start.")
    trained.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    model.hosting_start.finish()
    assert _model_status(trained) == ("HOSTED", "The model is running.")
    trained.stop_model(ProjectName=PROJECT, ModelVersion="1")
    model.hosting_stop.fail("Still serving.")
    assert _model_status(trained) == ("HOSTED", "Still serving.")
    trained.stop_model(ProjectName=PROJECT, ModelVersion="1")
    model.hosting_stop.finish()
    assert _model_status(trained) == ("TRAINED", "The model was stopped.")


def test_model_deletion_finishes_and_fails(trained: Any, lookoutvision_mock: Any) -> None:
    trained.delete_model(ProjectName=PROJECT, ModelVersion="1")
    lookoutvision_mock.model(PROJECT, "1").deletion.fail()
    # A deletion that fails leaves the model as it was, saying why.
    assert _model_status(trained) == ("TRAINED", "The model could not be deleted.")
    trained.delete_model(ProjectName=PROJECT, ModelVersion="1")
    lookoutvision_mock.model(PROJECT, "1").deletion.finish()
    assert trained.list_models(ProjectName=PROJECT)["Models"] == []


def test_packaging_finishes_and_fails(trained: Any, lookoutvision_mock: Any) -> None:
    trained.start_model_packaging_job(
        ProjectName=PROJECT, ModelVersion="1", JobName="job", Configuration=GREENGRASS
    )
    lookoutvision_mock.packaging_job(PROJECT, "job").packaging.fail()
    assert _job_status(trained) == ("FAILED", "The model packaging job failed.")
    trained.start_model_packaging_job(
        ProjectName=PROJECT,
        ModelVersion="1",
        JobName="job-2",
        Configuration={"Greengrass": {**GREENGRASS["Greengrass"], "ComponentVersion": "2.0.0"}},
    )
    lookoutvision_mock.packaging_job(PROJECT, "job-2").packaging.finish()
    assert _job_status(trained, "job-2") == ("SUCCEEDED", "The model packaging job succeeded.")


# Every dataset step ----------------------------------------------------------------------------


def _create_dataset(client: Any, dataset_type: str = "test") -> None:
    source = testing.labeled_manifest(10, 10, key=f"{dataset_type}.manifest", folder=dataset_type)
    client.create_dataset(ProjectName=PROJECT, DatasetType=dataset_type, DatasetSource=source)


def _update(client: Any) -> None:
    changes = testing.manifest_text(testing.labeled_lines(1, 0, folder="more"))
    client.update_dataset_entries(ProjectName=PROJECT, DatasetType="test", Changes=changes.encode())


def test_dataset_import_update_and_deletion_finish_and_fail(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    _create_dataset(client)
    lv.dataset(PROJECT, "test").import_.fail()
    assert _dataset_status(client, "test") == ("CREATE_FAILED", "The dataset could not be created.")
    assert (
        client.list_dataset_entries(ProjectName=PROJECT, DatasetType="test")["DatasetEntries"] == []
    )
    client.delete_dataset(ProjectName=PROJECT, DatasetType="test")
    lv.dataset(PROJECT, "test").deletion.fail("In use.")
    assert _dataset_status(client, "test") == ("DELETE_FAILED", "In use.")
    client.delete_dataset(ProjectName=PROJECT, DatasetType="test")
    lv.dataset(PROJECT, "test").deletion.finish()
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_dataset(ProjectName=PROJECT, DatasetType="test")

    _create_dataset(client)
    lv.dataset(PROJECT, "test").import_.finish()
    _update(client)
    lv.dataset(PROJECT, "test").update.fail()
    assert _dataset_status(client, "test") == (
        "UPDATE_FAILED_ROLLBACK_COMPLETE",
        "The dataset could not be updated.",
    )
    _update(client)
    lv.dataset(PROJECT, "test").update.finish()
    assert _dataset_status(client, "test") == (
        "UPDATE_COMPLETE",
        "The dataset was updated successfully.",
    )


# The next step of a kind fails ----------------------------------------------------------------


def test_next_step_of_every_kind_fails(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    client, lv = lookoutvision_client, lookoutvision_mock
    for step in (
        "training",
        "hosting_start",
        "hosting_stop",
        "model_deletion",
        "dataset_import",
        "dataset_update",
        "dataset_deletion",
        "packaging",
    ):
        lv.next(step).fails(f"{step} broke")
    lv.set_durations({"training": 0, "dataset": 0, "hosting": 0, "model_deletion": 0})

    create_model(client)  # fails as planned
    assert _model_status(client, "1") == ("TRAINING_FAILED", "training broke")
    create_model(client)  # the plan is used up: this one trains
    assert _model_status(client, "2")[0] == "TRAINED"
    client.start_model(ProjectName=PROJECT, ModelVersion="2", MinInferenceUnits=1)
    assert _model_status(client, "2") == ("HOSTING_FAILED", "hosting_start broke")
    client.start_model(ProjectName=PROJECT, ModelVersion="2", MinInferenceUnits=1)
    client.stop_model(ProjectName=PROJECT, ModelVersion="2")
    assert _model_status(client, "2") == ("HOSTED", "hosting_stop broke")
    client.stop_model(ProjectName=PROJECT, ModelVersion="2")
    client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    assert _model_status(client, "1") == ("TRAINING_FAILED", "model_deletion broke")

    _create_dataset(client)
    assert _dataset_status(client, "test") == ("CREATE_FAILED", "dataset_import broke")
    client.delete_dataset(ProjectName=PROJECT, DatasetType="test")
    assert _dataset_status(client, "test") == ("DELETE_FAILED", "dataset_deletion broke")
    changes = testing.manifest_text(testing.labeled_lines(1, 0, folder="more"))
    client.update_dataset_entries(
        ProjectName=PROJECT, DatasetType="train", Changes=changes.encode()
    )
    assert _dataset_status(client, "train") == (
        "UPDATE_FAILED_ROLLBACK_COMPLETE",
        "dataset_update broke",
    )
    client.start_model_packaging_job(
        ProjectName=PROJECT, ModelVersion="2", JobName="job", Configuration=GREENGRASS
    )
    lv.advance(timedelta(hours=1))
    assert _job_status(client) == ("FAILED", "packaging broke")


def test_a_planned_failure_is_not_used_by_a_refused_call(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    lookoutvision_mock.next("training").fails("planned")
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        create_model(lookoutvision_client, "missing-project")
    create_model(lookoutvision_client)
    lookoutvision_mock.advance(timedelta(hours=1))
    assert _model_status(lookoutvision_client) == ("TRAINING_FAILED", "planned")


# Durations, for every step ----------------------------------------------------------------------


def test_durations_are_an_option_of_the_mock_for_every_step() -> None:
    durations = {"training": 120, "dataset_import": 30, "hosting_start": 5, "packaging": 10}
    with mock_lookoutvision(durations=durations) as lv:
        client = boto3.client("lookoutvision", region_name="us-east-1")
        output = testing.ready_project(lv, PROJECT)
        _create_dataset(client)
        lv.advance(29)
        assert _dataset_status(client, "test")[0] == "CREATE_IN_PROGRESS"
        lv.advance(1)
        assert _dataset_status(client, "test")[0] == "CREATE_COMPLETE"
        create_model(client, OutputConfig=output)
        lv.advance(119)
        assert _model_status(client)[0] == "TRAINING"
        lv.advance(1)
        assert _model_status(client)[0] == "TRAINED"
        client.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
        lv.advance(5)
        assert _model_status(client)[0] == "HOSTED"


@pytest.mark.parametrize(
    ("durations", "message"),
    [
        ({"trainig": 5}, "'trainig' is not a step"),
        ({"training": -1}, "can't be negative"),
        ({"training": float("inf")}, "must be finite"),
    ],
)
def test_bad_durations_are_refused(durations: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mock_lookoutvision(durations=durations)


def test_outer_durations_changed_inside_a_nested_mock_apply_to_the_outer_one_only() -> None:
    with mock_lookoutvision(durations={"training": 600}) as outer:
        client = boto3.client("lookoutvision", region_name="us-east-1")
        output = testing.ready_project(outer, PROJECT)
        with mock_lookoutvision(durations={"training": 60}):
            outer.set_durations({"training": 10})
            create_model(client, OutputConfig=output)  # the inner mock's 60 s
        create_model(client, OutputConfig=output)  # the outer mock's, now 10 s
        outer.advance(10)
        statuses = [m["Status"] for m in client.list_models(ProjectName=PROJECT)["Models"]]
        assert statuses == ["TRAINING", "TRAINED"]
        outer.advance(50)
        assert _model_status(client, "1")[0] == "TRAINED"


# Errors of the handle's own -------------------------------------------------------------------


def test_ending_a_step_not_in_progress_says_what_and_where(
    trained: Any, lookoutvision_mock: Any
) -> None:
    with pytest.raises(StepNotInProgress) as error:
        lookoutvision_mock.model(PROJECT, "1").training.finish()
    assert str(error.value) == (
        f"The model {PROJECT}/1 in account 123456789012, region us-east-1 is TRAINED (nothing in "
        "progress); it has no training step to end."
    )
    assert isinstance(error.value, LookupError)
    assert _model_status(trained) == ("TRAINED", "Training completed successfully.")


def test_ending_another_step_than_the_one_in_progress_is_refused(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    with pytest.raises(StepNotInProgress, match=r"is TRAINING \(training in progress\)"):
        lookoutvision_mock.model(PROJECT, "1").hosting_start.fail()
    assert _model_status(lookoutvision_client) == ("TRAINING", "The model is being trained.")


def test_a_resource_in_another_region_is_not_found_naming_where_it_looked() -> None:
    with mock_lookoutvision() as lv:
        boto3.client("lookoutvision", region_name="eu-west-1").create_project(ProjectName="eu")
        with pytest.raises(UnknownResource) as error:
            lv.dataset("eu", "train")
        assert str(error.value) == (
            "There is no project eu in account 123456789012, region us-east-1."
        )
        with pytest.raises(UnknownResource, match="region eu-west-1"):
            lv.scoped(region_name="eu-west-1").model("eu", "1")


def test_unknown_steps_and_operations_are_control_errors(lookoutvision_mock: Any) -> None:
    with pytest.raises(ControlError, match="'trainng' is not a step"):
        lookoutvision_mock.next("trainng")
    with pytest.raises(ControlError, match="CreateModels is not an operation"):
        lookoutvision_mock.inject_error("CreateModels", ValueError("x"))


def test_a_handle_acts_only_while_its_mock_is_active() -> None:
    with mock_lookoutvision() as lv:
        pass
    with pytest.raises(RuntimeError, match="not started"):
        lv.set_quota("L-64685F61", 5)


# The handle's account and region ----------------------------------------------------------------


def test_controls_act_on_moto_account_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    with mock_lookoutvision() as lv:
        assert lv.account_id == "111111111111"
        client = boto3.client("lookoutvision", region_name="us-east-1")
        version = testing.trained_model(lv, "trained")
        assert _model_status_of(client, "trained", version)[0] == "TRAINED"
        assert ":111111111111:" in client.list_projects()["Projects"][0]["ProjectArn"]
        lv.set_quota("L-64685F61", 1)
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            client.create_project(ProjectName="two")
        # R7: an injected error reaches the calls of that account too.
        lv.inject_error("ListProjects", InternalServerException("Down."))
        once = boto3.client("lookoutvision", region_name="us-east-1", config=NO_RETRIES)
        with pytest.raises(once.exceptions.InternalServerException):
            once.list_projects()


def _model_status_of(client: Any, project: str, version: str) -> tuple[str, str]:
    model = client.describe_model(ProjectName=project, ModelVersion=version)["ModelDescription"]
    return model["Status"], model["StatusMessage"]


def test_the_region_is_set_once_per_mock() -> None:
    with mock_lookoutvision(region_name="eu-west-1") as lv:
        assert lv.region_name == "eu-west-1"
        version = testing.hosted_model(lv, "eu-project")
        client = boto3.client("lookoutvision", region_name="eu-west-1")
        assert _model_status_of(client, "eu-project", version)[0] == "HOSTED"


def test_scoped_controls_reach_another_account(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_lookoutvision() as lv:
        other = lv.scoped(account_id="222222222222")
        other.set_quota("L-64685F61", 0)
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "222222222222")
        client = boto3.client("lookoutvision", region_name="us-east-1")
        with pytest.raises(client.exceptions.ServiceQuotaExceededException):
            client.create_project(ProjectName="p")
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        client.create_project(ProjectName="p")


# How a decorated test gets the handle -------------------------------------------------------------


@mock_lookoutvision(as_kwarg="lv")
def test_a_decorated_test_receives_the_handle_by_keyword(lv: Any) -> None:
    version = testing.trained_model(lv)
    client = boto3.client("lookoutvision", region_name="us-east-1")
    assert _model_status_of(client, testing.DEFAULT_PROJECT, version)[0] == "TRAINED"


@mock_lookoutvision(as_arg=True)
def test_a_decorated_test_receives_the_handle_first(lv: Any, tmp_path: Any) -> None:
    assert tmp_path.exists()  # pytest's own fixtures still arrive
    with freeze_time("2026-01-01"):
        assert lv.advance(60) == datetime(2026, 1, 1, 0, 1, tzinfo=timezone.utc)


def test_the_fixture_is_configured_by_a_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.lookoutvision(durations={"training": 1}, region_name="eu-central-1")
        def test_marked(lookoutvision_mock, lookoutvision_client):
            from mock_lookoutvision import testing
            assert lookoutvision_client.meta.region_name == "eu-central-1"
            output = testing.ready_project(lookoutvision_mock)
            lookoutvision_client.create_model(ProjectName="widgets", OutputConfig=output)
            lookoutvision_mock.advance(1)
            described = lookoutvision_client.describe_model(ProjectName="widgets", ModelVersion="1")
            assert described["ModelDescription"]["Status"] == "TRAINED"

        def test_unmarked(lookoutvision_mock, lookoutvision_client):
            assert lookoutvision_client.meta.region_name == "us-east-1"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    assert result.parseoutcomes() == {"passed": 2}


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyError("x"), "ThrottlingException"])
def test_only_service_errors_can_be_injected(lookoutvision_mock: Any, error: Any) -> None:
    with pytest.raises(TypeError, match="only the service's errors can be injected"):
        lookoutvision_mock.inject_error("ListProjects", error)
    client = boto3.client("lookoutvision", region_name="us-east-1")
    assert client.list_projects()["Projects"] == []  # nothing was injected


@pytest.mark.lookoutvision(instant_sleep=True)  # botocore's back-off moves the simulated clock
def test_a_call_answered_by_an_injected_error_is_journaled_with_what_was_sent(
    lookoutvision_mock: Any,
) -> None:
    retrying = Config(retries={"mode": "standard", "total_max_attempts": 2})
    client = boto3.client("lookoutvision", region_name="us-east-1", config=retrying)
    lookoutvision_mock.inject_error("CreateProject", InternalServerException("Try again."))
    client.create_project(ProjectName=PROJECT, ClientToken="retry-1")
    first, retry = lookoutvision_mock.calls("CreateProject")
    assert (first.error, retry.error) == ("InternalServerException", None)
    assert (
        first.parameters == retry.parameters == {"ProjectName": PROJECT, "ClientToken": "retry-1"}
    )
