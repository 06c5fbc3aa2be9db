"""Faults on demand: ``inject_error``'s options (times, a seeded fraction, a predicate on the
parameters, after commit, a dropped connection), ``clear_errors`` and ``cancel``, botocore's retry
modes meeting them, and the same controls as the server's ``errors`` route."""

from __future__ import annotations

import http.client
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from mock_lookoutvision import (
    AccessDeniedException,
    ControlError,
    DroppedConnection,
    InternalServerException,
    LookoutVisionError,
    LookoutVisionMock,
    ServiceQuotaExceededException,
    ThrottlingException,
    ValidationException,
)
from mock_lookoutvision.api_model import service_model
from mock_lookoutvision.serving import ServerHandle

from . import server_helpers
from .conftest import OUTPUT, PROJECT, model_versions
from .server_helpers import API, boto3_client, raw, signed, snapshot

REGION = "us-east-1"
ENDPOINT = f"https://lookoutvision.{REGION}.amazonaws.com"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
SLOW_DOWN = ThrottlingException("Slow down.", retry_after_seconds=2)


def single_attempt() -> Any:
    return boto3.client("lookoutvision", region_name=REGION, config=NO_RETRIES)


def outcomes(client: Any, calls: int) -> list[bool]:
    """For ``calls`` ListProjects calls, whether each was answered by an error."""
    failed = []
    for _ in range(calls):
        try:
            client.list_projects()
        except ClientError:
            failed.append(True)
        else:
            failed.append(False)
    return failed


def assert_nothing_injected(lv: LookoutVisionMock) -> None:
    """No fault is active in the handle's account and region (and none is left behind)."""
    assert lv.clear_errors() == 0


# The errors, as the service sends them ----------------------------------------------------------

ERRORS: list[tuple[LookoutVisionError, int, dict[str, Any]]] = [
    (
        ThrottlingException(
            "Rate exceeded.", quota_code="L-1", service_code="lookoutvision", retry_after_seconds=2
        ),
        429,
        {"QuotaCode": "L-1", "ServiceCode": "lookoutvision", "RetryAfterSeconds": 2},
    ),
    (InternalServerException("Oops.", retry_after_seconds=9), 500, {"RetryAfterSeconds": 9}),
    (
        ServiceQuotaExceededException(
            "Too many.",
            quota_code="L-64685F61",
            service_code="lookoutvision",
            resource_id=PROJECT,
            resource_type="PROJECT",
        ),
        402,
        {
            "QuotaCode": "L-64685F61",
            "ServiceCode": "lookoutvision",
            "ResourceId": PROJECT,
            "ResourceType": "PROJECT",
        },
    ),
    (AccessDeniedException("No."), 403, {}),
]
ERROR_IDS = [error.code for error, _, _ in ERRORS]


@pytest.mark.parametrize(("error", "status", "members"), ERRORS, ids=ERROR_IDS)
def test_the_statuses_are_the_shipped_models(
    error: LookoutVisionError, status: int, members: dict[str, Any]
) -> None:
    shape = service_model().shape_for(error.code)
    assert shape.metadata["error"]["httpStatusCode"] == status
    assert set(members) <= set(shape.members)
    if "RetryAfterSeconds" in shape.members:  # a header, both where the model has it
        header = shape.members["RetryAfterSeconds"].serialization
        assert header == {"location": "header", "name": "Retry-After"}


@pytest.mark.parametrize(("error", "status", "members"), ERRORS, ids=ERROR_IDS)
def test_each_error_reaches_botocore_with_its_status_members_and_retry_after(
    lookoutvision_mock: LookoutVisionMock,
    error: LookoutVisionError,
    status: int,
    members: dict[str, Any],
) -> None:
    lookoutvision_mock.inject_error("CreateProject", error, after_commit=True)
    client = single_attempt()
    with pytest.raises(getattr(client.exceptions, error.code)) as failure:
        client.create_project(ProjectName=PROJECT)
    response = failure.value.response
    assert response["Error"] == {"Code": error.code, "Message": error.message}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert {name: response[name] for name in members} == members
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    if "RetryAfterSeconds" in members:
        assert headers["retry-after"] == str(members["RetryAfterSeconds"])
    else:
        assert "retry-after" not in headers
    # After commit: the project was made all the same.
    assert [p["ProjectName"] for p in client.list_projects()["Projects"]] == [PROJECT]


# times, clear_errors, cancel --------------------------------------------------------------------


def test_by_default_a_fault_answers_the_next_call_only(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    injected = lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN)
    assert outcomes(single_attempt(), 3) == [True, False, False]
    assert (injected.answered, injected.active) == (1, False)
    assert_nothing_injected(lookoutvision_mock)


def test_times_none_answers_every_call_until_cleared(lookoutvision_mock: LookoutVisionMock) -> None:
    injected = lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, times=None)
    client = single_attempt()
    assert outcomes(client, 5) == [True] * 5
    assert lookoutvision_mock.clear_errors("ListProjects") == 1
    assert outcomes(client, 2) == [False, False]
    assert (injected.answered, injected.active) == (5, False)


def test_clear_errors_of_one_operation_leaves_the_others(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, times=None)
    lookoutvision_mock.inject_error("CreateProject", AccessDeniedException("No."), times=None)
    assert lookoutvision_mock.clear_errors("CreateProject") == 1
    client = single_attempt()
    client.create_project(ProjectName=PROJECT)
    assert outcomes(client, 1) == [True]
    assert lookoutvision_mock.clear_errors() == 1


def test_cancel_removes_one_fault_and_keeps_the_next(lookoutvision_mock: LookoutVisionMock) -> None:
    first = lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, times=None)
    second = lookoutvision_mock.inject_error("ListProjects", AccessDeniedException("No."))
    client = single_attempt()
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_projects()  # the first injected answers first
    first.cancel()
    first.cancel()  # idempotent
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.list_projects()
    assert outcomes(client, 1) == [False]
    assert (first.answered, first.active, second.answered, second.active) == (1, False, 1, False)
    assert "answered 1, inactive" in repr(first)


def test_faults_are_per_account_and_region(lookoutvision_mock: LookoutVisionMock) -> None:
    lookoutvision_mock.scoped(region_name="eu-west-1").inject_error("ListProjects", SLOW_DOWN)
    assert outcomes(single_attempt(), 1) == [False]  # us-east-1
    ireland = boto3.client("lookoutvision", region_name="eu-west-1", config=NO_RETRIES)
    assert outcomes(ireland, 2) == [True, False]


# A seeded fraction of the calls -----------------------------------------------------------------


def draws(fraction: float, seed: int, calls: int) -> list[bool]:
    """Which calls a fraction answers, as documented: ``random.Random(seed)``, one draw a call."""
    drawn = random.Random(seed)
    return [drawn.random() < fraction for _ in range(calls)]


def test_a_fraction_answers_the_calls_its_seed_draws(lookoutvision_mock: LookoutVisionMock) -> None:
    injected = lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, fraction=0.3, seed=7)
    failed = outcomes(single_attempt(), 40)
    assert failed == draws(0.3, 7, 40)
    assert 0 < sum(failed) < 40
    assert (injected.answered, injected.active) == (sum(failed), True)  # until cleared


def test_the_same_seed_fails_the_same_calls_and_another_seed_others(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    client = single_attempt()
    runs = []
    for seed in (7, 7, 8):
        lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, fraction=0.5, seed=seed)
        runs.append(outcomes(client, 30))
        lookoutvision_mock.clear_errors()
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert draws(0.5, 7, 30) != draws(0.5, 8, 30)  # the seeds above do draw differently


def test_a_fraction_without_a_seed_is_seeded_with_0(lookoutvision_mock: LookoutVisionMock) -> None:
    lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, fraction=0.5)
    assert outcomes(single_attempt(), 20) == draws(0.5, 0, 20)


def test_times_caps_a_fraction(lookoutvision_mock: LookoutVisionMock) -> None:
    injected = lookoutvision_mock.inject_error(
        "ListProjects", SLOW_DOWN, times=2, fraction=0.5, seed=3
    )
    failed = outcomes(single_attempt(), 30)
    expected = draws(0.5, 3, 30)
    second = [i for i, hit in enumerate(expected) if hit][1]
    assert failed == expected[: second + 1] + [False] * (29 - second)
    assert (injected.answered, injected.active) == (2, False)


def test_a_fraction_of_1_answers_every_call(lookoutvision_mock: LookoutVisionMock) -> None:
    lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, fraction=1)
    assert outcomes(single_attempt(), 10) == [True] * 10


# A predicate on the parameters ------------------------------------------------------------------


def test_a_predicate_answers_only_the_calls_it_holds_for(
    lookoutvision_mock: LookoutVisionMock, project: str
) -> None:
    seen: list[Mapping[str, Any]] = []

    def sensitive(params: Mapping[str, Any]) -> bool:
        seen.append(params)
        return params.get("Description") == "sensitive"

    injected = lookoutvision_mock.inject_error(
        "CreateModel", AccessDeniedException("Not this one."), when=sensitive
    )
    client = single_attempt()
    client.create_model(ProjectName=project, OutputConfig=OUTPUT, Description="fine")
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.create_model(ProjectName=project, OutputConfig=OUTPUT, Description="sensitive")
    client.create_model(ProjectName=project, OutputConfig=OUTPUT)
    # Until cleared: the next matching call is answered too.
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.create_model(ProjectName=project, OutputConfig=OUTPUT, Description="sensitive")
    assert model_versions(client) == ["1", "2"]
    assert injected.answered == 2
    # The parsed parameters, URL labels included, as a read-only mapping.
    assert seen[0]["ProjectName"] == project
    assert seen[0]["OutputConfig"] == OUTPUT
    with pytest.raises(TypeError):
        seen[0]["Description"] = "changed"  # type: ignore[index]
    errors = [call.error for call in lookoutvision_mock.calls("CreateModel")]
    assert errors == [None, "AccessDeniedException", None, "AccessDeniedException"]


def test_a_predicate_is_decided_after_validation(
    lookoutvision_mock: LookoutVisionMock, project: str
) -> None:
    injected = lookoutvision_mock.inject_error(
        "CreateModel", SLOW_DOWN, when=lambda params: True, times=1
    )
    client = single_attempt()
    with pytest.raises(client.exceptions.ValidationException):
        client.create_model(ProjectName=project, OutputConfig=OUTPUT, Description="no spaces")
    assert injected.answered == 0  # an invalid call gets its own error, the fault stays
    with pytest.raises(client.exceptions.ThrottlingException):
        client.create_model(ProjectName=project, OutputConfig=OUTPUT)
    assert model_versions(client) == []


def test_a_mapping_predicate_matches_member_values(lookoutvision_mock: LookoutVisionMock) -> None:
    lookoutvision_mock.inject_error(
        "CreateProject", AccessDeniedException("No."), when={"ProjectName": "secret"}
    )
    client = single_attempt()
    client.create_project(ProjectName="open")
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.create_project(ProjectName="secret")
    assert [p["ProjectName"] for p in client.list_projects()["Projects"]] == ["open"]


def test_a_predicate_that_raises_reaches_the_test(lookoutvision_mock: LookoutVisionMock) -> None:
    def broken(params: Mapping[str, Any]) -> bool:
        raise KeyError("Description")

    lookoutvision_mock.inject_error("CreateProject", SLOW_DOWN, when=broken)
    with pytest.raises(KeyError, match="Description"):
        single_attempt().create_project(ProjectName=PROJECT)


# After commit -----------------------------------------------------------------------------------


@pytest.mark.lookoutvision(instant_sleep=True)  # botocore's back-off moves the simulated clock
def test_after_commit_and_a_retry_with_the_same_token_make_one_model(
    lookoutvision_mock: LookoutVisionMock, project: str
) -> None:
    injected = lookoutvision_mock.inject_error(
        "CreateModel", InternalServerException("Lost the answer."), after_commit=True
    )
    client = boto3.client(
        "lookoutvision",
        region_name=REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )
    created = client.create_model(ProjectName=project, OutputConfig=OUTPUT)
    assert created["ResponseMetadata"]["RetryAttempts"] == 1
    assert created["ModelMetadata"]["ModelVersion"] == "1"
    assert model_versions(client) == ["1"]
    first, retry = lookoutvision_mock.calls("CreateModel")
    assert (first.error, first.committed) == ("InternalServerException", True)
    assert (retry.error, retry.committed) == (None, True)
    token = first.parameters["ClientToken"]  # botocore's own, kept for the retry
    assert token
    assert retry.parameters["ClientToken"] == token
    assert first.parameters == retry.parameters
    assert injected.answered == 1


def test_after_commit_and_a_retry_with_a_new_token_make_two_models(
    lookoutvision_mock: LookoutVisionMock, project: str
) -> None:
    """A retry with a new token is a new call: the model the first one made stays."""
    lookoutvision_mock.inject_error("CreateModel", InternalServerException("x"), after_commit=True)
    client = single_attempt()
    with pytest.raises(client.exceptions.InternalServerException):
        client.create_model(ProjectName=project, OutputConfig=OUTPUT, ClientToken="a")
    client.create_model(ProjectName=project, OutputConfig=OUTPUT, ClientToken="b")
    assert model_versions(client) == ["1", "2"]  # two tokens, two models


def test_a_call_that_fails_on_its_own_is_not_answered_after_commit(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    injected = lookoutvision_mock.inject_error(
        "DeleteProject", InternalServerException("x"), after_commit=True
    )
    client = single_attempt()
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_project(ProjectName="absent")
    assert injected.active
    assert injected.answered == 0
    (call,) = lookoutvision_mock.calls("DeleteProject")
    assert (call.error, call.committed) == ("ResourceNotFoundException", False)


def test_a_fault_before_commit_leaves_nothing(
    lookoutvision_mock: LookoutVisionMock, project: str
) -> None:
    lookoutvision_mock.inject_error("CreateModel", InternalServerException("x"))
    client = single_attempt()
    with pytest.raises(client.exceptions.InternalServerException):
        client.create_model(ProjectName=project, OutputConfig=OUTPUT, ClientToken="once")
    assert model_versions(client) == []
    (call,) = lookoutvision_mock.calls("CreateModel")
    assert (call.error, call.committed, call.parameters["ClientToken"]) == (
        "InternalServerException",
        False,
        "once",
    )


# A dropped connection ---------------------------------------------------------------------------


@pytest.mark.parametrize("after_commit", [False, True])
def test_a_dropped_connection_is_botocores_connection_closed_error(
    lookoutvision_mock: LookoutVisionMock, project: str, after_commit: bool
) -> None:
    lookoutvision_mock.inject_error("CreateModel", DroppedConnection(), after_commit=after_commit)
    client = single_attempt()
    with pytest.raises(ConnectionClosedError) as closed:
        client.create_model(ProjectName=project, OutputConfig=OUTPUT, ClientToken="t-1")
    assert "lookoutvision.us-east-1.amazonaws.com" in str(closed.value)
    assert model_versions(client) == (["1"] if after_commit else [])
    (call,) = lookoutvision_mock.calls("CreateModel")
    assert (call.error, call.committed) == ("DroppedConnection", after_commit)
    assert call.parameters["ClientToken"] == "t-1"


def test_plain_http_clients_get_requests_connection_error(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    lookoutvision_mock.inject_error("CreateProject", DroppedConnection(), after_commit=True)
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection aborted"):
        requests.post(f"{ENDPOINT}{API}/projects", json={"ProjectName": PROJECT}, timeout=5)
    listed = single_attempt().list_projects()["Projects"]
    assert [p["ProjectName"] for p in listed] == [PROJECT]


# botocore's retry modes -------------------------------------------------------------------------

FAULTS: list[Callable[[], Exception]] = [
    lambda: ThrottlingException("Rate exceeded.", retry_after_seconds=1),
    lambda: InternalServerException("Try again.", retry_after_seconds=1),
    DroppedConnection,
]


@pytest.mark.lookoutvision(instant_sleep=True)
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
@pytest.mark.parametrize("fault", FAULTS, ids=["throttling", "internal", "dropped"])
def test_each_retry_mode_retries_injected_faults_to_success_in_no_real_time(
    lookoutvision_mock: LookoutVisionMock, project: str, mode: str, fault: Callable[[], Any]
) -> None:
    client = boto3.client(
        "lookoutvision",
        region_name=REGION,
        config=Config(retries={"mode": mode, "max_attempts": 3}),  # 3 retries, 4 attempts
    )
    lookoutvision_mock.inject_error("CreateModel", fault(), times=3, after_commit=True)
    started, real_start = lookoutvision_mock.now(), time.monotonic()
    created = client.create_model(ProjectName=project, OutputConfig=OUTPUT)
    real_elapsed = time.monotonic() - real_start
    assert created["ResponseMetadata"]["RetryAttempts"] == 3
    assert model_versions(client) == ["1"]  # one token: one model, however often it committed
    calls = lookoutvision_mock.calls("CreateModel")
    code = fault().code
    assert [call.error for call in calls] == [code, code, code, None]
    assert len({call.parameters["ClientToken"] for call in calls}) == 1
    # botocore backed off between attempts, on the simulated clock.
    moments = [call.seconds for call in calls]
    assert moments == sorted(moments)
    assert lookoutvision_mock.now() > started
    assert real_elapsed < 5  # legacy's real back-off alone could take up to 7 s


@pytest.mark.lookoutvision(instant_sleep=True)
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_each_retry_mode_gives_up_after_its_attempts(
    lookoutvision_mock: LookoutVisionMock, mode: str
) -> None:
    client = boto3.client(
        "lookoutvision",
        region_name=REGION,
        config=Config(retries={"mode": mode, "max_attempts": 2}),
    )
    lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN, times=None)
    with pytest.raises(client.exceptions.ThrottlingException) as throttled:
        client.list_projects()
    assert throttled.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [c.error for c in lookoutvision_mock.calls()] == ["ThrottlingException"] * 3


# Refused options: the exact error, and nothing injected ----------------------------------------

REFUSED: list[tuple[str, Any, dict[str, Any], type[Exception], str]] = [
    # (operation, error, options, exception, message)
    ("ListProjects", SLOW_DOWN, {"fraction": 0}, ControlError, "fraction is a number in (0, 1]"),
    ("ListProjects", SLOW_DOWN, {"fraction": -0.5}, ControlError, "not -0.5"),
    ("ListProjects", SLOW_DOWN, {"fraction": 1.5}, ControlError, "not 1.5"),
    ("ListProjects", SLOW_DOWN, {"fraction": float("nan")}, ControlError, "not nan"),
    ("ListProjects", SLOW_DOWN, {"fraction": True}, ControlError, "not True"),
    ("ListProjects", SLOW_DOWN, {"fraction": "0.3"}, ControlError, "not '0.3'"),
    ("ListProjects", SLOW_DOWN, {"seed": 7}, ControlError, "give fraction too"),
    ("ListProjects", SLOW_DOWN, {"fraction": 0.5, "seed": 1.5}, ControlError, "seed is a whole"),
    ("ListProjects", SLOW_DOWN, {"fraction": 0.5, "seed": True}, ControlError, "not True"),
    ("ListProjects", SLOW_DOWN, {"fraction": 0.5, "seed": "7"}, ControlError, "not '7'"),
    ("ListProjects", SLOW_DOWN, {"when": 5}, TypeError, "when is a function"),
    ("ListProjects", SLOW_DOWN, {"when": "x"}, TypeError, "not 'x'"),
    ("ListProjects", SLOW_DOWN, {"when": {}}, ControlError, "when names no member"),
    ("CreateModel", SLOW_DOWN, {"when": {"Descripton": "x"}}, ControlError,
     "CreateModel has no input member Descripton"),
    ("ListProjects", SLOW_DOWN, {"after_commit": True}, ControlError,
     "ListProjects changes nothing"),
    ("DescribeModel", SLOW_DOWN, {"after_commit": True}, ControlError,
     "DescribeModel changes nothing"),
    ("DetectAnomalies", SLOW_DOWN, {"after_commit": True}, ControlError,
     "DetectAnomalies changes nothing"),
    ("CreateModel", SLOW_DOWN, {"after_commit": "yes"}, ControlError,
     "after_commit is True or False"),
    ("ListProjects", SLOW_DOWN, {"times": 0}, ControlError, "times is a whole number"),
    ("ListProjects", SLOW_DOWN, {"times": 10_001, "fraction": 0.5}, ControlError, "not 10001"),
    ("ListProjects", RuntimeError("boom"), {"fraction": 0.5}, TypeError,
     "only the service's errors can be injected"),
    ("ListProjects", DroppedConnection, {}, TypeError, "only the service's errors"),
    ("ListProject", SLOW_DOWN, {}, ControlError, "ListProject is not an operation"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("operation", "error", "options", "exception", "message"),
    REFUSED,
    ids=[f"{r[0]}-{sorted(r[2].items())}-{type(r[1]).__name__}" for r in REFUSED],
)
def test_an_option_that_cannot_be_carried_out_is_refused_and_nothing_injected(
    lookoutvision_mock: LookoutVisionMock,
    project: str,
    operation: str,
    error: Any,
    options: dict[str, Any],
    exception: type[Exception],
    message: str,
) -> None:
    client = single_attempt()
    state, calls = snapshot(client), lookoutvision_mock.calls()
    with pytest.raises(exception) as refused:
        lookoutvision_mock.inject_error(operation, error, **options)
    assert message in str(refused.value)
    assert type(refused.value) is exception
    assert lookoutvision_mock.calls() == calls
    assert snapshot(client) == state
    assert_nothing_injected(lookoutvision_mock)


def test_clear_errors_refuses_an_unknown_operation(lookoutvision_mock: LookoutVisionMock) -> None:
    lookoutvision_mock.inject_error("ListProjects", SLOW_DOWN)
    with pytest.raises(ControlError, match="ListProject is not an operation of lookoutvision"):
        lookoutvision_mock.clear_errors("ListProject")
    assert outcomes(single_attempt(), 2) == [True, False]  # the fault was left as it was


def test_a_handle_outside_its_mock_injects_nothing() -> None:
    from mock_lookoutvision import mock_lookoutvision

    with mock_lookoutvision() as lv:
        pass
    with pytest.raises(RuntimeError):
        lv.inject_error("ListProjects", SLOW_DOWN, fraction=0.5)


# The server -------------------------------------------------------------------------------------

CONTROL = "/_mock_lookoutvision/errors"


def control(srv: ServerHandle, body: Any, method: str = "POST") -> requests.Response:
    return requests.request(method, srv.endpoint_url + CONTROL, json=body, timeout=10)


def server_outcomes(srv: ServerHandle, calls: int) -> list[bool]:
    return outcomes(boto3_client(srv, config=NO_RETRIES), calls)


def test_the_route_takes_a_seeded_fraction(srv: ServerHandle) -> None:
    body = {"operation": "ListProjects", "code": "ThrottlingException", "message": "Slow"}
    assert control(srv, {**body, "fraction": 0.4, "seed": 11}).status_code == 200
    assert server_outcomes(srv, 25) == draws(0.4, 11, 25)
    cleared = control(srv, {}, method="DELETE")
    assert (cleared.status_code, cleared.json()) == (200, {"cleared": 1})
    assert server_outcomes(srv, 3) == [False] * 3


def test_the_route_takes_member_values_to_match(srv: ServerHandle) -> None:
    body = {
        "operation": "CreateProject",
        "code": "AccessDeniedException",
        "message": "No.",
        "when": {"ProjectName": "secret"},
    }
    assert control(srv, body).status_code == 200
    client = boto3_client(srv, config=NO_RETRIES)
    client.create_project(ProjectName="open")
    for _ in range(2):  # until cleared
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.create_project(ProjectName="secret")
    answer = control(srv, {"operation": "CreateProject"}, method="DELETE")
    assert answer.json() == {"cleared": 1}
    client.create_project(ProjectName="secret")
    assert sorted(p["ProjectName"] for p in client.list_projects()["Projects"]) == [
        "open",
        "secret",
    ]


def test_the_route_takes_times_null_for_until_cleared(srv: ServerHandle) -> None:
    body = {"operation": "ListProjects", "code": "ThrottlingException", "message": "Slow"}
    assert control(srv, {**body, "times": None}).status_code == 200
    assert server_outcomes(srv, 4) == [True] * 4
    assert srv.clear_errors() == 1  # the handle sees what the route injected


def test_after_commit_over_the_server_and_a_retry_with_the_same_token(srv: ServerHandle) -> None:
    server_helpers.ready_project(srv)
    body = {
        "operation": "CreateModel",
        "code": "InternalServerException",
        "message": "Lost the answer.",
        "members": {"retry_after_seconds": 4},
        "after_commit": True,
    }
    assert control(srv, body).status_code == 200
    client = boto3_client(srv, config=NO_RETRIES)
    attempt = {"ProjectName": PROJECT, "OutputConfig": server_helpers.OUTPUT, "ClientToken": "c-1"}
    with pytest.raises(client.exceptions.InternalServerException) as lost:
        client.create_model(**attempt)
    assert lost.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "4"
    # The retry a client makes, by hand: real back-off would sleep on this thread.
    assert client.create_model(**attempt)["ModelMetadata"]["ModelVersion"] == "1"
    assert model_versions(client) == ["1"]
    calls = requests.get(f"{srv.endpoint_url}/_mock_lookoutvision/calls?operation=CreateModel")
    journal = calls.json()["calls"]
    assert [(c["error"], c["committed"]) for c in journal] == [
        ("InternalServerException", True),
        (None, True),
    ]
    assert [c["parameters"]["ClientToken"] for c in journal] == ["c-1", "c-1"]


@pytest.mark.parametrize("after_commit", [False, True])
def test_a_dropped_connection_over_the_server_closes_the_socket_unanswered(
    srv: ServerHandle, after_commit: bool
) -> None:
    body = {"operation": "CreateProject", "code": "DroppedConnection", "times": 2}
    assert control(srv, {**body, "after_commit": after_commit}).status_code == 200
    client = boto3_client(srv, config=NO_RETRIES)
    with pytest.raises(ConnectionClosedError):
        client.create_project(ProjectName=PROJECT)
    # The same, on the wire: the end of the stream where the status line should be.
    with pytest.raises(http.client.RemoteDisconnected):
        raw(srv, "POST", f"{API}/projects", b'{"ProjectName": "gears"}', server_helpers.JSON)
    names = sorted(p["ProjectName"] for p in client.list_projects()["Projects"])
    assert names == (["gears", PROJECT] if after_commit else [])
    assert [(c.error, c.committed) for c in srv.calls("CreateProject")] == [
        ("DroppedConnection", after_commit)
    ] * 2
    # The server goes on answering, on new connections.
    assert signed(srv, "GET", f"{API}/projects").status_code == 200


SERVER_REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"fraction": 0}, "fraction is a number in (0, 1]"),
    ({"fraction": "0.5"}, "'fraction' must be a int or float"),
    ({"fraction": True}, "'fraction' must be a int or float"),
    ({"seed": 3}, "give fraction too"),
    ({"fraction": 0.5, "seed": 1.5}, "'seed' must be a int"),
    ({"when": []}, "'when' must be a dict"),
    ({"when": {}}, "when names no member"),
    ({"when": {"Nope": 1}}, "ListProjects has no input member Nope"),
    ({"after_commit": True}, "ListProjects changes nothing"),
    ({"after_commit": "yes"}, "'after_commit' must be true or false"),
    ({"after_commit": 1}, "'after_commit' must be true or false"),
    ({"times": 0}, "times is a whole number"),
    ({"times": "2"}, "'times' must be a int"),
    ({"fracton": 0.5}, "errors takes no 'fracton'"),
    ({"code": "DroppedConnection"}, "a dropped connection answers nothing: drop message"),
    ({"code": "DroppedConnection", "message": None, "members": {"x": 1}}, "drop members"),
    ({"code": "ConnectionReset"}, "and DroppedConnection"),
]


@pytest.mark.parametrize(("extra", "message"), SERVER_REFUSED, ids=[m for _, m in SERVER_REFUSED])
def test_the_route_refuses_what_the_handle_refuses_and_injects_nothing(
    srv: ServerHandle, extra: dict[str, Any], message: str
) -> None:
    client = boto3_client(srv, config=NO_RETRIES)
    state, calls = snapshot(client), srv.calls()
    body = {"operation": "ListProjects", "code": "ThrottlingException", "message": "Slow"}
    answer = control(srv, {**body, **extra})
    assert answer.status_code == 400
    assert answer.json()["error"] == "BadControlRequest"
    assert message in answer.json()["message"]
    assert srv.calls() == calls
    assert snapshot(client) == state
    assert srv.clear_errors() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"operation": "ListProject"}, "ListProject is not an operation"),
        ({"operation": 5}, "'operation' must be a str"),
        ({"account_id": "12"}, "is not a 12-digit AWS account id"),
    ],
)
def test_clearing_refuses_a_bad_request_and_clears_nothing(
    srv: ServerHandle, body: dict[str, Any], message: str
) -> None:
    srv.inject_error("ListProjects", SLOW_DOWN)
    answer = control(srv, body, method="DELETE")
    assert (answer.status_code, answer.json()["error"]) == (400, "BadControlRequest")
    assert message in answer.json()["message"]
    assert server_outcomes(srv, 2) == [True, False]  # still injected, then used up


def test_the_handle_and_the_route_clear_per_account_and_region(srv: ServerHandle) -> None:
    srv.scoped(region_name="eu-west-1").inject_error("ListProjects", SLOW_DOWN)
    assert control(srv, {}, method="DELETE").json() == {"cleared": 0}  # us-east-1 has none
    answer = control(srv, {"region_name": "eu-west-1"}, method="DELETE")
    assert answer.json() == {"cleared": 1}


def test_any_service_error_can_be_injected(lookoutvision_mock: LookoutVisionMock) -> None:
    lookoutvision_mock.inject_error("ListProjects", ValidationException("Injected."))
    with pytest.raises(ClientError, match="Injected"):
        single_attempt().list_projects()
