"""The three ways in: decorator, context manager and the pytest fixtures (see test_plugin.py)."""

from __future__ import annotations

import os
import unittest
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from freezegun import freeze_time
from moto import mock_aws

from mock_lookoutvision import LookoutVisionMock, mock_lookoutvision
from mock_lookoutvision.clock import clock
from mock_lookoutvision.models import lookoutvision_backends

from .conftest import OUTPUT, ready_project

REGION = "us-east-1"


def _client() -> Any:
    return boto3.client("lookoutvision", region_name=REGION)


def _project_names(client: Any) -> list[str]:
    return [p["ProjectName"] for p in client.list_projects()["Projects"]]


@mock_lookoutvision
def test_bare_decorator_on_a_function() -> None:
    client = _client()
    assert _project_names(client) == []
    client.create_project(ProjectName="decorated")
    assert _project_names(client) == ["decorated"]


@mock_lookoutvision(durations={"training": timedelta(minutes=1)}, as_kwarg="lv")
def test_called_decorator_on_a_function_takes_options(lv: LookoutVisionMock) -> None:
    client = _client()
    ready_project(client, lv, name="decorated")
    client.create_model(ProjectName="decorated", OutputConfig=OUTPUT)
    clock.advance(60)
    model = client.describe_model(ProjectName="decorated", ModelVersion="1")["ModelDescription"]
    assert model["Status"] == "TRAINED"


def test_decorator_preserves_the_function_and_drops_state_on_exit() -> None:
    @mock_lookoutvision
    def make_project(name: str) -> str:
        return str(_client().create_project(ProjectName=name)["ProjectMetadata"]["ProjectArn"])

    assert make_project.__name__ == "make_project"
    assert make_project("one").endswith(":project/one")
    assert len(lookoutvision_backends) == 0
    # A second run starts empty: the name is free again.
    assert make_project("one").endswith(":project/one")


def test_context_manager_yields_the_handle_and_starts_empty() -> None:
    start = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    with freeze_time(start):
        with mock_lookoutvision() as lv:
            assert isinstance(lv, LookoutVisionMock)
            client = _client()
            client.create_project(ProjectName="first")
            assert lv.now() == start
            assert lv.advance(60) == start + timedelta(seconds=60)
            assert lv.now() == start + timedelta(seconds=60)
        # The next mock starts empty, and its clock without the first one's advance.
        with mock_lookoutvision() as lv:
            assert _project_names(_client()) == []
            assert lv.now() == start
            assert clock.offset_seconds() == 0


def test_fake_credentials_replace_real_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    seen: list[str] = []
    with mock_lookoutvision():
        assert os.environ["AWS_ACCESS_KEY_ID"] != "AKIAREALKEY"
        client = _client()
        client.meta.events.register(
            "before-send.lookoutvision",
            lambda request, **_: seen.append(str(request.headers["Authorization"])),
        )
        client.list_projects()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY"
    assert seen
    assert "AKIAREALKEY" not in seen[0]


@mock_lookoutvision
class TestDecoratedClass:
    def test_one(self) -> None:
        client = _client()
        assert _project_names(client) == []
        client.create_project(ProjectName="from-one")

    def test_two(self) -> None:
        client = _client()
        assert _project_names(client) == []
        client.create_project(ProjectName="from-two")


@mock_lookoutvision
class TestDecoratedUnitTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.client = _client()
        self.client.create_project(ProjectName="from-setup")

    def test_state_from_setup_is_visible(self) -> None:
        self.assertEqual(_project_names(self.client), ["from-setup"])

    def test_each_test_starts_from_setup_alone(self) -> None:
        self.client.create_project(ProjectName="extra")
        self.assertEqual(_project_names(self.client), ["from-setup", "extra"])


def test_moto_services_are_live_inside_the_mock() -> None:
    with mock_lookoutvision() as lv:
        s3 = boto3.client("s3", region_name=REGION)
        kms = boto3.client("kms", region_name=REGION)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        iam = boto3.client("iam", region_name=REGION)
        iam.create_role(RoleName="trainer", AssumeRolePolicyDocument="{}")
        client = _client()
        ready_project(client, lv, "p")
        model = client.create_model(ProjectName="p", OutputConfig=OUTPUT, KmsKeyId=key_id)
        assert model["ModelMetadata"]["Status"] == "TRAINING"
        lv.advance(3600)
        assert (
            client.describe_model(ProjectName="p", ModelVersion="1")["ModelDescription"]["Status"]
            == "TRAINED"
        )
        assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == [
            "lv-images",
            "lv-results",
        ]
        assert iam.get_role(RoleName="trainer")["Role"]["RoleName"] == "trainer"


def test_moto_mock_aws_answers_lookoutvision_too() -> None:
    with mock_aws():
        client = _client()
        client.create_project(ProjectName="via-moto")
        assert _project_names(client) == ["via-moto"]
    with mock_aws():
        assert _project_names(_client()) == []


def test_nested_in_mock_aws_resets_only_its_own_state() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="outer-bucket")
        _client().create_project(ProjectName="outer")
        with mock_lookoutvision():
            assert _project_names(_client()) == []
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["outer-bucket"]
            _client().create_project(ProjectName="inner")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["outer-bucket"]
        assert _project_names(_client()) == []


def test_nested_mocks_share_one_state() -> None:
    start = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    with freeze_time(start), mock_lookoutvision() as outer:
        _client().create_project(ProjectName="outer")
        outer.advance(timedelta(days=1))
        with mock_lookoutvision() as inner:
            assert _project_names(_client()) == ["outer"]
            # One clock: the inner mock neither resets the outer one's advance nor has its own.
            assert inner.now() == outer.now() == start + timedelta(days=1)
            assert clock.offset_seconds() == timedelta(days=1).total_seconds()
            inner.advance(60)
            assert outer.now() == start + timedelta(days=1, seconds=60)
        assert _project_names(_client()) == ["outer"]
        assert outer.now() == start + timedelta(days=1, seconds=60)


def test_a_nested_mocks_training_duration_applies_inside_it_only() -> None:
    with mock_lookoutvision(durations={"training": 600}) as outer:
        client = _client()
        ready_project(client, outer, "p")
        with mock_lookoutvision(durations={"training": 60}):
            client.create_model(ProjectName="p", OutputConfig=OUTPUT)
        client.create_model(ProjectName="p", OutputConfig=OUTPUT)
        outer.advance(60)
        statuses = [m["Status"] for m in client.list_models(ProjectName="p")["Models"]]
        assert statuses == ["TRAINED", "TRAINING"]


def test_stopping_a_mock_that_was_not_started_is_an_error() -> None:
    mock = mock_lookoutvision()
    with pytest.raises(RuntimeError, match="not started"):
        mock.stop()
    with mock_lookoutvision():
        _client().create_project(ProjectName="p")
    with mock_lookoutvision():
        assert _project_names(_client()) == []


def test_moto_service_whitelist_is_honoured() -> None:
    from moto.core.exceptions import ServiceNotWhitelisted

    with (
        mock_aws(config={"core": {"service_whitelist": ["s3"]}}),
        pytest.raises(ServiceNotWhitelisted),
    ):
        _client().list_projects()


def test_handle_controls_act_on_a_chosen_region() -> None:
    with mock_lookoutvision(region_name="eu-west-1") as lv:
        client = boto3.client("lookoutvision", region_name="eu-west-1")
        output = ready_project(client, lv, "p")
        client.create_model(ProjectName="p", OutputConfig=output)
        lv.model("p", "1").training.finish()
        assert (
            client.describe_model(ProjectName="p", ModelVersion="1")["ModelDescription"]["Status"]
            == "TRAINED"
        )


def test_negative_training_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        mock_lookoutvision(durations={"training": -5})


def test_regions_where_the_service_was_not_offered_have_no_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One attempt: botocore retries connection errors with real back-off sleeps.
    once = Config(retries={"total_max_attempts": 1, "mode": "standard"})
    with mock_lookoutvision():
        client = boto3.client("lookoutvision", region_name="ap-south-1", config=once)
        with pytest.raises(EndpointConnectionError, match=r"lookoutvision\.ap-south-1\."):
            client.list_projects()
        monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        assert client.list_projects()["Projects"] == []


@pytest.mark.parametrize(
    "endpoint",
    [{"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}],
    ids=["fips", "dualstack"],
)
def test_fips_and_dual_stack_endpoints_are_answered(endpoint: dict[str, bool]) -> None:
    from botocore.config import Config

    with mock_lookoutvision():
        client = boto3.client("lookoutvision", region_name=REGION, config=Config(**endpoint))
        client.create_project(ProjectName="p")
        assert _project_names(_client()) == ["p"]
