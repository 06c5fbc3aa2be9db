"""Server mode: ``mock_lookoutvision.server(...)``, its control routes, the ``mock-lookoutvision``
command, and moto's other services on the same endpoint. ``srv`` is conftest's: one server for the
module, emptied for each test; tests of starting and stopping start their own."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import time_machine
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_lookoutvision import ThrottlingException, server
from mock_lookoutvision.serving import ServerHandle

from .server_helpers import (
    API,
    IMAGES_BUCKET,
    OUTPUT,
    PROJECT,
    dataset_source,
    ready_project,
    signed,
    training_objects,
)

CONTROLS = "/_mock_lookoutvision"


NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(srv: ServerHandle, service: str, region: str = "us-east-1") -> Any:
    return srv.client(service, region, config=NO_RETRIES)


def control(srv: ServerHandle, route: str, body: Any = None, method: str = "POST") -> Any:
    return requests.request(method, f"{srv.endpoint_url}{CONTROLS}/{route}", json=body, timeout=10)


def create_model(srv: ServerHandle, project: str = PROJECT) -> str:
    answer = client(srv, "lookoutvision").create_model(ProjectName=project, OutputConfig=OUTPUT)
    version: str = answer["ModelMetadata"]["ModelVersion"]
    return version


def model_status(srv: ServerHandle, version: str, project: str = "widgets") -> str:
    answer = client(srv, "lookoutvision").describe_model(ProjectName=project, ModelVersion=version)
    status: str = answer["ModelDescription"]["Status"]
    return status


# Starting and stopping ---------------------------------------------------------------------------


def test_port_0_takes_a_free_port_and_stopping_leaves_no_thread_or_socket() -> None:
    threads_before = set(threading.enumerate())
    with server(port=0) as srv:
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", srv.endpoint_url)
        assert match is not None
        port = int(match.group(1))
        assert port > 0
        client(srv, "lookoutvision").list_projects()
        # A connection that never sends its request holds a serving thread until stop ends it.
        idle = socket.create_connection(("127.0.0.1", port))
        assert set(threading.enumerate()) - threads_before  # the serving threads
    assert set(threading.enumerate()) - threads_before == set()  # none left of those it started
    with contextlib.suppress(ConnectionResetError):  # closed by the server, or reset
        assert idle.recv(1) == b""
    idle.close()
    with socket.socket() as probe:  # nothing listens on the port (TIME_WAIT aside)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
    with pytest.raises(RuntimeError, match="not running"):
        _ = srv.endpoint_url


def test_the_handle_acts_only_while_the_server_runs() -> None:
    running = server(port=0)
    with pytest.raises(RuntimeError, match="not running"):
        running.handle.set_quota("L-1B1011CA", 5)
    with running as srv:
        srv.set_quota("L-1B1011CA", 5)
    with pytest.raises(RuntimeError, match="not running"):
        srv.set_quota("L-1B1011CA", 5)


def test_state_is_emptied_when_a_server_starts_and_stops() -> None:
    with server(port=0) as srv:
        client(srv, "lookoutvision").create_project(ProjectName="left-over")
        client(srv, "s3").create_bucket(Bucket=IMAGES_BUCKET)
    with server(port=0) as srv:
        assert client(srv, "lookoutvision").list_projects()["Projects"] == []
        assert client(srv, "s3").list_buckets()["Buckets"] == []


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="in use"):
            server(port=taken.getsockname()[1]).start()


@pytest.mark.parametrize("speed", [0, 0.5, -1, float("nan"), float("inf"), 2e6])
def test_speed_below_real_time_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="speed"):
        server(port=0, speed=speed)


# One endpoint for every service --------------------------------------------------------------------


def test_moto_services_answer_on_the_same_endpoint(srv: ServerHandle) -> None:
    client(srv, "s3").create_bucket(Bucket=IMAGES_BUCKET)
    assert [b["Name"] for b in client(srv, "s3").list_buckets()["Buckets"]] == [IMAGES_BUCKET]
    key = client(srv, "kms").create_key()["KeyMetadata"]["KeyId"]
    assert client(srv, "kms").describe_key(KeyId=key)["KeyMetadata"]["Enabled"] is True
    client(srv, "iam").create_user(UserName="trainer")
    assert [u["UserName"] for u in client(srv, "iam").list_users()["Users"]] == ["trainer"]
    assert client(srv, "sts").get_caller_identity()["Account"] == "123456789012"
    client(srv, "lookoutvision").create_project(ProjectName="widgets")
    assert len(client(srv, "lookoutvision").list_projects()["Projects"]) == 1


def test_the_handle_makes_clients_of_any_service_in_the_server_region() -> None:
    with server(port=0, region_name="eu-west-1") as srv:
        lv = srv.client("lookoutvision")
        assert lv.meta.region_name == "eu-west-1"
        assert lv.meta.endpoint_url == srv.endpoint_url
        lv.create_project(ProjectName="widgets")
        assert srv.scoped(region_name="eu-west-1").region_name == "eu-west-1"
        assert [c.operation for c in srv.calls()] == ["CreateProject"]
        srv.next("training").fails()  # acts on eu-west-1, where the project is
        assert srv.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_the_region_is_the_one_the_request_was_signed_for(srv: ServerHandle) -> None:
    made = client(srv, "lookoutvision", "eu-west-1").create_project(ProjectName="widgets")
    arn = made["ProjectMetadata"]["ProjectArn"]
    assert arn == "arn:aws:lookoutvision:eu-west-1:123456789012:project/widgets"
    assert client(srv, "lookoutvision", "us-east-1").list_projects()["Projects"] == []
    assert srv.scoped(region_name="eu-west-1").region_name == "eu-west-1"


def test_a_region_where_the_service_never_was_is_refused_with_no_state(srv: ServerHandle) -> None:
    with pytest.raises(ClientError) as refused:
        client(srv, "lookoutvision", "sa-east-1").create_project(ProjectName="widgets")
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert srv.calls() == []


def test_an_unsigned_request_to_the_service_gets_aws_missing_signature_answer(
    srv: ServerHandle,
) -> None:
    answer = requests.post(
        f"{srv.endpoint_url}/2020-11-20/projects", json={"ProjectName": "widgets"}, timeout=10
    )
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert answer.json() == {"message": "Missing Authentication Token"}
    assert srv.calls() == []
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []  # positive control


def test_a_mock_fault_is_a_json_500_not_an_html_page(
    srv: ServerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mock_lookoutvision.serving as serving

    def broken(*args: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(serving, "handle", broken)
    with pytest.raises(ClientError) as failed:
        client(srv, "lookoutvision").list_projects()
    assert failed.value.response["Error"]["Code"] == "InternalServerException"
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


# The simulated clock ---------------------------------------------------------------------------------


def test_advance_route_moves_the_clock_and_a_training_ends(srv: ServerHandle) -> None:
    ready_project(srv)
    version = create_model(srv)
    assert model_status(srv, version) == "TRAINING"
    before = srv.now().timestamp()
    answer = control(srv, "advance", {"seconds": 3600})
    assert answer.status_code == 200
    now = answer.json()["now"]
    assert now == pytest.approx(before + 3600, abs=5)
    assert model_status(srv, version) == "TRAINED"


def test_speed_runs_simulated_time_faster_than_real_time() -> None:
    start = datetime(2026, 6, 1, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as traveller, server(port=0, speed=3600) as srv:
        assert srv.speed == 3600
        ready_project(srv)
        version = create_model(srv)
        traveller.shift(0.5)  # half a real second: half a simulated hour
        assert model_status(srv, version) == "TRAINING"
        assert srv.now().timestamp() == pytest.approx(start.timestamp() + 1800, abs=1)
        traveller.shift(0.5)
        assert model_status(srv, version) == "TRAINED"
        # advance adds to what speed gains.
        srv.advance(100)
        assert srv.now().timestamp() == pytest.approx(start.timestamp() + 3700, abs=1)


def test_reset_route_drops_every_service_state_and_the_clock_offset(srv: ServerHandle) -> None:
    client(srv, "lookoutvision").create_project(ProjectName="widgets")
    client(srv, "s3").create_bucket(Bucket=IMAGES_BUCKET)
    control(srv, "advance", {"seconds": 86400})
    answer = control(srv, "reset")
    assert answer.status_code == 200
    assert answer.json()["now"] == pytest.approx(datetime.now(timezone.utc).timestamp(), abs=60)
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []
    assert client(srv, "s3").list_buckets()["Buckets"] == []
    assert srv.calls() == [srv.calls()[0]]  # only the ListProjects just made


def test_moto_api_reset_keeps_working(srv: ServerHandle) -> None:
    client(srv, "s3").create_bucket(Bucket=IMAGES_BUCKET)
    client(srv, "lookoutvision").create_project(ProjectName="widgets")
    assert requests.post(f"{srv.endpoint_url}/moto-api/reset", timeout=10).status_code == 200
    assert client(srv, "s3").list_buckets()["Buckets"] == []
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []


# The other control routes ------------------------------------------------------------------------------


def test_step_routes_finish_and_fail_steps(srv: ServerHandle) -> None:
    ready_project(srv)
    first, second = create_model(srv), create_model(srv)
    assert control(srv, f"models/widgets/{first}/training/finish").status_code == 200
    failed = control(srv, f"models/widgets/{second}/training/fail", {"message": "No luck."})
    assert failed.status_code == 200
    assert model_status(srv, first) == "TRAINED"
    description = client(srv, "lookoutvision").describe_model(
        ProjectName="widgets", ModelVersion=second
    )["ModelDescription"]
    assert (description["Status"], description["StatusMessage"]) == ("TRAINING_FAILED", "No luck.")


def test_step_routes_refuse_what_cannot_be_done(srv: ServerHandle) -> None:
    ready_project(srv)
    version = create_model(srv)
    srv.model("widgets", version).training.finish()
    idle = control(srv, f"models/widgets/{version}/training/finish")
    assert idle.status_code == 409
    assert idle.json()["error"] == "StepNotInProgress"
    assert "TRAINED" in idle.json()["message"]
    missing = control(srv, "models/widgets/9/training/finish")
    assert (missing.status_code, missing.json()["error"]) == (404, "UnknownResource")
    unknown_step = control(srv, f"models/widgets/{version}/lunch/finish")
    assert (unknown_step.status_code, unknown_step.json()["error"]) == (400, "BadControlRequest")
    assert "training, hosting_start" in unknown_step.json()["message"]
    assert model_status(srv, version) == "TRAINED"


def test_dataset_step_route(srv: ServerHandle) -> None:
    s3 = client(srv, "s3")
    s3.create_bucket(Bucket=IMAGES_BUCKET)
    images, manifest_key, manifest = training_objects()
    for key, image in [*images, (manifest_key, manifest)]:
        s3.put_object(Bucket=IMAGES_BUCKET, Key=key, Body=image)
    lv = client(srv, "lookoutvision")
    lv.create_project(ProjectName=PROJECT)
    source = dataset_source(manifest_key)
    lv.create_dataset(ProjectName=PROJECT, DatasetType="train", DatasetSource=source)
    assert control(srv, "datasets/widgets/train/import/finish").status_code == 200
    status = lv.describe_dataset(ProjectName=PROJECT, DatasetType="train")
    assert status["DatasetDescription"]["Status"] == "CREATE_COMPLETE"


@pytest.mark.parametrize(
    ("route", "body", "error"),
    [
        ("advance", {"seconds": -1}, "BadControlRequest"),
        ("advance", {"seconds": True}, "BadControlRequest"),
        ("advance", {"seconds": "60"}, "BadControlRequest"),
        ("advance", {}, "BadControlRequest"),
        ("advance", [60], "BadControlRequest"),
        ("durations", {"durations": {"lunch": 5}}, "BadControlRequest"),
        ("durations", {"durations": {"training": "fast"}}, "BadControlRequest"),
        ("errors", {"operation": "CreateModel", "code": "KeyError", "message": "x"}, None),
        ("errors", {"operation": "Nope", "code": "ThrottlingException", "message": "x"}, None),
        ("errors", {"operation": "ListProjects", "code": "ThrottlingException"}, None),
        ("next-failure", {"step": "lunch"}, "BadControlRequest"),
        ("quotas", {"quota_code": "L-1B1011CA", "value": "many"}, "BadControlRequest"),
        ("speed", {"speed": 0.5}, "BadControlRequest"),
    ],
)
def test_bad_control_requests_are_json_400s_that_change_nothing(
    srv: ServerHandle, route: str, body: Any, error: str | None
) -> None:
    before = srv.now().timestamp()
    answer = control(srv, route, body)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"] == (error or "BadControlRequest")
    assert srv.now().timestamp() == pytest.approx(before, abs=5)
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []  # no injected error


def test_unknown_routes_and_methods_are_json_errors(srv: ServerHandle) -> None:
    unknown = control(srv, "lunch")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "UnknownControl")
    wrong_method = control(srv, "advance", method="GET")
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "MethodNotAllowed")
    not_json = requests.post(f"{srv.endpoint_url}{CONTROLS}/advance", data="{", timeout=10)
    assert (not_json.status_code, not_json.json()["error"]) == (400, "BadControlRequest")


def test_errors_route_injects_a_service_error(srv: ServerHandle) -> None:
    injected = control(
        srv,
        "errors",
        {
            "operation": "ListProjects",
            "code": "ThrottlingException",
            "message": "Rate exceeded",
            "members": {"retry_after_seconds": 7},
            "times": 1,
        },
    )
    assert injected.status_code == 200
    with pytest.raises(ClientError) as throttled:
        client(srv, "lookoutvision").list_projects()
    error = throttled.value.response
    assert error["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "7"
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []  # only once


def test_the_handle_injects_errors_into_the_server_too(srv: ServerHandle) -> None:
    srv.inject_error("ListProjects", ThrottlingException("Slow down"), times=1)
    with pytest.raises(ClientError, match="Slow down"):
        client(srv, "lookoutvision").list_projects()


def test_durations_quota_next_failure_and_calls_routes(srv: ServerHandle) -> None:
    assert control(srv, "durations", {"durations": {"training": 60}}).status_code == 200
    assert control(srv, "next-failure", {"step": "training", "message": "Bad"}).status_code == 200
    ready_project(srv)
    version = create_model(srv)
    control(srv, "advance", {"seconds": 60})
    assert model_status(srv, version) == "TRAINING_FAILED"  # in 60 s, as planned
    assert control(srv, "quotas", {"quota_code": "L-1B1011CA", "value": 1}).status_code == 200
    with pytest.raises(ClientError) as over:
        create_model(srv)
    assert over.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    calls = control(srv, "calls", {}, method="GET").json()["calls"]
    assert [c["operation"] for c in calls][-2:] == ["DescribeModel", "CreateModel"]
    assert calls[-1]["error"] == "ServiceQuotaExceededException"
    only = requests.get(f"{srv.endpoint_url}{CONTROLS}/calls?operation=CreateModel", timeout=10)
    assert [c["operation"] for c in only.json()["calls"]] == ["CreateModel", "CreateModel"]


def test_controls_can_name_another_account_and_region(srv: ServerHandle) -> None:
    client(srv, "lookoutvision", "eu-west-1").create_project(ProjectName="widgets")
    elsewhere = {"account_id": "123456789012", "region_name": "eu-west-1"}
    done = control(
        srv,
        "errors",
        {
            **elsewhere,
            "operation": "ListProjects",
            "code": "AccessDeniedException",
            "message": "No",
        },
    )
    assert done.status_code == 200
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []  # us-east-1 untouched
    with pytest.raises(ClientError, match="No"):
        client(srv, "lookoutvision", "eu-west-1").list_projects()


# The command --------------------------------------------------------------------------------------------


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mock_lookoutvision", *args]


def test_data_path_prints_the_folder_with_the_model() -> None:
    printed = subprocess.run(
        _command("data-path"), capture_output=True, text=True, check=True, timeout=60
    )
    folder = Path(printed.stdout.strip())
    assert (folder / "lookoutvision" / "2020-11-20" / "service-2.json").is_file()


@pytest.mark.parametrize(
    "launcher",
    [
        pytest.param(_command, id="python -m"),
        pytest.param(
            lambda *args: [str(Path(sys.executable).parent / "mock-lookoutvision"), *args],
            id="console script",
        ),
    ],
)
def test_serve_prints_its_url_serves_and_stops_on_sigterm(launcher: Any) -> None:
    process = subprocess.Popen(
        launcher("serve", "--port", "0", "--speed", "60"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # Read on a thread, so that a server that never prints fails the test instead of hanging it.
    reader = concurrent.futures.ThreadPoolExecutor(1)
    try:
        assert process.stdout is not None
        line = reader.submit(process.stdout.readline).result(timeout=60)
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url is not None, line
        now = requests.get(f"{url.group(0)}{CONTROLS}/now", timeout=10).json()
        assert now["speed"] == 60
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()
        reader.shutdown()  # the read ends with the process's output


def test_serve_reports_a_bad_option_and_exits_non_zero() -> None:
    refused = subprocess.run(
        _command("serve", "--port", "0", "--speed", "0.5"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "speed" in refused.stderr


# The pytest fixture ------------------------------------------------------------------------------------


def test_the_server_fixture_runs_a_server_on_a_free_port(
    lookoutvision_server: ServerHandle,
) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", lookoutvision_server.endpoint_url)
    assert lookoutvision_server.speed == 1
    assert lookoutvision_server.client("lookoutvision").list_projects()["Projects"] == []


@pytest.mark.lookoutvision_server(speed=60, durations={"training": 5})
def test_the_server_fixture_takes_its_options_from_its_marker(
    lookoutvision_server: ServerHandle,
) -> None:
    assert lookoutvision_server.speed == 60
    ready_project(lookoutvision_server)
    version = create_model(lookoutvision_server)
    lookoutvision_server.advance(5)  # the marker's training time, not the default hour
    assert model_status(lookoutvision_server, version) == "TRAINED"


@pytest.mark.lookoutvision_server(region_name="eu-west-1")
def test_the_server_fixture_region_from_its_marker(lookoutvision_server: ServerHandle) -> None:
    lv = lookoutvision_server.client("lookoutvision")
    assert lv.meta.region_name == "eu-west-1"
    lv.create_project(ProjectName="widgets")
    lookoutvision_server.inject_error("ListProjects", ThrottlingException("Not here"))
    with pytest.raises(ClientError, match="Not here"):  # the handle acts on eu-west-1
        lookoutvision_server.client("lookoutvision", config=NO_RETRIES).list_projects()


# Refusals of the server itself -------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1.evil", "US-EAST-1", "east", "us-east-1%2f"])
def test_a_scope_region_that_is_no_region_name_is_refused(srv: ServerHandle, region: str) -> None:
    # Signed by hand: botocore would refuse some of these names itself.
    answer = signed(srv, "POST", f"{API}/projects", {"ProjectName": PROJECT}, region=region)
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert srv.calls() == []
    assert client(srv, "lookoutvision").list_projects()["Projects"] == []  # nowhere either


def test_status_lines_name_their_status(srv: ServerHandle) -> None:
    answer = signed(srv, "GET", f"{API}/projects/absent")
    assert (answer.status_code, answer.reason) == (404, "Not Found")


def test_an_ipv6_host_gives_a_url_clients_take() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    ipv6 = server(host="::1", port=0)
    try:
        running = ipv6.start()
    except OSError as no_loopback:
        pytest.skip(f"no IPv6 loopback here: {no_loopback}")
    try:
        assert re.fullmatch(r"http://\[::1\]:\d+", running.endpoint_url)
        assert running.client("lookoutvision").list_projects()["Projects"] == []
    finally:
        ipv6.stop()


def test_without_the_server_extra_starting_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mock_lookoutvision.serving import MissingServerExtra

    # What importing moto's server gives where Flask is missing.
    monkeypatch.setitem(sys.modules, "moto.moto_server.werkzeug_app", None)
    with pytest.raises(MissingServerExtra, match=r"pip install 'mock-lookoutvision\[server\]'"):
        server(port=0).start()
