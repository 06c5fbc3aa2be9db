"""A bounded load test of the server on loopback, as ratios to the in-process path in the same run.

    python bench/load.py [--clients N] [--calls N]

``bench/run.py`` runs it after its rows (``--calls`` there sets the size here too). Each of
``--clients`` threads makes ``--calls`` calls on each side, a mix a user's test makes: CreateModel
with a fresh ClientToken, DescribeModel of the model it just made, ListModels (a first page of 10),
in turn. The server side is ``server(port=0)`` of this package (moto's server with this service, on
a free loopback port, in this process: its request threads and the clients share one interpreter)
reached by boto3 clients of its ``endpoint_url``; the in-process side is the same calls through
``mock_lookoutvision()``. Both sides share one state (the mock started inside the running server,
set up with ``mock_lookoutvision.testing``, and stopped with its data kept while the server side
runs), each side in a project of its own.

The sides run in four stretches, in-process / server / server / in-process, each with half of every
client's calls, so that the account's growing model count (every model trains for the whole run)
weighs on both alike. In a stretch the clients start together on a barrier; each call is timed on
its own with ``perf_counter``, the cyclic garbage collector off. A side's throughput is its calls
over the wall time of its stretches; its p99 (and p50) are over all its calls' latencies. Reported:
throughput server / in-process and p99 (p50) server / in-process: ratios, never absolute times.

How to read the latency ratios: all threads share one interpreter. In-process, the clients' calls
never block, so a thread holds the interpreter lock for its whole switch interval (5 ms) and makes
several calls in a row before another gets a turn: most calls are quick, and the ones that waited
for three other threads' turns make a long tail (p99 far above p50). Over the server each call
blocks on its socket and hands the lock on, so latencies are even. The server's p99 can then be
below the in-process p99 while its p50 is well above; throughput is the figure that compares the
paths' costs. With ``--clients 1`` both tails are short.

It ends by itself: the calls are bounded, every client's calls have a deadline, and botocore's
timeouts bound each call. Retries are off, so any failure is seen. At the end, for each side,
ListModels over all pages (through that side) finds exactly as many models as there were
successful CreateModels, versions 1..N, no call failed, and every server answer (none of the
in-process ones) came from werkzeug (its ``Server`` header); otherwise it raises.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from mock_lookoutvision import mock_lookoutvision, server
from mock_lookoutvision.testing import ready_project

REGION = "us-east-1"
CLIENTS = 4
CALLS = 2_000  # per client and side
DEADLINE_SECONDS = 900.0  # a side's stretch ends here at the latest, its unmade calls failures
# Every model trains for the whole run: nothing finishes behind the calls' backs.
DURATIONS = {"dataset": 1e7, "training": 1e7, "hosting": 1e7, "model_deletion": 1e7}
MODELS_PER_PROJECT = "L-1B1011CA"
CONCURRENT_TRAININGS = "L-2489F742"
PAGE = 10
# No retries (every failure seen), and no call waits for ever.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=10,
    read_timeout=60,
    max_pool_connections=2,
)
SIDES = ("in-process", "server")


@dataclass
class Figures:
    """One side's calls so far."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    creates: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    over_http: int = 0  # answers werkzeug's server sent (its ``Server`` header)

    @property
    def calls(self) -> int:
        return len(self.latencies) + sum(self.failures.values())

    @property
    def throughput(self) -> float:
        return self.calls / self.wall

    def percentile(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1]


@contextmanager
def collector_off() -> Iterator[None]:
    """The cyclic garbage collector off, after a collection, as ``timeit`` does."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def client_work(
    client: Any, project: str, output: dict[str, Any], name: str, calls: int, deadline: float
) -> Figures:
    """One client's share of a stretch: CreateModel (a fresh token each), DescribeModel of the
    model it made, ListModels, in turn."""
    figures = Figures()
    version = None
    for number in range(calls):
        if time.monotonic() > deadline:
            figures.failures["deadline passed"] += calls - number
            break
        kind = number % 3
        if kind == 1 and version is None:  # its CreateModel failed (counted): nothing to describe
            figures.failures["no model to describe"] += 1
            continue
        start = time.perf_counter()
        try:
            if kind == 0:
                answer = client.create_model(
                    ProjectName=project, OutputConfig=output, ClientToken=f"{name}-{number}"
                )
                version = answer["ModelMetadata"]["ModelVersion"]
                figures.creates += 1
            elif kind == 1:
                answer = client.describe_model(ProjectName=project, ModelVersion=version)
            else:
                answer = client.list_models(ProjectName=project, MaxResults=PAGE)
        except ClientError as failure:
            figures.failures[failure.response["Error"]["Code"]] += 1
            continue
        except BotoCoreError as failure:
            figures.failures[type(failure).__name__] += 1
            continue
        figures.latencies.append(time.perf_counter() - start)
        sent_by = answer["ResponseMetadata"]["HTTPHeaders"].get("server", "")
        figures.over_http += sent_by.startswith("Werkzeug")
    return figures


def stretch(
    clients: list[Any], project: str, output: dict[str, Any], calls: int, tag: str
) -> Figures:
    """Each client's ``calls`` calls on a thread of its own, all started together; the side's
    figures for the stretch (wall time from the start to the last client's end)."""
    barrier = threading.Barrier(len(clients) + 1)
    deadline = time.monotonic() + DEADLINE_SECONDS

    def run(number: int) -> Figures:
        barrier.wait(timeout=60)
        return client_work(clients[number], project, output, f"{tag}-{number}", calls, deadline)

    total = Figures()
    with collector_off(), ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(run, number) for number in range(len(clients))]
        barrier.wait(timeout=60)
        start = time.perf_counter()
        # Every client stops at the deadline; a minute more for a call in flight to time out.
        results = [future.result(timeout=DEADLINE_SECONDS + 120) for future in futures]
        total.wall = time.perf_counter() - start
    for result in results:
        total.latencies += result.latencies
        total.creates += result.creates
        total.failures += result.failures
        total.over_http += result.over_http
    return total


def model_versions(client: Any, project: str) -> list[int]:
    pages = client.get_paginator("list_models").paginate(ProjectName=project)
    return sorted(int(model["ModelVersion"]) for page in pages for model in page["Models"])


@dataclass(frozen=True)
class Result:
    clients: int
    calls: int  # per client and side
    sides: dict[str, Figures]
    models: dict[str, int]  # found by ListModels, by side

    @property
    def throughput_ratio(self) -> float:
        return self.sides["server"].throughput / self.sides["in-process"].throughput

    def latency_ratio(self, percent: int) -> float:
        """The ``percent``th percentile of the server's latencies over the in-process path's."""
        return self.sides["server"].percentile(percent) / self.sides["in-process"].percentile(
            percent
        )


def measure(clients: int = CLIENTS, calls: int = CALLS) -> Result:
    """Both sides' figures; raises if a call failed or a model count is off."""
    if calls < 2:
        raise ValueError("each client makes at least 2 calls a side (one per half)")
    projects = {side: f"load-{side}" for side in SIDES}
    figures = {side: Figures() for side in SIDES}
    with server(port=0, durations=DURATIONS, region_name=REGION) as srv:
        # Made before any mock starts, as a server user's clients are.
        over_http = [
            boto3.session.Session().client(
                "lookoutvision",
                region_name=REGION,
                endpoint_url=srv.endpoint_url,
                aws_access_key_id="load",
                aws_secret_access_key="load",
                config=CLIENT_CONFIG,
            )
            for _ in range(clients)
        ]
        mocker = mock_lookoutvision(durations=DURATIONS, region_name=REGION)
        lv = mocker.start()
        try:
            in_process = [
                boto3.session.Session().client(
                    "lookoutvision", region_name=REGION, config=CLIENT_CONFIG
                )
                for _ in range(clients)
            ]
            lv.set_quota(MODELS_PER_PROJECT, 1_000_000)
            lv.set_quota(CONCURRENT_TRAININGS, 1_000_000)
            output = ready_project(lv, projects["in-process"])
            ready_project(lv, projects["server"])
            # One untimed call each way first: lazy imports, the server's first request.
            in_process[0].list_models(ProjectName=projects["in-process"])
            mocker.stop(remove_data=False)
            over_http[0].list_models(ProjectName=projects["server"])
            mocked = False
            halves = (calls // 2, calls - calls // 2)
            order = ("in-process", "server", "server", "in-process")
            for number, side in enumerate(order):
                if (side == "in-process") != mocked:
                    if mocked:
                        mocker.stop(remove_data=False)
                    else:
                        mocker.start(reset=False)
                    mocked = not mocked
                sent = in_process if side == "in-process" else over_http
                share = halves[order[:number].count(side)]
                done = stretch(sent, projects[side], output, share, f"{side}-{number}")
                figures[side].latencies += done.latencies
                figures[side].wall += done.wall
                figures[side].creates += done.creates
                figures[side].failures += done.failures
                figures[side].over_http += done.over_http
            # Counted through each side's own path: the server's projects over HTTP.
            if mocked:
                mocker.stop(remove_data=False)
            server_versions = model_versions(over_http[0], projects["server"])
            mocker.start(reset=False)
            in_process_versions = model_versions(in_process[0], projects["in-process"])
        finally:
            mocker.stop()
    found = {"in-process": in_process_versions, "server": server_versions}
    for side in SIDES:
        if figures[side].failures:
            raise AssertionError(f"{side}: calls failed: {dict(figures[side].failures)}")
        if figures[side].calls != clients * calls:
            raise AssertionError(f"{side}: {figures[side].calls} calls, not {clients * calls}")
        answered_over_http = figures[side].over_http
        if answered_over_http != (clients * calls if side == "server" else 0):
            raise AssertionError(f"{side}: {answered_over_http} of its answers came over HTTP")
        if found[side] != list(range(1, figures[side].creates + 1)):
            raise AssertionError(
                f"{side}: ListModels found {len(found[side])} models "
                f"for {figures[side].creates} successful CreateModels"
            )
    return Result(clients, calls, figures, {side: len(found[side]) for side in SIDES})


def report(result: Result) -> str:
    lines = [
        f"load test: {result.clients} clients x {result.calls:,} calls a side "
        "(CreateModel, DescribeModel, ListModels in turn), server on loopback / in-process",
        f"  throughput server / in-process  {result.throughput_ratio:6.2f}x",
        f"  p99 latency server / in-process {result.latency_ratio(99):6.2f}x",
        f"  p50 latency server / in-process {result.latency_ratio(50):6.2f}x",
    ]
    for side in SIDES:
        figures = result.sides[side]
        lines.append(
            f"  {side}: {figures.calls:,} calls ({figures.over_http:,} answered over HTTP), "
            f"{sum(figures.failures.values())} failed, {figures.creates:,} models created, "
            f"{result.models[side]:,} found by ListModels"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--calls", type=int, default=CALLS, help="calls a client makes a side")
    args = parser.parse_args()
    print(report(measure(args.clients, args.calls)))


if __name__ == "__main__":
    main()
