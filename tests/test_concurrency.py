"""Races: many threads at once on one resource, in-process and against the server (issue 11 §3).

Each race starts 32 threads together on a barrier, each with a boto3 client of its own, all made
up front in the main thread (clients are thread-safe, the default session is not). Retries are off
so that every answer is the first attempt's: a retry could hide a lost update or turn a winner
into a loser. While a race runs, the interpreter switches threads far more often than it does by
default, so that threads interleave inside the mock's handlers rather than only between requests.
Each race runs a few rounds in one test: the race, not its set-up, is what is tested.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from mock_lookoutvision import LookoutVisionMock

from . import conftest, server_helpers

THREADS = 32
ROUNDS = 5
TIMEOUT = 60  # seconds: a thread that never reaches the barrier, or never answers, fails the test
SWITCH_INTERVAL = 1e-5  # seconds between thread switches during a race (5 ms by default)
CONCURRENT_TRAININGS = "L-2489F742"
MODELS_PER_PROJECT = "L-1B1011CA"


@dataclass
class Place:
    """Where the race runs: the handle of the mock (in-process or the server's) and a way to make
    clients of it."""

    lv: LookoutVisionMock
    new_client: Callable[[], Any]
    project: str
    output: dict[str, Any]

    def clients(self, count: int = THREADS) -> list[Any]:
        return [self.new_client() for _ in range(count)]


@pytest.fixture(params=["in-process", "server"])
def place(request: pytest.FixtureRequest) -> Place:
    """A project with a train dataset ready to train on; training quotas raised so that every
    thread's CreateModel may start a training."""
    if request.param == "in-process":
        lv: LookoutVisionMock = request.getfixturevalue("lookoutvision_mock")
        region = lv.region_name

        def new_client() -> Any:
            return boto3.client(
                "lookoutvision", region_name=region, config=server_helpers.NO_RETRIES
            )

        output = conftest.ready_project(new_client(), lv, conftest.PROJECT)
    else:
        srv = request.getfixturevalue("srv")
        lv = srv

        def new_client() -> Any:
            return server_helpers.boto3_client(srv, config=server_helpers.NO_RETRIES)

        server_helpers.ready_project(srv, server_helpers.PROJECT)
        output = server_helpers.OUTPUT
    lv.set_quota(CONCURRENT_TRAININGS, THREADS * ROUNDS)
    lv.set_quota(MODELS_PER_PROJECT, THREADS * ROUNDS)
    return Place(lv, new_client, conftest.PROJECT, output)


@dataclass(frozen=True)
class Outcome:
    answer: Any = None  # the parsed answer of a success
    error: str | None = None  # the error code of a failure


def race(clients: list[Any], work: Callable[[int, Any], Any]) -> list[Outcome]:
    """``work(number, client)`` on one thread per client, all released together by a barrier;
    each thread's outcome, in thread order."""
    barrier = threading.Barrier(len(clients))

    def one(number: int) -> Outcome:
        client = clients[number]
        barrier.wait(timeout=TIMEOUT)
        try:
            return Outcome(answer=work(number, client))
        except ClientError as failure:
            return Outcome(error=failure.response["Error"]["Code"])

    default_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            futures = [pool.submit(one, number) for number in range(len(clients))]
            return [future.result(timeout=TIMEOUT) for future in futures]
    finally:
        sys.setswitchinterval(default_interval)


def all_models(client: Any, project: str) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_models").paginate(ProjectName=project)
    return [model for page in pages for model in page["Models"]]


def tags_of(client: Any, arn: str) -> dict[str, str]:
    listed = client.list_tags_for_resource(ResourceArn=arn)["Tags"]
    return {tag["Key"]: tag["Value"] for tag in listed}


@pytest.fixture
def clients(place: Place) -> Iterator[list[Any]]:
    made = place.clients()
    yield made
    for client in made:
        client.close()


def test_one_client_token_makes_one_model(place: Place, clients: list[Any]) -> None:
    client = clients[0]
    for number in range(ROUNDS):
        token = f"shared-token-{number}"

        def create(_: int, client: Any, token: str = token) -> Any:
            return client.create_model(
                ProjectName=place.project, OutputConfig=place.output, ClientToken=token
            )["ModelMetadata"]

        outcomes = race(clients, create)

        assert [outcome.error for outcome in outcomes] == [None] * THREADS
        answers = [outcome.answer for outcome in outcomes]
        assert {answer["ModelVersion"] for answer in answers} == {str(number + 1)}
        assert len({answer["ModelArn"] for answer in answers}) == 1
        assert {answer["CreationTimestamp"] for answer in answers} == {
            answers[0]["CreationTimestamp"]
        }
        models = all_models(client, place.project)
        assert sorted(model["ModelVersion"] for model in models) == [
            str(version) for version in range(1, number + 2)
        ]
        # Every call was answered once, as a success, with the token it carried.
        calls = [
            call
            for call in place.lv.calls("CreateModel")
            if call.parameters.get("ClientToken") == token
        ]
        assert [call.error for call in calls] == [None] * THREADS


def test_distinct_client_tokens_give_dense_unique_versions(
    place: Place, clients: list[Any]
) -> None:
    client = clients[0]
    for number in range(ROUNDS):

        def create(thread: int, client: Any, number: int = number) -> Any:
            return client.create_model(
                ProjectName=place.project,
                OutputConfig=place.output,
                ClientToken=f"token-{number}-{thread}",
            )["ModelMetadata"]

        outcomes = race(clients, create)

        assert [outcome.error for outcome in outcomes] == [None] * THREADS
        versions = [outcome.answer["ModelVersion"] for outcome in outcomes]
        first = number * THREADS + 1
        expected = [str(version) for version in range(first, first + THREADS)]
        assert sorted(versions, key=int) == expected  # each version exactly once
        assert len({outcome.answer["ModelArn"] for outcome in outcomes}) == THREADS
        models = all_models(client, place.project)
        assert len(models) == first + THREADS - 1
        assert sorted((model["ModelVersion"] for model in models), key=int) == [
            str(version) for version in range(1, first + THREADS)
        ]
        # Each answer describes the model it made.
        for outcome in outcomes[:: THREADS // 4]:
            described = client.describe_model(
                ProjectName=place.project, ModelVersion=outcome.answer["ModelVersion"]
            )["ModelDescription"]
            assert described["ModelArn"] == outcome.answer["ModelArn"]
            assert described["Status"] == "TRAINING"


def test_concurrent_tag_and_untag_lose_no_update(place: Place, clients: list[Any]) -> None:
    """Every thread tags a key of its own; the even ones then untag theirs, while the others are
    still tagging. What is left is exactly the odd threads' keys and the tag nobody touched."""
    client = clients[0]
    arn = client.create_model(
        ProjectName=place.project,
        OutputConfig=place.output,
        Tags=[{"Key": "owner", "Value": "nobody-races-me"}],
    )["ModelMetadata"]["ModelArn"]
    for number in range(ROUNDS):

        def key(thread: int, number: int = number) -> str:
            return f"round{number}-thread{thread}"

        def tag_then_maybe_untag(thread: int, client: Any) -> None:
            client.tag_resource(
                ResourceArn=arn, Tags=[{"Key": key(thread), "Value": f"value-{thread}"}]
            )
            if thread % 2 == 0:
                client.untag_resource(ResourceArn=arn, TagKeys=[key(thread)])

        outcomes = race(clients, tag_then_maybe_untag)

        assert [outcome.error for outcome in outcomes] == [None] * THREADS
        expected = {key(thread): f"value-{thread}" for thread in range(1, THREADS, 2)}
        assert tags_of(client, arn) == {"owner": "nobody-races-me", **expected}

        # The survivors untagged all at once, the last of them racing each other.
        survivors = sorted(expected)

        def untag(thread: int, client: Any, survivors: list[str] = survivors) -> None:
            client.untag_resource(ResourceArn=arn, TagKeys=[survivors[thread]])

        outcomes = race(clients[: len(survivors)], untag)
        assert [outcome.error for outcome in outcomes] == [None] * len(expected)
        assert tags_of(client, arn) == {"owner": "nobody-races-me"}


def test_concurrent_create_project_of_one_name_has_one_winner(
    place: Place, clients: list[Any]
) -> None:
    client = clients[0]
    for number in range(ROUNDS):
        name = f"contested-{number}"

        def create(_: int, client: Any, name: str = name) -> Any:
            return client.create_project(ProjectName=name)

        outcomes = race(clients, create)

        winners = [outcome.answer for outcome in outcomes if outcome.error is None]
        assert len(winners) == 1
        assert winners[0]["ProjectMetadata"]["ProjectName"] == name
        assert Counter(outcome.error for outcome in outcomes) == {
            None: 1,
            "ConflictException": THREADS - 1,
        }
        names = [project["ProjectName"] for project in client.list_projects()["Projects"]]
        assert names.count(name) == 1
        described = client.describe_project(ProjectName=name)["ProjectDescription"]
        assert described["ProjectArn"] == winners[0]["ProjectMetadata"]["ProjectArn"]
        assert described["CreationTimestamp"] == winners[0]["ProjectMetadata"]["CreationTimestamp"]
