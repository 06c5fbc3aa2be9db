"""The model lifecycle moves on the simulated clock: no sleeps, no threads."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta, timezone
from typing import Any

import boto3
import pytest
import time_machine
from freezegun import freeze_time
from moto.moto_api import state_manager

from mock_lookoutvision import mock_lookoutvision

from .conftest import OUTPUT, PROJECT, create_model, ready_project

HOUR = timedelta(hours=1)


def _describe(client: Any, version: str = "1") -> dict[str, Any]:
    description: dict[str, Any] = client.describe_model(ProjectName=PROJECT, ModelVersion=version)[
        "ModelDescription"
    ]
    return description


def test_a_new_model_is_training(lookoutvision_client: Any, project: str) -> None:
    created = create_model(lookoutvision_client)
    assert created["Status"] == "TRAINING"
    assert created["StatusMessage"] == "The model is being trained."
    assert "Performance" not in created
    described = _describe(lookoutvision_client)
    assert described["Status"] == "TRAINING"
    assert "EvaluationEndTimestamp" not in described
    assert described["OutputConfig"] == OUTPUT


def test_training_ends_after_the_default_hour(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    created = create_model(lookoutvision_client)
    lookoutvision_mock.advance(HOUR - timedelta(seconds=1))
    assert _describe(lookoutvision_client)["Status"] == "TRAINING"
    lookoutvision_mock.advance(timedelta(seconds=1))
    trained = _describe(lookoutvision_client)
    assert trained["Status"] == "TRAINED"
    assert trained["StatusMessage"] == "Training completed successfully."
    assert trained["EvaluationEndTimestamp"] == created["CreationTimestamp"] + HOUR
    performance = trained["Performance"]
    assert set(performance) == {"F1Score", "Precision", "Recall"}
    assert all(0.0 < value <= 1.0 for value in performance.values())
    assert trained["EvaluationManifest"] == {
        "Bucket": "lv-results",
        "Key": f"training/EvaluationManifest-{PROJECT}-1.json",
    }
    assert trained["EvaluationResult"] == {
        "Bucket": "lv-results",
        "Key": f"training/EvaluationResult-{PROJECT}-1.json",
    }
    listed = lookoutvision_client.list_models(ProjectName=PROJECT)["Models"][0]
    assert listed["Status"] == "TRAINED"
    assert listed["Performance"] == performance


def test_training_duration_is_configurable_per_mock() -> None:
    with mock_lookoutvision(durations={"training": timedelta(minutes=5)}) as lv:
        client = boto3.client("lookoutvision", region_name="us-east-1")
        ready_project(client, lv)
        create_model(client)
        lv.advance(timedelta(minutes=5))
        assert _describe(client)["Status"] == "TRAINED"


def test_training_duration_can_change_mid_test(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    lookoutvision_mock.set_durations({"training": 10})
    create_model(lookoutvision_client)
    lookoutvision_mock.advance(10)
    # The new duration applies to trainings started after the change only.
    assert _describe(lookoutvision_client, "2")["Status"] == "TRAINED"
    assert _describe(lookoutvision_client, "1")["Status"] == "TRAINING"
    lookoutvision_mock.advance(HOUR)
    assert _describe(lookoutvision_client, "1")["Status"] == "TRAINED"


def test_a_test_can_finish_a_training_now(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    with freeze_time("2024-01-01 00:00:00"):
        created = create_model(lookoutvision_client)
        lookoutvision_mock.advance(timedelta(minutes=10))
        lookoutvision_mock.model(PROJECT, "1").training.finish()
        trained = _describe(lookoutvision_client)
        now = lookoutvision_mock.now()
    assert trained["Status"] == "TRAINED"
    # Ended when the test said so: ten simulated minutes after it started, well before the hour.
    ended = dt.datetime(2024, 1, 1, 0, 10, tzinfo=timezone.utc)
    assert now == ended
    assert trained["EvaluationEndTimestamp"] == ended
    assert trained["EvaluationEndTimestamp"] - created["CreationTimestamp"] == timedelta(minutes=10)


def test_a_test_can_fail_a_training_with_a_message(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.fail("Mask colors do not match the manifest.")
    failed = _describe(lookoutvision_client)
    assert failed["Status"] == "TRAINING_FAILED"
    assert failed["StatusMessage"] == "Mask colors do not match the manifest."
    assert "Performance" not in failed
    assert "EvaluationManifest" not in failed
    lookoutvision_mock.advance(HOUR * 5)
    assert _describe(lookoutvision_client)["Status"] == "TRAINING_FAILED"


def test_a_test_can_plan_the_next_training_to_fail(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    lookoutvision_mock.next("training").fails("Not enough anomalous images.")
    create_model(lookoutvision_client)
    create_model(lookoutvision_client)
    assert _describe(lookoutvision_client, "1")["Status"] == "TRAINING"
    lookoutvision_mock.advance(HOUR)
    failed = _describe(lookoutvision_client, "1")
    assert (failed["Status"], failed["StatusMessage"]) == (
        "TRAINING_FAILED",
        "Not enough anomalous images.",
    )
    assert _describe(lookoutvision_client, "2")["Status"] == "TRAINED"


def test_lifecycle_controls_name_unknown_models(
    lookoutvision_mock: Any, lookoutvision_client: Any, project: str
) -> None:
    from mock_lookoutvision import UnknownResource

    with pytest.raises(UnknownResource) as error:
        lookoutvision_mock.model(PROJECT, "7").training.finish()
    assert str(error.value) == (
        f"The model {PROJECT}/7 does not exist in account 123456789012, region us-east-1."
    )


def test_the_clock_never_runs_backwards(lookoutvision_mock: Any) -> None:
    with pytest.raises(ValueError, match="forward"):
        lookoutvision_mock.advance(-1)


@pytest.mark.parametrize("seconds", [float("nan"), float("inf")])
def test_the_clock_refuses_a_step_that_is_not_finite(
    lookoutvision_mock: Any, seconds: float
) -> None:
    with freeze_time("2024-01-01"):
        with pytest.raises(ValueError, match="must be finite"):
            lookoutvision_mock.advance(seconds)
        assert lookoutvision_mock.now() == dt.datetime(2024, 1, 1, tzinfo=timezone.utc)
        # R5: the service still answers, with a timestamp that is a time (once it was NaN).
        client = boto3.client("lookoutvision", region_name="us-east-1")
        created = client.create_project(ProjectName="after")["ProjectMetadata"]
        assert created["CreationTimestamp"] == dt.datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_timestamps_come_from_the_simulated_clock(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    with freeze_time("2024-01-01 00:00:00"):
        lookoutvision_mock.advance(timedelta(days=3))
        created = create_model(lookoutvision_client)
        wall_clock = dt.datetime.now(timezone.utc)
        now = lookoutvision_mock.now()
    # The simulated clock, three days ahead of the (frozen) wall clock.
    assert wall_clock == dt.datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert created["CreationTimestamp"] == now == dt.datetime(2024, 1, 4, tzinfo=timezone.utc)
    assert created["CreationTimestamp"] - wall_clock == timedelta(days=3)


class TestMotoStateManager:
    """moto's state manager (model ``lookoutvision::model``) overrides the default transition."""

    def test_model_is_registered(self) -> None:
        assert "lookoutvision::model" in state_manager.get_registered_models()

    def test_immediate(self, lookoutvision_client: Any, project: str) -> None:
        state_manager.set_transition("lookoutvision::model", {"progression": "immediate"})
        # The creation answer itself is TRAINING; the next read finds the training over.
        assert create_model(lookoutvision_client)["Status"] == "TRAINING"
        assert _describe(lookoutvision_client)["Status"] == "TRAINED"

    def test_a_transition_set_in_one_mock_does_not_reach_the_next(self) -> None:
        with mock_lookoutvision():
            state_manager.set_transition("lookoutvision::model", {"progression": "immediate"})
        with mock_lookoutvision() as lv:
            client = boto3.client("lookoutvision", region_name="us-east-1")
            ready_project(client, lv)
            create_model(client)
            assert _describe(client)["Status"] == "TRAINING"

    def test_manual(self, lookoutvision_client: Any, project: str) -> None:
        state_manager.set_transition("lookoutvision::model", {"progression": "manual", "times": 3})
        create_model(lookoutvision_client)
        statuses = [_describe(lookoutvision_client)["Status"] for _ in range(3)]
        assert statuses == ["TRAINING", "TRAINING", "TRAINED"]

    def test_time_on_the_simulated_clock(
        self, lookoutvision_client: Any, lookoutvision_mock: Any, project: str
    ) -> None:
        state_manager.set_transition("lookoutvision::model", {"progression": "time", "seconds": 30})
        create_model(lookoutvision_client)
        lookoutvision_mock.advance(29)
        assert _describe(lookoutvision_client)["Status"] == "TRAINING"
        lookoutvision_mock.advance(1)
        assert _describe(lookoutvision_client)["Status"] == "TRAINED"


class TestFrozenTime:
    """freezegun and time-machine move the one clock; ``advance`` adds to where they put it."""

    def test_freezegun_freeze_time_sets_timestamps(
        self, lookoutvision_client: Any, project: str
    ) -> None:
        with freeze_time("2024-02-29 12:00:00"):
            created = create_model(lookoutvision_client)
        assert created["CreationTimestamp"] == dt.datetime(2024, 2, 29, 12, tzinfo=timezone.utc)

    def test_freezegun_tick_and_move_to_drive_training(
        self, lookoutvision_client: Any, project: str
    ) -> None:
        with freeze_time("2024-01-01 00:00:00") as frozen:
            create_model(lookoutvision_client)
            frozen.tick(timedelta(minutes=59))
            assert _describe(lookoutvision_client)["Status"] == "TRAINING"
            frozen.move_to("2024-01-01 01:00:00")
            trained = _describe(lookoutvision_client)
        assert trained["Status"] == "TRAINED"
        assert trained["EvaluationEndTimestamp"] == dt.datetime(2024, 1, 1, 1, tzinfo=timezone.utc)

    def test_freezegun_tz_offset_does_not_shift_utc(
        self, lookoutvision_client: Any, project: str
    ) -> None:
        with freeze_time("2024-01-01 00:00:00", tz_offset=5):
            created = create_model(lookoutvision_client)
        assert created["CreationTimestamp"] == dt.datetime(2024, 1, 1, tzinfo=timezone.utc)

    def test_token_expiry_follows_freezegun(self, lookoutvision_client: Any, project: str) -> None:
        with freeze_time("2024-01-01 00:00:00") as frozen:
            first = create_model(lookoutvision_client, ClientToken="frozen-1")
            frozen.tick(timedelta(hours=7, minutes=59, seconds=59))
            assert (
                create_model(lookoutvision_client, ClientToken="frozen-1")["ModelArn"]
                == first["ModelArn"]
            )
            frozen.tick(timedelta(seconds=2))
            assert create_model(lookoutvision_client, ClientToken="frozen-1")["ModelVersion"] == "2"

    def test_advance_adds_to_frozen_time(
        self, lookoutvision_client: Any, lookoutvision_mock: Any, project: str
    ) -> None:
        with freeze_time("2024-01-01 00:00:00"):
            lookoutvision_mock.advance(HOUR)
            assert lookoutvision_mock.now() == dt.datetime(2024, 1, 1, 1, tzinfo=timezone.utc)

    def test_time_machine_travel(self, lookoutvision_client: Any, project: str) -> None:
        with time_machine.travel(
            dt.datetime(2023, 6, 1, tzinfo=timezone.utc), tick=False
        ) as traveller:
            created = create_model(lookoutvision_client)
            assert created["CreationTimestamp"] == dt.datetime(2023, 6, 1, tzinfo=timezone.utc)
            traveller.shift(HOUR)
            assert _describe(lookoutvision_client)["Status"] == "TRAINED"
