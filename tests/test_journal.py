"""The handle's journal of the calls the mock answered."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from freezegun import freeze_time

from mock_lookoutvision import mock_lookoutvision

from .conftest import PROJECT, create_model


def test_calls_are_recorded_with_parameters_and_errors(
    lookoutvision_client: Any, lookoutvision_mock: Any
) -> None:
    with freeze_time("2024-03-01 09:00:00"):
        lookoutvision_client.create_project(ProjectName=PROJECT, ClientToken="p-1")
        lookoutvision_mock.advance(90)
        with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
            lookoutvision_client.describe_model(ProjectName=PROJECT, ModelVersion="3")
    calls = lookoutvision_mock.calls()
    assert [(c.operation, c.error) for c in calls] == [
        ("CreateProject", None),
        ("DescribeModel", "ResourceNotFoundException"),
    ]
    assert calls[0].parameters == {"ProjectName": PROJECT, "ClientToken": "p-1"}
    assert calls[1].parameters == {"ProjectName": PROJECT, "ModelVersion": "3"}
    # Each call at the simulated time it was answered: frozen wall clock plus the advance.
    started = datetime(2024, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
    assert [c.at for c in calls] == [started, started + timedelta(seconds=90)]
    assert [c.seconds for c in calls] == [started.timestamp(), started.timestamp() + 90]


def test_calls_can_be_filtered_by_operation(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client, Description="first")
    with pytest.raises(lookoutvision_client.exceptions.ValidationException):
        create_model(lookoutvision_client, Description="not valid")
    creates = lookoutvision_mock.calls("CreateModel")
    assert [(c.parameters["Description"], c.error) for c in creates] == [
        ("first", None),
        ("not valid", "ValidationException"),
    ]


def test_the_journal_starts_empty_in_each_mock() -> None:
    with mock_lookoutvision() as lv:
        import boto3

        boto3.client("lookoutvision", region_name="us-east-1").list_projects()
        assert len(lv.calls()) == 1
    with mock_lookoutvision() as lv:
        assert lv.calls() == []
