"""Polling clients under ``mock_lookoutvision(instant_sleep=True)``: their sleeps (time.sleep,
asyncio.sleep, names imported from them, botocore's retry back-off) move the simulated clock and
take no real time, in the thread that started the mock only; a runaway loop ends with
SleepLimitExceeded; everything is put back when the mock stops."""

from __future__ import annotations

import asyncio
import asyncio.streams
import asyncio.tasks
import http.server
import importlib.util
import logging
import re
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
import time_machine
from botocore.config import Config
from botocore.retries.bucket import TokenBucket
from freezegun import freeze_time

from mock_lookoutvision import (
    LookoutVisionMock,
    SleepLimitExceeded,
    ThrottlingException,
    mock_lookoutvision,
    sleeping,
    testing,
)

from .conftest import OUTPUT, PROJECT, ready_project

# In a dict, not as module attributes: the instant mock replaces module attributes bound to the
# real sleeps, as freezegun does those bound to perf_counter.
REAL = {
    "sleep": time.sleep,
    "async_sleep": asyncio.sleep,
    "acquire": TokenBucket.acquire,
    "perf_counter": time.perf_counter,
}
FROZEN = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

POLLER = """
    from asyncio import sleep as async_sleep
    from time import sleep


    def wait_for_dataset(client, project, dataset_type="train", every=60):
        while True:
            status = client.describe_dataset(ProjectName=project, DatasetType=dataset_type)[
                "DatasetDescription"
            ]["Status"]
            if not status.endswith("IN_PROGRESS"):
                return status
            sleep(every)


    async def nap(seconds):
        await async_sleep(seconds)
"""


def elapsed(since: float) -> float:
    return REAL["perf_counter"]() - since


def started() -> float:
    return REAL["perf_counter"]()


class CountingSleep:
    """Stands in for the real time.sleep: counts who slept for real, then sleeps."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append((threading.get_ident(), seconds))
        REAL["sleep"](seconds)

    def in_this_thread(self) -> list[float]:
        me = threading.get_ident()
        return [seconds for thread, seconds in self.calls if thread == me]


@pytest.fixture
def real_sleeps(monkeypatch: pytest.MonkeyPatch) -> CountingSleep:
    """time.sleep counts its calls; patched before any mock of the test starts, so it is what the
    mock finds as the real sleep."""
    counting = CountingSleep()
    monkeypatch.setattr(time, "sleep", counting)
    return counting


def load_module(name: str, directory: Path, source: str) -> ModuleType:
    """A module written to ``directory`` and imported, as a project's own module would be."""
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def poller(tmp_path: Path) -> Iterator[ModuleType]:
    """A module that did ``from time import sleep`` before any mock started."""
    name = f"poller_{abs(hash(tmp_path))}"
    module = load_module(name, tmp_path, POLLER)
    yield module
    sys.modules.pop(name, None)


def start_dataset_import(lv: LookoutVisionMock) -> Any:
    client = boto3.client("lookoutvision", region_name=lv.region_name)
    client.create_project(ProjectName=PROJECT)
    source = testing.labeled_manifest(normal=2, anomaly=1)
    client.create_dataset(ProjectName=PROJECT, DatasetType="train", DatasetSource=source)
    return client


def dataset_status(client: Any) -> str:
    description = client.describe_dataset(ProjectName=PROJECT, DatasetType="train")
    status: str = description["DatasetDescription"]["Status"]
    return status


def assert_restored() -> None:
    assert time.sleep is REAL["sleep"]
    assert asyncio.sleep is REAL["async_sleep"]
    assert asyncio.tasks.sleep is REAL["async_sleep"]
    assert asyncio.streams.sleep is REAL["async_sleep"]  # a module that took it by name
    assert TokenBucket.acquire is REAL["acquire"]


# Polling loops ---------------------------------------------------------------------------------


@pytest.mark.lookoutvision(instant_sleep=True)
def test_a_dataset_import_wait_ends_at_once_through_the_fixture_marker(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    client = start_dataset_import(lookoutvision_mock)
    begun, real_start = lookoutvision_mock.now(), started()
    polls = 1
    while dataset_status(client) == "CREATE_IN_PROGRESS":
        time.sleep(60)
        polls += 1
    assert dataset_status(client) == "CREATE_COMPLETE"
    assert polls == 2  # the import takes a simulated minute: one sleep
    assert lookoutvision_mock.now() - begun >= timedelta(seconds=60)
    assert elapsed(real_start) < 1.0
    assert time.sleep is sleeping.instant_sleep


def test_a_training_wait_sleeps_a_simulated_hour(real_sleeps: CountingSleep) -> None:
    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True) as lv:
        client = boto3.client("lookoutvision", region_name="us-east-1")
        ready_project(client, lv)
        version = client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)["ModelMetadata"][
            "ModelVersion"
        ]
        begun = lv.now()
        sleeps = 0
        while True:
            status = client.describe_model(ProjectName=PROJECT, ModelVersion=version)[
                "ModelDescription"
            ]["Status"]
            if status != "TRAINING":
                break
            time.sleep(60)
            sleeps += 1
        assert status == "TRAINED"
        assert sleeps == 60  # the default training takes a simulated hour
        assert lv.now() - begun == timedelta(hours=1)
    assert real_sleeps.in_this_thread() == []


def test_sleep_imported_by_name_before_the_mock_is_instant_and_restored(
    poller: ModuleType, real_sleeps: CountingSleep
) -> None:
    assert poller.sleep is REAL["sleep"]  # imported before the counting patch and the mock
    with mock_lookoutvision(instant_sleep=True) as lv:
        assert poller.sleep is sleeping.instant_sleep
        assert poller.async_sleep is sleeping.instant_async_sleep
        client = start_dataset_import(lv)
        real_start = started()
        assert poller.wait_for_dataset(client, PROJECT) == "CREATE_COMPLETE"
        assert elapsed(real_start) < 1.0
    assert real_sleeps.in_this_thread() == []
    assert poller.sleep is REAL["sleep"]
    assert poller.async_sleep is REAL["async_sleep"]


def test_asyncio_sleep_in_a_polling_coroutine() -> None:
    async def wait_for_dataset(client: Any) -> str:
        while (status := dataset_status(client)) == "CREATE_IN_PROGRESS":
            await asyncio.sleep(60)
        return status

    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True) as lv:
        client = start_dataset_import(lv)
        real_start = started()
        assert asyncio.run(wait_for_dataset(client)) == "CREATE_COMPLETE"
        assert lv.now() == FROZEN + timedelta(seconds=60)
        assert elapsed(real_start) < 1.0


def test_asyncio_sleep_yields_to_the_loop_once_per_sleep(poller: ModuleType) -> None:
    order: list[str] = []

    async def sleeper(name: str, sleep: Callable[[float], Any]) -> None:
        for _ in range(3):
            await sleep(600)
            order.append(name)

    async def both() -> None:
        await asyncio.gather(sleeper("a", asyncio.sleep), sleeper("b", poller.nap))

    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True) as lv:
        asyncio.run(both())
        assert order == ["a", "b"] * 3
        assert lv.now() == FROZEN + timedelta(seconds=3600)


def test_asyncio_sleep_returns_its_result_and_takes_a_negative_delay_as_zero() -> None:
    async def main() -> tuple[str, str]:
        return await asyncio.sleep(5, "five"), await asyncio.sleep(-1, "none")

    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True) as lv:
        assert asyncio.run(main()) == ("five", "none")
        assert lv.now() == FROZEN + timedelta(seconds=5)


def test_time_sleep_refuses_what_the_real_one_refuses() -> None:
    with mock_lookoutvision(instant_sleep=True):
        with pytest.raises(ValueError, match="non-negative"):
            time.sleep(-1)
        with pytest.raises(ValueError, match="NaN"):
            time.sleep(float("nan"))
        with pytest.raises(TypeError):
            time.sleep("1")  # type: ignore[arg-type]


# botocore's retries --------------------------------------------------------------------------


def backoff_sleeps(caplog: pytest.LogCaptureFixture) -> list[float]:
    """What botocore's endpoint said it would sleep between attempts (legacy and standard)."""
    pattern = re.compile(r"Response received to retry, sleeping for ([0-9.e-]+) seconds")
    return [float(m.group(1)) for r in caplog.records if (m := pattern.search(r.getMessage()))]


@pytest.mark.parametrize("mode", ["legacy", "standard"])
@pytest.mark.parametrize(
    "frozen",
    [
        pytest.param(lambda: freeze_time(FROZEN), id="freezegun"),
        pytest.param(lambda: time_machine.travel(FROZEN, tick=False), id="time-machine"),
    ],
)
def test_retry_backoff_after_three_throttles_takes_no_real_time(
    mode: str,
    frozen: Callable[[], Any],
    real_sleeps: CountingSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="botocore.endpoint")
    with frozen(), mock_lookoutvision(instant_sleep=True) as lv:
        client = boto3.client(
            "lookoutvision",
            region_name="us-east-1",
            config=Config(retries={"mode": mode, "max_attempts": 5}),
        )
        lv.inject_error("CreateProject", ThrottlingException("Slow down."), times=3)
        real_start = started()
        client.create_project(ProjectName=PROJECT)
        assert elapsed(real_start) < 1.0
        assert [c.error for c in lv.calls("CreateProject")] == [
            *["ThrottlingException"] * 3,
            None,
        ]
        slept = backoff_sleeps(caplog)
        assert len(slept) == 3
        assert sum(slept) > 0
        # Frozen time: the clock moved by what botocore slept, and by nothing else.
        assert (lv.now() - FROZEN).total_seconds() == pytest.approx(sum(slept), abs=1e-6)
    assert real_sleeps.in_this_thread() == []


@pytest.mark.parametrize("frozen", [False, True], ids=["real-time", "freezegun"])
def test_adaptive_retries_neither_wait_nor_hang(frozen: bool, real_sleeps: CountingSleep) -> None:
    """Adaptive mode's client-side rate limiter waits in a token bucket on real time (for seconds
    after a few throttles, and for ever under freeze_time); the instant mock hands out its tokens
    at once. Run in a thread, so that a regression fails instead of hanging the run."""
    outcome: dict[str, Any] = {}

    def throttled_calls() -> None:
        with (
            freeze_time(FROZEN) if frozen else _no_freeze(),
            mock_lookoutvision(instant_sleep=True) as lv,
        ):
            client = boto3.client(
                "lookoutvision",
                region_name="us-east-1",
                config=Config(retries={"mode": "adaptive", "max_attempts": 10}),
            )
            begun, real_start = lv.now(), started()
            for operation, call in [
                ("CreateProject", lambda: client.create_project(ProjectName=PROJECT)),
                ("ListProjects", client.list_projects),
                ("DescribeProject", lambda: client.describe_project(ProjectName=PROJECT)),
            ]:
                lv.inject_error(operation, ThrottlingException("Slow down."), times=3)
                call()
            outcome.update(real=elapsed(real_start), simulated=lv.now() - begun)
            outcome["real_sleeps"] = real_sleeps.in_this_thread()

    worker = threading.Thread(target=throttled_calls, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "adaptive retries blocked"
    assert outcome["real"] < 1.0
    assert outcome["simulated"] > timedelta(0)
    assert outcome["real_sleeps"] == []


class _no_freeze:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# The runaway limit -----------------------------------------------------------------------------


def test_a_runaway_loop_ends_at_the_configured_limit() -> None:
    with (
        freeze_time(FROZEN),
        mock_lookoutvision(instant_sleep=True, sleep_limit=timedelta(hours=5)) as lv,
    ):
        slept: list[float] = []

        def runaway() -> None:
            while True:
                try:
                    time.sleep(3600)
                except Exception:  # a broad handler in the loop does not swallow it
                    pytest.fail("SleepLimitExceeded was caught as an Exception")
                slept.append(3600)

        with pytest.raises(SleepLimitExceeded) as raised:
            runaway()
        assert len(slept) == 5
        assert lv.now() == FROZEN + timedelta(hours=5)  # the refused sleep did not move it
        assert raised.value.slept == timedelta(hours=5)
        assert raised.value.limit == timedelta(hours=5)
        message = str(raised.value)
        assert "time.sleep(3600)" in message
        assert "sleep_limit of 5:00:00" in message
        assert "slept 5:00:00" in message
        assert "sleep_limit=timedelta(days=30)" in message  # how to raise it
    assert_restored()


def test_the_default_limit_is_a_simulated_week() -> None:
    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True) as lv:
        slept: list[float] = []

        def runaway() -> None:
            while True:
                time.sleep(3600)
                slept.append(3600)

        with pytest.raises(SleepLimitExceeded, match=r"168 sleeps have slept 7 days, 0:00:00"):
            runaway()
        assert len(slept) == 7 * 24
        assert lv.now() == FROZEN + sleeping.DEFAULT_SLEEP_LIMIT
    assert_restored()


def test_a_runaway_coroutine_ends_at_the_limit() -> None:
    async def forever() -> None:
        while True:
            await asyncio.sleep(60)

    with (
        mock_lookoutvision(instant_sleep=True, sleep_limit=600),
        pytest.raises(SleepLimitExceeded, match=r"asyncio\.sleep\(60\)"),
    ):
        asyncio.run(forever())
    assert_restored()


def test_the_limit_counts_per_mock_and_can_be_marked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time
        from datetime import timedelta

        import pytest

        from mock_lookoutvision import SleepLimitExceeded, mock_lookoutvision


        @pytest.mark.lookoutvision(instant_sleep=True, sleep_limit=timedelta(minutes=2))
        def test_marked(lookoutvision_mock):
            time.sleep(120)
            with pytest.raises(SleepLimitExceeded):
                time.sleep(1)


        def test_unmarked_sleeps_are_real(lookoutvision_mock):
            assert time.sleep.__module__ == "time"


        @mock_lookoutvision(instant_sleep=True, sleep_limit=60, as_arg=True)
        def test_decorated(lv):
            time.sleep(60)
            with pytest.raises(SleepLimitExceeded):
                time.sleep(60)
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_sleep_limit_is_an_option_of_instant_sleep_only() -> None:
    with pytest.raises(ValueError, match="instant_sleep=True"):
        mock_lookoutvision(sleep_limit=60)
    with pytest.raises(ValueError, match="negative"):
        mock_lookoutvision(instant_sleep=True, sleep_limit=-1)
    with pytest.raises(ValueError, match="finite"):
        mock_lookoutvision(instant_sleep=True, sleep_limit=float("inf"))


# Threads -----------------------------------------------------------------------------------------


def test_another_threads_sleep_is_real(real_sleeps: CountingSleep) -> None:
    took: list[float] = []

    def background() -> None:
        real_start = started()
        time.sleep(0.05)
        took.append(elapsed(real_start))

    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True) as lv:
        worker = threading.Thread(target=background)
        worker.start()
        time.sleep(3600)  # meanwhile, this thread's sleep is instant
        worker.join()
        assert lv.now() == FROZEN + timedelta(hours=1)
    assert len(took) == 1
    assert took[0] >= 0.05
    assert real_sleeps.calls == [(worker.ident, 0.05)]


def test_a_threaded_http_servers_handlers_sleep_for_real() -> None:
    """A server thread (moto's server, a test's own HTTP stub) keeps its real sleeps while the
    thread that started the mock polls it with instant ones."""
    handled: list[float] = []

    class SlowHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            real_start = started()
            time.sleep(0.05)
            handled.append(elapsed(real_start))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    with (
        http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler) as httpd,
        mock_lookoutvision(instant_sleep=True),
    ):
        serving = threading.Thread(target=httpd.serve_forever, daemon=True)
        serving.start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/"
            while not handled:
                with urllib.request.urlopen(url, timeout=10) as answer:
                    assert answer.read() == b"ok"
                time.sleep(60)
        finally:
            httpd.shutdown()
            serving.join()
    assert handled[0] >= 0.05


def test_a_mock_started_in_another_thread_leaves_this_ones_sleeps_real(
    real_sleeps: CountingSleep,
) -> None:
    ready, done = threading.Event(), threading.Event()

    def other() -> None:
        with mock_lookoutvision(instant_sleep=True):
            ready.set()
            done.wait()

    worker = threading.Thread(target=other)
    worker.start()
    try:
        ready.wait()
        assert time.sleep is sleeping.instant_sleep  # patched, but not for this thread
        time.sleep(0.01)
    finally:
        done.set()
        worker.join()
    assert real_sleeps.in_this_thread() == [0.01]
    assert time.sleep is real_sleeps


# Starting and stopping -------------------------------------------------------------------------


def test_without_the_option_nothing_is_patched(poller: ModuleType) -> None:
    with mock_lookoutvision():
        assert_restored()
        assert poller.sleep is REAL["sleep"]


def test_everything_is_restored_after_an_error(poller: ModuleType) -> None:
    def fail_inside() -> None:
        with mock_lookoutvision(instant_sleep=True):
            assert poller.sleep is sleeping.instant_sleep
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    assert_restored()
    assert poller.sleep is REAL["sleep"]


def test_a_module_imported_during_the_mock_gets_the_real_sleep_back(tmp_path: Path) -> None:
    name = f"late_poller_{abs(hash(tmp_path))}"
    try:
        with mock_lookoutvision(instant_sleep=True):
            late = load_module(name, tmp_path, POLLER)
            assert late.sleep is sleeping.instant_sleep  # took the patched one by name
        assert late.sleep is REAL["sleep"]
        assert late.async_sleep is REAL["async_sleep"]
    finally:
        sys.modules.pop(name, None)


def test_a_name_bound_after_an_earlier_scan_is_found(poller: ModuleType) -> None:
    with mock_lookoutvision(instant_sleep=True):
        pass  # the scan cached the poller's names
    poller.pause = REAL["sleep"]  # a new name: the module's namespace grew
    with mock_lookoutvision(instant_sleep=True):
        assert poller.pause is sleeping.instant_sleep
    assert poller.pause is REAL["sleep"]


def test_nested_mocks_restore_when_the_last_stops(poller: ModuleType) -> None:
    with freeze_time(FROZEN), mock_lookoutvision(instant_sleep=True, sleep_limit=7200) as lv:
        with mock_lookoutvision():  # without the option: this thread's sleeps stay instant
            time.sleep(1800)
        with mock_lookoutvision(instant_sleep=True, sleep_limit=3600):
            time.sleep(1800)
            # The inner mock has slept 1800 s; the outer one 3600 s of its 7200.
            with pytest.raises(SleepLimitExceeded, match="sleep_limit of 1:00:00"):
                time.sleep(3600)
        assert time.sleep is sleeping.instant_sleep
        assert poller.sleep is sleeping.instant_sleep
        time.sleep(3600)
        with pytest.raises(SleepLimitExceeded, match="sleep_limit of 2:00:00"):
            time.sleep(1)
        assert lv.now() == FROZEN + timedelta(hours=2)
    assert_restored()
    assert poller.sleep is REAL["sleep"]


def test_someone_elses_patch_made_during_the_mock_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    theirs = CountingSleep()
    try:
        with mock_lookoutvision(instant_sleep=True):
            monkeypatch.setattr(time, "sleep", theirs)
        assert time.sleep is theirs
        monkeypatch.undo()
        # Their undo put back the instant one, which now sleeps for real (no mock is active).
        assert time.sleep is sleeping.instant_sleep
        real_start = started()
        time.sleep(0.02)
        assert elapsed(real_start) >= 0.02
    finally:
        time.sleep = REAL["sleep"]


# Other clocks ----------------------------------------------------------------------------------


def test_under_freeze_time_with_tick() -> None:
    with freeze_time(FROZEN, tick=True), mock_lookoutvision(instant_sleep=True) as lv:
        time.sleep(600)
        assert timedelta(seconds=600) <= lv.now() - FROZEN < timedelta(seconds=601)


@pytest.mark.parametrize(
    "frozen",
    [
        pytest.param(lambda: freeze_time(FROZEN), id="freezegun"),
        pytest.param(lambda: freeze_time(FROZEN, tick=True), id="freezegun-tick"),
        pytest.param(lambda: time_machine.travel(FROZEN, tick=False), id="time-machine"),
    ],
)
def test_frozen_time_started_inside_the_mock(frozen: Callable[[], Any]) -> None:
    with mock_lookoutvision(instant_sleep=True) as lv:
        with frozen():
            # Started in the frozen time: FROZEN is before now, and time running backwards
            # would leave the import unfinished for months.
            client = start_dataset_import(lv)
            begun = lv.now()
            while dataset_status(client) == "CREATE_IN_PROGRESS":
                time.sleep(60)
            assert timedelta(seconds=60) <= lv.now() - begun < timedelta(seconds=61)
        time.sleep(1)  # the freeze ended: still instant
    assert_restored()


def test_time_machine_travel_outside_the_mock() -> None:
    with time_machine.travel(FROZEN, tick=False), mock_lookoutvision(instant_sleep=True) as lv:
        time.sleep(3600)
        assert lv.now() == FROZEN + timedelta(hours=1)
    assert_restored()
