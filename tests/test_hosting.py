"""StartModel and StopModel: hosting moves on the simulated clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from moto.moto_api import state_manager

from .conftest import PROJECT, create_model

TEN_MINUTES = timedelta(minutes=10)


@pytest.fixture
def trained(lookoutvision_client: Any, lookoutvision_mock: Any, project: str) -> Any:
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    return lookoutvision_client


def _model(client: Any) -> dict[str, Any]:
    described: dict[str, Any] = client.describe_model(ProjectName=PROJECT, ModelVersion="1")[
        "ModelDescription"
    ]
    return described


def test_start_then_stop(trained: Any, lookoutvision_mock: Any) -> None:
    started = trained.start_model(
        ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1, MaxInferenceUnits=3
    )
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert started["Status"] == "STARTING_HOSTING"
    assert _model(trained)["Status"] == "STARTING_HOSTING"
    lookoutvision_mock.advance(TEN_MINUTES)
    hosted = _model(trained)
    assert hosted["Status"] == "HOSTED"
    assert (hosted["MinInferenceUnits"], hosted["MaxInferenceUnits"]) == (1, 3)
    assert "Performance" in hosted  # a hosted model is still a trained one
    with pytest.raises(trained.exceptions.ConflictException):
        trained.delete_model(ProjectName=PROJECT, ModelVersion="1")
    stopped = trained.stop_model(ProjectName=PROJECT, ModelVersion="1")
    assert stopped["Status"] == "STOPPING_HOSTING"
    lookoutvision_mock.advance(TEN_MINUTES)
    back = _model(trained)
    assert back["Status"] == "TRAINED"
    assert "MinInferenceUnits" not in back
    trained.delete_model(ProjectName=PROJECT, ModelVersion="1")


def test_max_units_default_to_min(trained: Any, lookoutvision_mock: Any) -> None:
    trained.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=2)
    lookoutvision_mock.model(PROJECT, "1").hosting_start.finish()
    hosted = _model(trained)
    assert (hosted["Status"], hosted["MinInferenceUnits"], hosted["MaxInferenceUnits"]) == (
        "HOSTED",
        2,
        2,
    )


def test_units_are_validated(unchecked_client: Any, trained: Any) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=0)
    assert "'minInferenceUnits'" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(unchecked_client.exceptions.ValidationException):
        unchecked_client.start_model(
            ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=3, MaxInferenceUnits=2
        )
    assert _model(trained)["Status"] == "TRAINED"


def test_only_a_trained_model_starts(lookoutvision_client: Any, project: str) -> None:
    create_model(lookoutvision_client)
    with pytest.raises(lookoutvision_client.exceptions.ConflictException) as excinfo:
        lookoutvision_client.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    assert excinfo.value.response["ResourceType"] == "MODEL"
    assert _model(lookoutvision_client)["Status"] == "TRAINING"


def test_only_a_hosted_model_stops(trained: Any) -> None:
    with pytest.raises(trained.exceptions.ConflictException):
        trained.stop_model(ProjectName=PROJECT, ModelVersion="1")
    assert _model(trained)["Status"] == "TRAINED"


def test_start_token_replays_without_starting_twice(trained: Any) -> None:
    first = trained.start_model(
        ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1, ClientToken="s-1"
    )
    again = trained.start_model(
        ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1, ClientToken="s-1"
    )
    assert first["Status"] == again["Status"] == "STARTING_HOSTING"
    with pytest.raises(trained.exceptions.ConflictException):
        trained.start_model(
            ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=2, ClientToken="s-1"
        )


def test_hosting_can_be_made_to_fail(trained: Any, lookoutvision_mock: Any) -> None:
    lookoutvision_mock.next("hosting_start").fails("Not enough capacity.")
    trained.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    lookoutvision_mock.advance(TEN_MINUTES)
    failed = _model(trained)
    assert (failed["Status"], failed["StatusMessage"]) == ("HOSTING_FAILED", "Not enough capacity.")
    trained.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    lookoutvision_mock.model(PROJECT, "1").hosting_start.fail("Broken.")
    assert _model(trained)["Status"] == "HOSTING_FAILED"


def test_hosting_follows_moto_state_manager(trained: Any) -> None:
    state_manager.set_transition(
        "lookoutvision::model_hosting", {"progression": "manual", "times": 2}
    )
    trained.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    assert [_model(trained)["Status"] for _ in range(2)] == ["STARTING_HOSTING", "HOSTED"]
