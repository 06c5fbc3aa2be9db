"""aiobotocore against the mock's server: the whole path from S3 set-up to a trained model, the
ClientToken botocore fills in, async pagination, and errors exactly as synchronous boto3 (and the
in-process mock, and the wire) have them. Also what aiobotocore meets in process, without a server.

Coroutines run with ``asyncio.run`` in plain test functions.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_lookoutvision import ThrottlingException, mock_lookoutvision
from mock_lookoutvision.serving import ServerHandle

from .conftest import run_python
from .server_helpers import (
    ERROR_CASES,
    IMAGES_BUCKET,
    NO_RETRIES,
    OUTPUT,
    OUTPUT_BUCKET,
    PROJECT,
    REGION,
    ErrorCase,
    boto3_client,
    client_options,
    dataset_source,
    expected_headers,
    model_arn,
    ready_project,
    seen_by_botocore,
    seen_in_process,
    training_objects,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@asynccontextmanager
async def aio_client(
    srv: ServerHandle, service: str = "lookoutvision", config: Config | None = None
) -> AsyncIterator[Any]:
    options = client_options(srv.endpoint_url, config)
    async with get_session().create_client(service, **options) as client:
        yield client


def test_from_s3_set_up_to_a_trained_model(srv: ServerHandle) -> None:
    images, manifest_key, manifest = training_objects()

    async def scenario() -> dict[str, Any]:
        async with aio_client(srv, "s3") as s3, aio_client(srv) as lv:
            project = await lv.create_project(ProjectName=PROJECT)
            assert project["ResponseMetadata"]["HTTPStatusCode"] == 200
            assert project["ProjectMetadata"]["ProjectName"] == PROJECT

            for bucket in (IMAGES_BUCKET, OUTPUT_BUCKET):
                await s3.create_bucket(Bucket=bucket)
            # Concurrent uploads: the server answers each connection on a thread of its own.
            await asyncio.gather(
                *(
                    s3.put_object(Bucket=IMAGES_BUCKET, Key=key, Body=body)
                    for key, body in [*images, (manifest_key, manifest)]
                )
            )
            listed = await s3.list_objects_v2(Bucket=IMAGES_BUCKET)
            assert listed["KeyCount"] == len(images) + 1

            dataset = await lv.create_dataset(
                ProjectName=PROJECT,
                DatasetType="train",
                DatasetSource=dataset_source(manifest_key),
            )
            assert dataset["ResponseMetadata"]["HTTPStatusCode"] == 202
            assert dataset["DatasetMetadata"]["Status"] == "CREATE_IN_PROGRESS"
            srv.dataset(PROJECT, "train").import_.finish()
            described = await lv.describe_dataset(ProjectName=PROJECT, DatasetType="train")
            assert described["DatasetDescription"]["Status"] == "CREATE_COMPLETE"
            assert described["DatasetDescription"]["ImageStats"]["Total"] == len(images)

            with_token = {"ProjectName": PROJECT, "OutputConfig": OUTPUT, "ClientToken": "mine-1"}
            first = await lv.create_model(**with_token)
            again = await lv.create_model(**with_token)
            second = await lv.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)
            for created in (first, again, second):
                assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
                assert created["ModelMetadata"]["Status"] == "TRAINING"
            assert again["ModelMetadata"] == first["ModelMetadata"]
            assert [m["ModelMetadata"]["ModelVersion"] for m in (first, second)] == ["1", "2"]
            assert first["ModelMetadata"]["ModelArn"] == model_arn("1")

            srv.model(PROJECT, "1").training.finish()
            trained = (await lv.describe_model(ProjectName=PROJECT, ModelVersion="1"))[
                "ModelDescription"
            ]
            assert trained["Status"] == "TRAINED"
            assert set(trained["Performance"]) == {"F1Score", "Precision", "Recall"}
            assert trained["CreationTimestamp"] == first["ModelMetadata"]["CreationTimestamp"]
            training = await lv.describe_model(ProjectName=PROJECT, ModelVersion="2")
            assert training["ModelDescription"]["Status"] == "TRAINING"
            return dict(trained)

    trained = asyncio.run(scenario())

    # The token given is the one sent, twice; without one, botocore's own (a UUID) went out.
    tokens = [c.parameters["ClientToken"] for c in srv.calls("CreateModel")]
    assert tokens[:2] == ["mine-1", "mine-1"]
    assert UUID.match(tokens[2])
    # Synchronous boto3 reads the same model from the same server.
    same = boto3_client(srv).describe_model(ProjectName=PROJECT, ModelVersion="1")
    assert same["ModelDescription"] == trained


def test_list_models_paginator_iterates_asynchronously(srv: ServerHandle) -> None:
    ready_project(srv)
    client = boto3_client(srv)
    for _ in range(5):
        version = client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)["ModelMetadata"][
            "ModelVersion"
        ]
        srv.model(PROJECT, version).training.finish()
    paging = {"ProjectName": PROJECT, "PaginationConfig": {"PageSize": 2}}

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with aio_client(srv) as lv:
            paginator = lv.get_paginator("list_models")
            pages = [page async for page in paginator.paginate(**paging)]
            full = await paginator.paginate(ProjectName=PROJECT).build_full_result()
            return pages, full

    pages, full = asyncio.run(scenario())

    assert [len(page["Models"]) for page in pages] == [2, 2, 1]
    assert all("NextToken" in page for page in pages[:-1])
    assert "NextToken" not in pages[-1]
    versions = [m["ModelVersion"] for page in pages for m in page["Models"]]
    assert sorted(versions, key=int) == ["1", "2", "3", "4", "5"]
    # Page for page what the synchronous paginator gets from the same server.
    sync_pages = list(client.get_paginator("list_models").paginate(**paging))
    assert [page["Models"] for page in pages] == [page["Models"] for page in sync_pages]
    assert full["Models"] == [m for page in pages for m in page["Models"]]


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.name for c in ERROR_CASES])
def test_aiobotocore_sees_each_error_as_boto3_does(
    lv_server: ServerHandle, case: ErrorCase
) -> None:
    in_process = seen_in_process(case)

    lv_server.reset()
    client = boto3_client(lv_server, config=NO_RETRIES)
    case.prepare(lv_server, client)
    with pytest.raises(ClientError) as sync_failure:
        getattr(client, case.operation)(**case.params)
    over_the_server = seen_by_botocore(sync_failure.value)

    lv_server.reset()
    case.prepare(lv_server, boto3_client(lv_server))

    async def call() -> ClientError:
        async with aio_client(lv_server, config=NO_RETRIES) as lv:
            with pytest.raises(ClientError) as failure:
                await getattr(lv, case.operation)(**case.params)
            # The modelled exception class of the client's own, as boto3's.
            assert type(failure.value) is getattr(lv.exceptions, case.code)
            return failure.value

    async_failure = asyncio.run(call())
    from_aiobotocore = seen_by_botocore(async_failure)

    lv_server.reset()
    case.prepare(lv_server, boto3_client(lv_server))
    on_the_wire = case.rest(lv_server)

    assert from_aiobotocore == over_the_server == in_process == on_the_wire
    assert type(async_failure).__name__ == type(sync_failure.value).__name__ == case.code
    assert str(async_failure) == str(sync_failure.value)
    assert (from_aiobotocore.code, from_aiobotocore.status) == (case.code, case.status)
    assert from_aiobotocore.members == case.members
    assert from_aiobotocore.headers == expected_headers(case)


def test_retries_of_an_injected_throttling_are_the_same_as_boto3s(
    srv: ServerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The back-off is recorded, not slept: botocore sleeps with time.sleep, aiobotocore awaits
    # asyncio.sleep (the server's threads sleep with neither).
    slept: list[float] = []

    async def record_async(delay: float, result: Any = None) -> Any:
        slept.append(delay)
        return result

    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(asyncio, "sleep", record_async)
    retrying = Config(retries={"mode": "standard", "total_max_attempts": 2})
    srv.inject_error("ListProjects", ThrottlingException("Rate exceeded"), times=1)
    synchronous = boto3_client(srv, config=retrying).list_projects()
    srv.inject_error("ListProjects", ThrottlingException("Rate exceeded"), times=1)

    async def call() -> dict[str, Any]:
        async with aio_client(srv, config=retrying) as lv:
            return dict(await lv.list_projects())

    asynchronous = asyncio.run(call())

    for answer in (synchronous, asynchronous):
        assert answer["ResponseMetadata"]["RetryAttempts"] == 1
        assert answer["Projects"] == []
    assert len(slept) == 2  # one back-off each
    assert all(0 <= delay <= 20 for delay in slept)
    assert [c.error for c in srv.calls("ListProjects")] == [
        "ThrottlingException",
        None,
        "ThrottlingException",
        None,
    ]


# In process, without a server ------------------------------------------------------------------


def test_aiobotocore_is_answered_in_process_by_the_mock() -> None:
    async def scenario() -> tuple[dict[str, Any], list[list[str]], dict[str, Any]]:
        session = get_session()  # created inside the mock, as a test would
        async with session.create_client("lookoutvision", region_name=REGION) as lv:
            created = dict(await lv.create_project(ProjectName=PROJECT))
            await lv.create_project(ProjectName="gaskets")
            pages = [
                [p["ProjectName"] for p in page["Projects"]]
                async for page in lv.get_paginator("list_projects").paginate(
                    PaginationConfig={"PageSize": 1}
                )
            ]
            try:
                await lv.describe_project(ProjectName="absent")
            except lv.exceptions.ResourceNotFoundException as missing:
                return created, pages, missing.response
        raise AssertionError("DescribeProject of a missing project succeeded")

    with mock_lookoutvision() as lv:
        created, pages, missing = asyncio.run(scenario())
        # Each call ran once: one journal entry per call, as for boto3.
        assert [c.operation for c in lv.calls()] == [
            "CreateProject",
            "CreateProject",
            "ListProjects",
            "ListProjects",
            "DescribeProject",
        ]
    assert created["ProjectMetadata"]["ProjectName"] == PROJECT
    assert pages == [[PROJECT], ["gaskets"]] or pages == [["gaskets"], [PROJECT]]
    assert missing["Error"]["Code"] == "ResourceNotFoundException"
    assert (missing["ResourceId"], missing["ResourceType"]) == ("absent", "PROJECT")
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_aiobotocore_in_process_under_moto_mock_aws_when_imported_first() -> None:
    # A fresh interpreter: in this one an earlier mock_lookoutvision() may have attached already.
    ran = run_python(
        """
        import asyncio
        from aiobotocore.session import get_session
        import mock_lookoutvision
        from moto import mock_aws

        async def scenario():
            async with get_session().create_client("lookoutvision", region_name="us-east-1") as lv:
                answer = await lv.create_project(ProjectName="widgets")
                return answer["ProjectMetadata"]["ProjectArn"]

        with mock_aws():
            print(asyncio.run(scenario()))
        """
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "arn:aws:lookoutvision:us-east-1:123456789012:project/widgets"
