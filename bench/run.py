"""What a mocked call costs, as ratios of times measured in the same run: never absolute times.

    python bench/run.py [--rounds N] [--calls N] [--small]

Everything goes through what a user's test has: boto3 clients, ``with mock_lookoutvision(...) as
lv:``, the handle ``lv`` and ``mock_lookoutvision.testing``; moto's own ``mock_aws`` for the
moto-native rows; ``with server(port=0) as srv:`` and a client of ``srv.endpoint_url`` for the
server row. Trainings run on real PNGs in moto's S3; every step the bench does not time is
ended through the handle (``training.finish()``, ``deletion.finish()``, ...), untimed.

Rows (a "pair" is CreateModel + DescribeModel of the model just made):

- pair / botocore floor: the floor is the same client answered by a canned ``before-send`` handler
  with the bodies the mock answers (same status, headers and shape), timed with no mock active:
  botocore's own pipeline with no service behind it. The floor's parsed answers are checked.
- pair / moto-native pair: CloudWatch Logs CreateLogGroup + DescribeLogGroups, answered by moto.
- pair at 10,000 TRAINED models / at 10: each a project of trained models (models-per-project quota
  raised, one training at a time while they are built).
- ListModels first page (MaxResults=10 on both sides): the mock's own time (mock minus its floor)
  at 10,000 models / at 10.
- ListDatasetEntries over 10,000 entries, pages of 100: the mock's own time for the last page
  (its NextToken found by paging, untimed) / for the first page.
- training completion, ``lv.model(p, v).training.finish()`` timed (every image read, the
  evaluation written to S3), on 10,000 images / on 1,000; CreateModel before and the deletion after
  are untimed.
- DescribeModel of a TRAINED model trained on 10,000 images / on 30.
- DetectAnomalies of an 8 MB image (a real 64x64 PNG, the size the model trained on, with a large
  private ancillary chunk, just under 8 MiB) / botocore floor.
- pair over the server / in-process: the pair through a boto3 client of a running
  ``server(port=0)`` (real HTTP on loopback, fake credentials; the server's start and stop not
  timed) / the pair through the in-process mock, in one project of 10 TRAINED models both share.
- ``with mock_lookoutvision():`` / ``with mock_aws():``, empty, each started and stopped.

Method: every round measures every row, in an order that rotates from round to round; a row's
result is the median over rounds of each round's ratio of its sides' mean seconds per call. A round
is 4 blocks; in each, the sides that run under the mock take turns call by call (the one going
first rotating), then (or, in every other block, first) the floor sides run in one stretch with
the mock stopped, its state kept (``stop(remove_data=False)`` / ``start(reset=False)``), so no mock
sees a floor's request. Each side gets a quarter of its calls per block, so both sides of a row are
measured back to back, interleaved, in the same round. Each call is timed on its own with
``perf_counter`` (untimed work runs between calls) with the cyclic garbage collector off, as
``timeit`` does; the set-up's objects are frozen out of collections (``gc.freeze``). What a side
creates is removed, untimed (a pair's model has its training ended at once and is deleted, with
its deletion finished, at the end of its stretch), so every round measures the same sizes; the
model counts are checked before and after.

The server row has a phase of its own, after the others' rounds (and so has the start and stop
row, with no mock at all): a server starting or stopping empties the process's state, the other
rows' 10,000 models included. One server is started for the phase, a mock inside it; the server's
state is the mock's, kept while the mock is stopped. Its rounds are built as the others' are: the
server side runs where floors do, in the stretches with the mock stopped (its client, made before
the mock started, has no mock in its way), the in-process side in the mocked stretches. Each side's
last answer of a stretch is checked for where it came from (werkzeug's ``Server`` header). werkzeug
(3.x) answers every request with ``Connection: close``, so each of the server's calls opens a new
loopback connection (and the server a thread for it): that is part of what the row measures.

After the rows, the load test of ``bench/load.py``: the server on loopback under 4 concurrent
clients, as throughput and p99 ratios to the in-process path in the same run, with no target (see
its docstring); each client makes ``20 * --calls`` calls a side (2,000 by default). It raises if a
call fails or the model count is not the successful creates'.

``--small`` divides the large sizes by 10 for quick local runs; the targets are for the full sizes.
Exit status 0 whether targets hold or not (they are read by people, on a quiet machine); non-zero
only if the bench itself breaks.
"""

from __future__ import annotations

import argparse
import base64
import gc
import itertools
import json
import os
import statistics
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

import boto3
import load
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from mock_lookoutvision import LookoutVisionMock, mock_lookoutvision, server
from mock_lookoutvision.testing import (
    hosted_model,
    labeled_lines,
    make_png,
    put_manifest,
    ready_project,
)

T = TypeVar("T")
REGION = "us-east-1"
IMAGES_BUCKET = "bench-images"  # the large training datasets' images and manifests
MODELS_PER_PROJECT = "L-1B1011CA"
# Every step waits for the handle: the bench ends each one itself.
DURATIONS = {"dataset": 1e7, "training": 1e7, "hosting": 1e7, "model_deletion": 1e7}
IMAGE_LIMIT = 8 * 1024 * 1024  # limits.md: 8 MB, for training images and DetectAnomalies
PAGE = 100  # ListDatasetEntries page size
MODELS_PAGE = 10  # ListModels page size: the whole of the small project
# A round's blocks: each runs the mocked sides, then (or first) the floors, without a mock.
BLOCKS = 4
FLOOR_VERSIONS = 512  # model versions the floor pair answers with, in turn
LOAD_CALLS_PER_CALL = 20  # the load test's calls per client and side, per ``--calls``


@dataclass(frozen=True)
class Sizes:
    models: int = 10_000  # models in the large project
    few_models: int = 10
    images: int = 10_000  # images in the large training dataset (and ListDatasetEntries)
    few_images: int = 1_000

    @classmethod
    def small(cls) -> Sizes:
        return cls(models=1_000, images=1_000, few_images=100)


# Canned answers ------------------------------------------------------------------------------


CANNED_HEADERS = {"Content-Type": "application/json", "x-amzn-RequestId": "bench-request-id"}


class _CannedBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass(frozen=True)
class Answer:
    """One operation's answer as the mock gave it to one request (method and URL): what the
    floor sends back, and what botocore must parse from it."""

    operation: str
    request: tuple[str, str]
    status: int
    parsed: dict[str, Any]
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", json.dumps(_wire(self.parsed)).encode())


def _wire(value: Any) -> Any:
    """A parsed botocore value written back as rest-json does (timestamps as epoch seconds)."""
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _content(parsed: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in parsed.items() if key != "ResponseMetadata"}


def _as_version(parsed: dict[str, Any], member: str, version: str) -> dict[str, Any]:
    """A model's answer, as if about another version of the model."""
    model = dict(parsed[member])
    model["ModelArn"] = model["ModelArn"].rsplit("/", 1)[0] + f"/{version}"
    model["ModelVersion"] = version
    return {**parsed, member: model}


def check_floor(answer: Answer, parsed: Mapping[str, Any]) -> None:
    """The floor client really got the canned answer, parsed into what the mock's answer was."""
    if _wire(_content(parsed)) != _wire(answer.parsed):
        raise AssertionError(f"the {answer.operation} floor did not get its canned answer")


class Floors:
    """The botocore floor: one ``before-send`` handler on the client answering each request (by
    method and URL) with the answer the mock gave to the same request."""

    def __init__(self, client: Any) -> None:
        self._client = client
        # Answers by request; a request answered in turn by several (see ``vary``).
        self._answers: dict[tuple[str, str], Iterator[Answer]] = {}

    def record(self, operation: str, call: Callable[[], Any]) -> Answer:
        """``call`` answered by the mock; its answer kept for the floor of the same request."""
        seen: list[tuple[str, str]] = []

        def spy(request: Any, **_: Any) -> None:
            seen.append((request.method, request.url))

        event = f"before-send.lookoutvision.{operation}"
        self._client.meta.events.register(event, spy)
        try:
            parsed = call()
        finally:
            self._client.meta.events.unregister(event, spy)
        status = int(parsed["ResponseMetadata"]["HTTPStatusCode"])
        answer = Answer(operation, seen[-1], status, _content(parsed))
        self.vary([answer])
        return answer

    def vary(self, answers: list[Answer]) -> None:
        """Answers to one request, given in turn."""
        self._answers[answers[0].request] = itertools.cycle(answers)

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        # A request nobody recorded is a bug of the bench: KeyError, never the network.
        answer = next(self._answers[(request.method, request.url)])
        return AWSResponse(request.url, answer.status, CANNED_HEADERS, _CannedBody(answer.body))

    @contextmanager
    def answering(self) -> Iterator[None]:
        events = self._client.meta.events
        events.register_first("before-send.lookoutvision", self._answer)
        try:
            yield
        finally:
            events.unregister("before-send.lookoutvision", self._answer)


# Timing --------------------------------------------------------------------------------------


# The cyclic garbage collector off around a timed loop: the load test's own helper.
collector_off = load.collector_off


def ignoring(work: Callable[[], T]) -> Callable[[Any], T]:
    return lambda _: work()


@dataclass(frozen=True)
class Side:
    """One side of a row: a call timed again and again, with untimed work around each call."""

    work: Callable[[Any], Any]  # timed; given what ``before`` returned
    calls: int  # calls a round
    mocked: bool = True  # False: timed with no mock active
    before: Callable[[], Any] | None = None  # untimed, before each call
    after: Callable[[Any], object] | None = None  # untimed, with what ``work`` returned
    check: Callable[[Any], None] | None = None  # untimed, on the last result of each stretch
    settle: Callable[[], None] | None = None  # untimed, after each stretch


@dataclass(frozen=True)
class Row:
    label: str
    target: float
    sides: dict[str, Side]
    ratio: Callable[[Mapping[str, float]], float]  # from each side's seconds per call


def own_time_ratio(mock: str, floor: str, base_mock: str, base_floor: str) -> Callable[..., float]:
    def ratio(seconds: Mapping[str, float]) -> float:
        base = seconds[base_mock] - seconds[base_floor]
        own = seconds[mock] - seconds[floor]
        return own / base if base > 0 else float("inf")

    return ratio


def simple_ratio(numerator: str, denominator: str) -> Callable[..., float]:
    return lambda seconds: seconds[numerator] / seconds[denominator]


class Switch:
    """Stops and restarts one mock with its state kept, so that floors run with no mock active."""

    def __init__(self, mocker: Any) -> None:
        self._mocker = mocker
        self.on = True

    def set(self, on: bool) -> None:
        if on and not self.on:
            self._mocker.start(reset=False)
        elif not on and self.on:
            self._mocker.stop(remove_data=False)
        self.on = on


def rotated(items: list[T], shift: int) -> list[T]:
    shift %= len(items)
    return items[shift:] + items[:shift]


class Tally:
    def __init__(self, rows: list[Row]) -> None:
        self.seconds = {row.label: dict.fromkeys(row.sides, 0.0) for row in rows}
        self.calls = {row.label: dict.fromkeys(row.sides, 0) for row in rows}

    def per_call(self, row: Row) -> dict[str, float]:
        spent, calls = self.seconds[row.label], self.calls[row.label]
        return {name: spent[name] / calls[name] for name in row.sides}


def interleaved(row: Row, sides: list[tuple[str, Side]], calls: int, tally: Tally) -> None:
    """``calls`` calls of each side, the sides taking turns call by call."""
    spent, counted = tally.seconds[row.label], tally.calls[row.label]
    last: dict[str, Any] = {}
    with collector_off():
        for number in range(calls):
            for name, side in rotated(sides, number):
                prepared = side.before() if side.before is not None else None
                start = time.perf_counter()
                result = side.work(prepared)
                spent[name] += time.perf_counter() - start
                counted[name] += 1
                if side.after is not None:
                    side.after(result)
                last[name] = result
    for name, side in sides:
        if side.check is not None and name in last:
            side.check(last[name])
        if side.settle is not None:
            side.settle()


def run_round(
    rows: list[Row], number: int, blocks: int, switch: Switch | None, floors: Floors | None
) -> dict[str, float]:
    """One round: each row's ratio. The round is ``blocks`` blocks; in each, the mocked sides of
    every row run in one stretch and the unmocked ones (the floors) in another, and each side
    gets its share of its calls. Orders rotate with the round and the block."""
    tally = Tally(rows)
    states = rotated([True, False], number) if switch is not None else [False]
    for block in range(blocks):
        # A, B | B, A | A, B ...: consecutive stretches in one state need no restart.
        for state in states if block % 2 == 0 else states[::-1]:
            stretch = []
            for row in rotated(rows, number):
                everyone = rotated(list(row.sides.items()), number + block)
                sides = [(name, side) for name, side in everyone if side.mocked == state]
                if sides:
                    stretch.append((row, sides))
            if not stretch:
                continue
            if switch is not None:
                switch.set(state)
            answering = floors.answering() if floors is not None and not state else nullcontext()
            with answering:
                for row, sides in stretch:
                    calls = sides[0][1].calls
                    share = calls // blocks + ((block + number) % blocks < calls % blocks)
                    interleaved(row, sides, share, tally)
    if switch is not None:
        switch.set(True)
    return {row.label: row.ratio(tally.per_call(row)) for row in rows}


def run_rounds(
    rows: list[Row], rounds: int, blocks: int, switch: Switch | None, floors: Floors | None
) -> dict[str, list[float]]:
    """Each round's ratio for each row."""
    ratios: dict[str, list[float]] = {row.label: [] for row in rows}
    for number in range(rounds):
        for label, ratio in run_round(rows, number, blocks, switch, floors).items():
            ratios[label].append(ratio)
    return ratios


# Set-up --------------------------------------------------------------------------------------


def large_png(total: int) -> bytes:
    """A real 64x64 PNG of exactly ``total`` bytes: a private ancillary chunk ("prVt") of random
    bytes before IEND, which decoders skip."""
    image = make_png(64, 64)
    end = image[-12:]
    assert end[4:8] == b"IEND"
    length = total - len(image) - 12
    data = os.urandom(length)
    chunk = struct.pack(">I", length) + b"prVt" + data
    return image[:-12] + chunk + struct.pack(">I", zlib.crc32(b"prVt" + data)) + end


def labeled_source(lines: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return put_manifest(lines, bucket=IMAGES_BUCKET, key=key, region_name=REGION)


def split(images: int) -> tuple[int, int]:
    """Normal and anomalous image counts: two normal images to one anomalous."""
    return images - images // 3, images // 3


def remove_model(client: Any, lv: LookoutVisionMock, project: str, version: str) -> None:
    """Trains the model if it still is training, then deletes it, all through the API (``client``)
    and the handle ``lv``."""
    controls = lv.model(project, version)
    if controls.training.in_progress:
        controls.training.finish()
    client.delete_model(ProjectName=project, ModelVersion=version)
    controls.deletion.finish()


def pair_side(
    client: Any,
    lv: LookoutVisionMock,
    project: str,
    output: dict[str, Any],
    calls: int,
    *,
    mocked: bool = True,
    check: Callable[[Any], None] | None = None,
) -> Side:
    """CreateModel + DescribeModel in ``project`` through ``client``; the timed result is the
    DescribeModel answer. Between pairs, untimed, only the light part of the clean-up: the model's
    training is ended (failed: no images read) through ``lv``, so the next CreateModel has a
    training slot. The heavy part (DeleteModel and its deletion, so the project keeps its size)
    waits for the end of the stretch: work between timed calls leaves caches cold, and the floor,
    run with no mock, has none between its calls."""
    made: list[str] = []

    def pair() -> Any:
        created = client.create_model(ProjectName=project, OutputConfig=output)
        version = created["ModelMetadata"]["ModelVersion"]
        return client.describe_model(ProjectName=project, ModelVersion=version)

    def end_training(described: Any) -> None:
        version: str = described["ModelDescription"]["ModelVersion"]
        lv.model(project, version).training.fail("Ended by the benchmark.")
        made.append(version)

    def tidy() -> None:
        while made:
            remove_model(client, lv, project, made.pop())

    return Side(ignoring(pair), calls, mocked=mocked, after=end_training, check=check, settle=tidy)


class Bench:
    """The projects every row works on, made through the public API inside one mock."""

    def __init__(self, lv: LookoutVisionMock, sizes: Sizes, calls: int) -> None:
        self.lv = lv
        self.sizes = sizes
        self.calls = calls
        self.client = boto3.client("lookoutvision", region_name=REGION)
        self.logs = boto3.client("logs", region_name=REGION)
        lv.set_quota(MODELS_PER_PROJECT, 20_000)
        self.output = ready_project(lv, "models-few")
        ready_project(lv, "models-many")
        self.fill("models-few", sizes.few_models)
        self.fill("models-many", sizes.models)
        # The large training dataset, and a smaller one from its first images.
        many_lines = labeled_lines(
            *split(sizes.images), bucket=IMAGES_BUCKET, folder="many", region_name=REGION
        )
        few_lines = labeled_lines(
            *split(sizes.few_images),
            bucket=IMAGES_BUCKET,
            folder="many",
            region_name=REGION,
            upload=False,
        )
        self.dataset_project("images-many", many_lines)
        self.dataset_project("images-few", few_lines)
        ready_project(lv, "images-30")
        for project in ("images-many", "images-30"):  # version 1: the model DescribeModel reads
            self.train(project)
        self.detect_version = hosted_model(lv, "detect")
        self.floors = Floors(self.client)
        self.image = large_png(IMAGE_LIMIT - 1024)

    def fill(self, project: str, count: int) -> None:
        """``count`` TRAINED models; only two may train at once, so each is finished first."""
        for _ in range(count):
            self.train(project)

    def dataset_project(self, project: str, lines: list[dict[str, Any]]) -> None:
        self.client.create_project(ProjectName=project)
        source = labeled_source(lines, f"{project}/train.manifest")
        self.client.create_dataset(ProjectName=project, DatasetType="train", DatasetSource=source)
        self.lv.dataset(project, "train").import_.finish()

    def create(self, project: str) -> str:
        created = self.client.create_model(ProjectName=project, OutputConfig=self.output)
        version: str = created["ModelMetadata"]["ModelVersion"]
        return version

    def train(self, project: str) -> str:
        version = self.create(project)
        self.lv.model(project, version).training.finish()
        return version

    def require_status(self, project: str, version: str, status: str) -> None:
        found = self.client.describe_model(ProjectName=project, ModelVersion=version)
        description = found["ModelDescription"]
        if description["Status"] != status:
            raise AssertionError(
                f"model {project}/{version} is {description['Status']}, not {status}: "
                f"{description['StatusMessage']}"
            )

    def remove(self, project: str, version: str) -> None:
        remove_model(self.client, self.lv, project, version)

    def model_count(self, project: str) -> int:
        pages = self.client.get_paginator("list_models").paginate(ProjectName=project)
        return sum(len(page["Models"]) for page in pages)

    def check_sizes(self) -> None:
        for project, expected in (
            ("models-few", self.sizes.few_models),
            ("models-many", self.sizes.models),
        ):
            count = self.model_count(project)
            if count != expected:
                raise AssertionError(f"{project} has {count} models, not {expected}")

    # The rows ----------------------------------------------------------------------------------

    def rows(self) -> list[Row]:
        return [
            self.pair_floor_row(),
            self.pair_moto_row(),
            self.pair_scale_row(),
            self.list_models_row(),
            self.entries_row(),
            self.training_row(),
            self.describe_row(),
            self.detect_row(),
        ]

    def pair_side(self, project: str) -> Side:
        return pair_side(self.client, self.lv, project, self.output, self.calls)

    def pair_floor_side(self) -> Side:
        """The floor pair: the mock's answers to a CreateModel and a DescribeModel, copied for
        ``FLOOR_VERSIONS`` versions, so that the floor's DescribeModel URLs change from call to
        call as the mock's do (a repeated URL would hit caches a real run does not)."""
        client, project = self.client, "models-few"
        create = self.floors.record(
            "CreateModel",
            lambda: client.create_model(ProjectName=project, OutputConfig=self.output),
        )
        version = create.parsed["ModelMetadata"]["ModelVersion"]
        describe = self.floors.record(
            "DescribeModel",
            lambda: client.describe_model(ProjectName=project, ModelVersion=version),
        )
        self.remove(project, version)
        answers: dict[str, tuple[Answer, Answer]] = {}
        for number in range(FLOOR_VERSIONS):
            other = str(100_000 + number)
            method, url = describe.request
            answers[other] = (
                replace(create, parsed=_as_version(create.parsed, "ModelMetadata", other)),
                replace(
                    describe,
                    request=(method, url.removesuffix(f"/{version}") + f"/{other}"),
                    parsed=_as_version(describe.parsed, "ModelDescription", other),
                ),
            )
        self.floors.vary([created for created, _ in answers.values()])
        for _, described in answers.values():
            self.floors.vary([described])

        def pair() -> tuple[Any, Any]:
            created = client.create_model(ProjectName=project, OutputConfig=self.output)
            described = client.describe_model(
                ProjectName=project, ModelVersion=created["ModelMetadata"]["ModelVersion"]
            )
            return created, described

        def check(parsed: tuple[Any, Any]) -> None:
            expected = answers[parsed[0]["ModelMetadata"]["ModelVersion"]]
            check_floor(expected[0], parsed[0])
            check_floor(expected[1], parsed[1])

        return Side(ignoring(pair), self.calls, mocked=False, check=check)

    def pair_floor_row(self) -> Row:
        sides = {"mock": self.pair_side("models-few"), "floor": self.pair_floor_side()}
        return Row(
            "CreateModel+DescribeModel / botocore floor", 1.3, sides, simple_ratio("mock", "floor")
        )

    def pair_moto_row(self) -> Row:
        logs = self.logs
        numbers = itertools.count()

        def native() -> str:
            name = f"bench-group-{next(numbers)}"
            logs.create_log_group(logGroupName=name)
            logs.describe_log_groups(logGroupNamePrefix=name)
            return name

        def delete(name: str) -> None:
            logs.delete_log_group(logGroupName=name)

        delete(native())  # moto's logs backend imported and warm
        sides = {
            "mock": self.pair_side("models-few"),
            "moto": Side(ignoring(native), self.calls, after=delete),
        }
        return Row(
            "CreateModel+DescribeModel / moto-native pair", 0.6, sides, simple_ratio("mock", "moto")
        )

    def pair_scale_row(self) -> Row:
        sides = {"many": self.pair_side("models-many"), "few": self.pair_side("models-few")}
        label = f"pair at {self.sizes.models:,} TRAINED models / at {self.sizes.few_models}"
        return Row(label, 1.1, sides, simple_ratio("many", "few"))

    def call_and_floor(
        self, operation: str, call: Callable[[], Any], calls: int
    ) -> tuple[Side, Side]:
        """``call`` answered by the mock, and by the floor with a copy of the mock's answer."""
        answer = self.floors.record(operation, call)
        floor = Side(
            ignoring(call), calls, mocked=False, check=lambda parsed: check_floor(answer, parsed)
        )
        return Side(ignoring(call), calls), floor

    def list_models_row(self) -> Row:
        def listing(project: str) -> Callable[[], Any]:
            return lambda: self.client.list_models(ProjectName=project, MaxResults=MODELS_PAGE)

        many, many_floor = self.call_and_floor("ListModels", listing("models-many"), self.calls)
        few, few_floor = self.call_and_floor("ListModels", listing("models-few"), self.calls)
        sides = {"many": many, "many_floor": many_floor, "few": few, "few_floor": few_floor}
        label = f"ListModels first page, own time: {self.sizes.models:,} / {self.sizes.few_models}"
        return Row(label, 1.2, sides, own_time_ratio("many", "many_floor", "few", "few_floor"))

    def entries_row(self) -> Row:
        client = self.client
        query = {"ProjectName": "images-many", "DatasetType": "train", "MaxResults": PAGE}
        last_token, entries = None, 0
        page = client.list_dataset_entries(**query)
        while page.get("NextToken"):
            entries += len(page["DatasetEntries"])
            last_token = page["NextToken"]
            page = client.list_dataset_entries(**query, NextToken=last_token)
        entries += len(page["DatasetEntries"])
        if entries != self.sizes.images or last_token is None:
            raise AssertionError(f"paging found {entries} entries, not {self.sizes.images}")
        first, first_floor = self.call_and_floor(
            "ListDatasetEntries", lambda: client.list_dataset_entries(**query), self.calls
        )
        last, last_floor = self.call_and_floor(
            "ListDatasetEntries",
            lambda: client.list_dataset_entries(**query, NextToken=last_token),
            self.calls,
        )
        sides = {"last": last, "last_floor": last_floor, "first": first, "first_floor": first_floor}
        label = f"ListDatasetEntries ({self.sizes.images:,}) own time: last page / first"
        return Row(label, 1.2, sides, own_time_ratio("last", "last_floor", "first", "first_floor"))

    def training_side(self, project: str) -> Side:
        """The training of a model made (untimed) just before; checked TRAINED and deleted after,
        untimed."""

        def finish(version: str) -> str:
            self.lv.model(project, version).training.finish()
            return version

        def after(version: str) -> None:
            self.require_status(project, version, "TRAINED")
            self.remove(project, version)

        return Side(
            finish, max(1, self.calls // 25), before=lambda: self.create(project), after=after
        )

    def training_row(self) -> Row:
        sides = {"many": self.training_side("images-many"), "few": self.training_side("images-few")}
        label = f"training completion, {self.sizes.images:,} images / {self.sizes.few_images:,}"
        return Row(label, 11.0, sides, simple_ratio("many", "few"))

    def describe_row(self) -> Row:
        def describing(project: str) -> Side:
            self.require_status(project, "1", "TRAINED")

            def describe() -> Any:
                return self.client.describe_model(ProjectName=project, ModelVersion="1")

            return Side(ignoring(describe), self.calls)

        sides = {"many": describing("images-many"), "few": describing("images-30")}
        label = f"DescribeModel, trained on {self.sizes.images:,} images / on 30"
        return Row(label, 1.1, sides, simple_ratio("many", "few"))

    def detect_row(self) -> Row:
        version, image = self.detect_version, self.image

        def detect() -> Any:
            return self.client.detect_anomalies(
                ProjectName="detect", ModelVersion=version, Body=image, ContentType="image/png"
            )

        # Recording the answer also shows that the mock accepts the image.
        mock, floor = self.call_and_floor("DetectAnomalies", detect, max(1, self.calls // 10))
        return Row(
            f"DetectAnomalies, {len(image):,}-byte PNG / botocore floor",
            2.0,
            {"mock": mock, "floor": floor},
            simple_ratio("mock", "floor"),
        )


def start_stop_row(calls: int) -> Row:
    def cycle(factory: Callable[[], Any]) -> Callable[[], None]:
        def once() -> None:
            with factory():
                pass

        return once

    cycles = max(5, calls // 10)
    sides = {
        "mock": Side(ignoring(cycle(mock_lookoutvision)), cycles, mocked=False),
        "moto": Side(ignoring(cycle(mock_aws)), cycles, mocked=False),
    }
    return Row("mock start+stop / mock_aws start+stop", 1.2, sides, simple_ratio("mock", "moto"))


SERVER_PROJECT = "server-pair"


def answered_over_http(expected: bool) -> Callable[[Any], None]:
    """A check that an answer did (or did not) come from the server: werkzeug names itself in
    a ``Server`` header, which the in-process path never sends."""

    def check(parsed: Any) -> None:
        software = parsed["ResponseMetadata"]["HTTPHeaders"].get("server", "")
        if software.startswith("Werkzeug") != expected:
            where = "over HTTP" if expected else "in process"
            raise AssertionError(f"a pair meant to be answered {where} was not ({software!r})")

    return check


def warm(side: Side) -> None:
    """One call of ``side`` with its untimed work around it, not counted."""
    prepared = side.before() if side.before is not None else None
    result = side.work(prepared)
    if side.after is not None:
        side.after(result)
    if side.check is not None:
        side.check(result)
    if side.settle is not None:
        side.settle()


def measure_server(rounds: int, calls: int, sizes: Sizes) -> tuple[Row, dict[str, list[float]]]:
    """The pair over the server / in process, in a phase of its own: a server starting or
    stopping empties the process's state, so it runs around a mock of its own, on a project of
    ``sizes.few_models`` TRAINED models both sides share. The server side runs in the stretches
    the floors run in elsewhere (the mock stopped, its state kept, which is the server's), so its
    client has no mock in its way; the mock side is the pair the other rows time."""
    with server(port=0, durations=DURATIONS, region_name=REGION) as srv:
        # Made before any mock starts, as a server user's client is: no mock's handlers on it.
        over_http = boto3.session.Session().client(
            "lookoutvision",
            region_name=REGION,
            endpoint_url=srv.endpoint_url,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        mocker = mock_lookoutvision(durations=DURATIONS, region_name=REGION)
        lv = mocker.start()
        switch = Switch(mocker)
        try:
            in_process = boto3.client("lookoutvision", region_name=REGION)
            lv.set_quota(MODELS_PER_PROJECT, 20_000)
            output = ready_project(lv, SERVER_PROJECT)
            for _ in range(sizes.few_models):
                created = in_process.create_model(ProjectName=SERVER_PROJECT, OutputConfig=output)
                lv.model(SERVER_PROJECT, created["ModelMetadata"]["ModelVersion"]).training.finish()
            sides = {
                "server": pair_side(
                    over_http,
                    srv,
                    SERVER_PROJECT,
                    output,
                    calls,
                    mocked=False,
                    check=answered_over_http(True),
                ),
                "mock": pair_side(
                    in_process, lv, SERVER_PROJECT, output, calls, check=answered_over_http(False)
                ),
            }
            row = Row(
                "CreateModel+DescribeModel over the server / in-process",
                3.0,
                sides,
                simple_ratio("server", "mock"),
            )
            # Each path's first call (the server's first request, lazy imports) not timed.
            warm(sides["mock"])
            switch.set(False)
            warm(sides["server"])
            switch.set(True)

            def count() -> int:
                pages = in_process.get_paginator("list_models").paginate(ProjectName=SERVER_PROJECT)
                return sum(len(page["Models"]) for page in pages)

            if count() != sizes.few_models:
                raise AssertionError(f"{SERVER_PROJECT} has {count()} models before the rounds")
            gc.collect()
            gc.freeze()
            ratios = run_rounds([row], rounds, BLOCKS, switch, None)
            switch.set(True)
            if count() != sizes.few_models:
                raise AssertionError(f"{SERVER_PROJECT} has {count()} models after the rounds")
        finally:
            gc.unfreeze()
            switch.set(True)
            mocker.stop()
    return row, ratios


def measure(rounds: int, calls: int, sizes: Sizes) -> tuple[list[Row], dict[str, list[float]]]:
    mocker = mock_lookoutvision(durations=DURATIONS, region_name=REGION)
    lv = mocker.start()
    switch = Switch(mocker)
    try:
        bench = Bench(lv, sizes, calls)
        rows = bench.rows()
        bench.check_sizes()
        # The set-up's objects live to the end: no collection needs to walk them again.
        gc.collect()
        gc.freeze()
        ratios = run_rounds(rows, rounds, BLOCKS, switch, bench.floors)
        bench.check_sizes()
    finally:
        gc.unfreeze()
        switch.set(True)
        mocker.stop()
    over_server, server_ratios = measure_server(rounds, calls, sizes)
    ratios.update(server_ratios)
    last = start_stop_row(calls)
    ratios.update(run_rounds([last], rounds, BLOCKS, None, None))
    return [*rows, over_server, last], ratios


def quartiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    last = len(ordered) - 1
    return ordered[round(last / 4)], ordered[round(last * 3 / 4)]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100, help="calls a side a round")
    parser.add_argument("--small", action="store_true", help="large sizes / 10, for quick runs")
    args = parser.parse_args()
    sizes = Sizes.small() if args.small else Sizes()
    rows, ratios = measure(args.rounds, args.calls, sizes)
    print(
        f"median over {args.rounds} rounds of each round's paired ratio; {args.calls} calls a "
        f"side a round{'; --small sizes' if args.small else ''}"
    )
    width = max(len(row.label) for row in rows)
    print(f"{'row':<{width}}  {'ratio':>7}  {'target':>9}  verdict  rounds q1-q3")
    for row in rows:
        values = ratios[row.label]
        ratio = statistics.median(values)
        low, high = quartiles(values)
        verdict = "ok" if ratio <= row.target else "MISS"
        print(
            f"{row.label:<{width}}  {ratio:6.2f}x  <= {row.target:4.1f}x  {verdict:<7}  "
            f"{low:.2f}-{high:.2f}"
        )
    load_calls = LOAD_CALLS_PER_CALL * args.calls // (10 if args.small else 1)
    print()
    print(load.report(load.measure(load.CLIENTS, max(2, load_calls))))


if __name__ == "__main__":
    main()
