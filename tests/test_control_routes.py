"""The control routes' refusals: each is a JSON 4xx that leaves the mock exactly as it was (clock,
durations, quotas, injected errors, detection results, journal); a fault of the mock is a JSON 500;
and the detection-results route. ``srv`` is conftest's: one server per module, emptied per test."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_lookoutvision import ThrottlingException, make_png
from mock_lookoutvision.clock import clock
from mock_lookoutvision.control_routes import ControlRoutes
from mock_lookoutvision.handle import MAX_TIMES, ControlError
from mock_lookoutvision.lifecycle import durations as durations_in_force
from mock_lookoutvision.models import backend_of
from mock_lookoutvision.quotas import QUOTAS
from mock_lookoutvision.serving import ServerHandle
from mock_lookoutvision.statuses import Step

from .server_helpers import ACCOUNT, OUTPUT, PROJECT, REGION, ready_project

CONTROLS = "/_mock_lookoutvision"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
THROTTLE = {"operation": "ListProjects", "code": "ThrottlingException", "message": "Slow down"}


def control(srv: ServerHandle, route: str, body: Any = None, method: str = "POST") -> Any:
    return requests.request(method, f"{srv.endpoint_url}{CONTROLS}/{route}", json=body, timeout=10)


def raw_control(srv: ServerHandle, route: str, data: str) -> Any:
    """A body as given: JSON's NaN and Infinity, which requests won't write."""
    headers = {"Content-Type": "application/json"}
    return requests.post(f"{srv.endpoint_url}{CONTROLS}/{route}", data=data, headers=headers)


def lookoutvision(srv: ServerHandle) -> Any:
    return srv.client("lookoutvision", config=NO_RETRIES)


def state(srv: ServerHandle) -> tuple[Any, ...]:
    """What a refused control must leave as it was."""
    backend = backend_of(ACCOUNT, REGION)
    return (
        clock.offset_seconds(),  # exact: the server runs at real speed
        clock.speed,
        {step: durations_in_force.seconds(step) for step in Step},
        {code: backend.quotas.value(quota) for code, quota in QUOTAS.items()},
        dict(backend.controls.detection_results),
        srv.calls(),
    )


def assert_refused(
    srv: ServerHandle, answer: Any, status: int = 400, error: str = "BadControlRequest"
) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"] == error


def assert_nothing_injected(srv: ServerHandle) -> None:
    assert lookoutvision(srv).list_projects()["Projects"] == []


# The clock ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [1e12, 1e300, 8e13])
def test_an_advance_past_the_last_datetime_is_refused_and_the_clock_unchanged(
    srv: ServerHandle, seconds: float
) -> None:
    control(srv, "advance", {"seconds": 3600})
    before = state(srv)
    answer = control(srv, "advance", {"seconds": seconds})
    assert_refused(srv, answer)
    assert "year 9999" in answer.json()["message"]
    assert state(srv) == before
    assert srv.now().year < 9999
    assert_nothing_injected(srv)  # later calls still work
    assert control(srv, "now", method="GET").status_code == 200


@pytest.mark.parametrize("data", ['{"speed": 1e7}', '{"speed": NaN}', '{"speed": Infinity}'])
def test_a_speed_out_of_range_is_refused_and_the_clock_unchanged(
    srv: ServerHandle, data: str
) -> None:
    before = state(srv)
    assert_refused(srv, raw_control(srv, "speed", data))
    assert state(srv) == before


def test_the_fastest_speed_is_taken(srv: ServerHandle) -> None:
    answer = control(srv, "speed", {"speed": 1e6})
    assert (answer.status_code, answer.json()["speed"]) == (200, 1e6)
    srv.reset()  # the server's own speed again
    assert clock.speed == 1.0


# Injected errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"times": 0},
        {"times": -3},
        {"times": MAX_TIMES + 1},
        {"times": 10**30},
        {"times": True},
        {"times": 2.5},
        {"members": {"retry_after_seconds": "soon"}},
        {"members": {"retry_after_seconds": True}},
        {"members": {"retry_after_seconds": 1.5}},
        {"members": {"retry_after_seconds": -1}},
        {"members": {"quota_code": 5}},
        {"members": {"service_code": ["lookoutvision"]}},
        {"members": {"lunch": "now"}},
    ],
)
def test_an_error_that_cannot_be_injected_is_refused_and_nothing_injected(
    srv: ServerHandle, extra: dict[str, Any]
) -> None:
    before = state(srv)
    assert_refused(srv, control(srv, "errors", {**THROTTLE, **extra}))
    assert state(srv) == before
    assert_nothing_injected(srv)


@pytest.mark.parametrize(
    ("code", "members"),
    [
        ("ConflictException", {"resource_id": 7, "resource_type": "PROJECT"}),
        ("ResourceNotFoundException", {"resource_id": "widgets", "resource_type": None}),
        ("InternalServerException", {"retry_after_seconds": "5"}),
        ("ServiceQuotaExceededException", {"quota_code": "L-1", "service_code": False}),
    ],
)
def test_members_are_checked_against_each_errors_constructor(
    srv: ServerHandle, code: str, members: dict[str, Any]
) -> None:
    body = {"operation": "ListProjects", "code": code, "message": "No", "members": members}
    before = state(srv)
    assert_refused(srv, control(srv, "errors", body))
    assert state(srv) == before
    assert_nothing_injected(srv)


def test_an_error_answers_as_many_calls_as_injected_then_none(srv: ServerHandle) -> None:
    members = {"retry_after_seconds": 3}
    assert control(srv, "errors", {**THROTTLE, "members": members, "times": 2}).status_code == 200
    for _ in range(2):
        with pytest.raises(ClientError) as throttled:
            lookoutvision(srv).list_projects()
        assert throttled.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "3"
    assert_nothing_injected(srv)


def test_the_most_times_are_taken(srv: ServerHandle) -> None:
    assert control(srv, "errors", {**THROTTLE, "times": MAX_TIMES}).status_code == 200
    with pytest.raises(ClientError, match="Slow down"):
        lookoutvision(srv).list_projects()


@pytest.mark.parametrize("times", [0, -1, MAX_TIMES + 1, True])
def test_the_handle_refuses_the_same_counts(srv: ServerHandle, times: int) -> None:
    before = state(srv)
    with pytest.raises(ControlError, match="times"):
        srv.inject_error("ListProjects", ThrottlingException("Slow down"), times=times)
    assert state(srv) == before
    assert_nothing_injected(srv)


@pytest.mark.parametrize(
    "error",
    [
        ThrottlingException("Slow down", retry_after_seconds="soon"),  # type: ignore[arg-type]
        ThrottlingException("Slow down", quota_code=5),  # type: ignore[arg-type]
        ThrottlingException(None),  # type: ignore[arg-type]
    ],
)
def test_the_handle_refuses_an_error_the_service_could_not_send(
    srv: ServerHandle, error: ThrottlingException
) -> None:
    before = state(srv)
    with pytest.raises(ControlError, match="ThrottlingException"):
        srv.inject_error("ListProjects", error)
    assert state(srv) == before
    assert_nothing_injected(srv)


# Faults of the mock --------------------------------------------------------------------------


def test_a_fault_in_a_control_is_a_logged_json_500(
    srv: ServerHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(ControlRoutes, "_now", broken)
    with caplog.at_level(logging.ERROR, logger="mock_lookoutvision.control_routes"):
        answer = control(srv, "now", method="GET")
    assert answer.status_code == 500
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"error": "InternalError", "message": "KeyError: 'a bug'"}
    [record] = [r for r in caplog.records if r.name == "mock_lookoutvision.control_routes"]
    assert record.exc_info is not None
    assert record.exc_info[0] is KeyError
    monkeypatch.undo()
    assert control(srv, "now", method="GET").status_code == 200


# Detection results ---------------------------------------------------------------------------


def hosted_model(srv: ServerHandle) -> str:
    ready_project(srv)
    client = lookoutvision(srv)
    version: str = client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)["ModelMetadata"][
        "ModelVersion"
    ]
    srv.model(PROJECT, version).training.finish()
    client.start_model(ProjectName=PROJECT, ModelVersion=version, MinInferenceUnits=1)
    srv.model(PROJECT, version).hosting_start.finish()
    return version


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_detection_result_set_over_the_server_is_what_detect_anomalies_answers(
    srv: ServerHandle,
) -> None:
    version = hosted_model(srv)
    image = make_png(64, 64, shade=200)
    mask = make_png(64, 64, shade=3)
    anomalies = [
        {"name": "background", "total_percentage_area": 0.75, "color": "#FFFFFF"},
        {"name": "scratch", "total_percentage_area": 0.25, "color": "#23A436"},
    ]
    body = {
        "image": b64(image),
        "is_anomalous": True,
        "confidence": 0.875,
        "anomalies": anomalies,
        "anomaly_mask": b64(mask),
    }
    answer = control(srv, "detection-results", body)
    assert (answer.status_code, answer.json()) == (200, {})
    result = lookoutvision(srv).detect_anomalies(
        ProjectName=PROJECT, ModelVersion=version, Body=image, ContentType="image/png"
    )["DetectAnomalyResult"]
    assert result == {
        "Source": {"Type": "direct"},
        "IsAnomalous": True,
        "Confidence": 0.875,
        "Anomalies": [
            {
                "Name": "background",
                "PixelAnomaly": {"TotalPercentageArea": 0.75, "Color": "#FFFFFF"},
            },
            {"Name": "scratch", "PixelAnomaly": {"TotalPercentageArea": 0.25, "Color": "#23A436"}},
        ],
        "AnomalyMask": mask,
    }
    # Only the fields DetectAnomalies always has are required.
    plain = {"image": b64(image), "is_anomalous": False, "confidence": 1}
    assert control(srv, "detection-results", plain).status_code == 200
    result = lookoutvision(srv).detect_anomalies(
        ProjectName=PROJECT, ModelVersion=version, Body=image, ContentType="image/png"
    )["DetectAnomalyResult"]
    assert result == {"Source": {"Type": "direct"}, "IsAnomalous": False, "Confidence": 1.0}


def test_a_detection_result_can_be_set_in_another_region(srv: ServerHandle) -> None:
    image = b64(make_png(64, 64))
    body = {"image": image, "is_anomalous": True, "confidence": 0.5, "region_name": "eu-west-1"}
    assert control(srv, "detection-results", body).status_code == 200
    assert backend_of(ACCOUNT, "eu-west-1").controls.detection_results
    assert not backend_of(ACCOUNT, REGION).controls.detection_results


IMAGE = b64(make_png(64, 64))
GOOD = {"image": IMAGE, "is_anomalous": True, "confidence": 0.5}
AREA = {"name": "scratch", "total_percentage_area": 0.1, "color": "#FF0000"}


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD, "image": "not base64!"},
        {**GOOD, "image": "abc"},  # bad padding
        {**GOOD, "image": ""},
        {**GOOD, "image": 5},
        {k: v for k, v in GOOD.items() if k != "image"},
        {**GOOD, "is_anomalous": "yes"},
        {**GOOD, "is_anomalous": 1},
        {k: v for k, v in GOOD.items() if k != "is_anomalous"},
        {**GOOD, "confidence": "high"},
        {**GOOD, "confidence": True},
        {k: v for k, v in GOOD.items() if k != "confidence"},
        {**GOOD, "anomalies": {"name": "scratch"}},
        {**GOOD, "anomalies": ["scratch"]},
        {**GOOD, "anomalies": [{**AREA, "name": 1}]},
        {**GOOD, "anomalies": [{**AREA, "color": None}]},
        {**GOOD, "anomalies": [{**AREA, "total_percentage_area": "10%"}]},
        {**GOOD, "anomalies": [{k: v for k, v in AREA.items() if k != "total_percentage_area"}]},
        {**GOOD, "anomalies": [{**AREA, "Name": "scratch"}]},
        {**GOOD, "anomaly_mask": "%%%"},
        {**GOOD, "anomaly_mask": 7},
    ],
)
def test_a_bad_detection_result_is_refused_and_nothing_set(
    srv: ServerHandle, body: dict[str, Any]
) -> None:
    before = state(srv)
    assert_refused(srv, control(srv, "detection-results", body))
    assert state(srv) == before


def test_a_non_finite_confidence_is_refused(srv: ServerHandle) -> None:
    before = state(srv)
    data = f'{{"image": "{IMAGE}", "is_anomalous": true, "confidence": NaN}}'
    assert_refused(srv, raw_control(srv, "detection-results", data))
    assert state(srv) == before


# Accounts and regions ------------------------------------------------------------------------

WHOLE_MOCK_POSTS = [
    ("advance", {"seconds": 60}),
    ("reset", {}),
    ("speed", {"speed": 60}),
    ("durations", {"durations": {"training": 5}}),
]


@pytest.mark.parametrize(("route", "body"), WHOLE_MOCK_POSTS)
@pytest.mark.parametrize(
    "where",
    [{"account_id": "111122223333"}, {"region_name": "eu-west-1"}, {"region_name": REGION}],
)
def test_a_control_of_the_whole_mock_refuses_an_account_or_region(
    srv: ServerHandle, route: str, body: dict[str, Any], where: dict[str, str]
) -> None:
    lookoutvision(srv).create_project(ProjectName=PROJECT)  # what a reset would drop
    before = state(srv)
    answer = control(srv, route, {**body, **where})
    assert_refused(srv, answer)
    assert "whole mock" in answer.json()["message"]
    assert state(srv) == before
    assert [p["ProjectName"] for p in lookoutvision(srv).list_projects()["Projects"]] == [PROJECT]


@pytest.mark.parametrize("route", ["now", "calls"])
@pytest.mark.parametrize("query", ["account_id=111122223333", "region_name=eu-west-1"])
def test_a_read_of_the_whole_mock_refuses_an_account_or_region(
    srv: ServerHandle, route: str, query: str
) -> None:
    lookoutvision(srv).list_projects()
    before = state(srv)
    answer = requests.get(f"{srv.endpoint_url}{CONTROLS}/{route}?{query}", timeout=10)
    assert_refused(srv, answer)
    assert state(srv) == before


def test_the_whole_mock_controls_still_work_without_them(srv: ServerHandle) -> None:
    for route, body in WHOLE_MOCK_POSTS:
        assert control(srv, route, body).status_code == 200, route
    srv.reset()
    assert control(srv, "calls", method="GET").json() == {"calls": []}
