"""What AWS's own client code does that the mock must meet: the body forms botocore and requests
send, the regions a session lists, and the connection error where the service never was."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from moto.core.models import DEFAULT_ACCOUNT_ID, botocore_stubber

from mock_lookoutvision import ControlError, LookoutVisionMock, UnknownResource, make_png, testing
from mock_lookoutvision.api_model import DATA_PATH
from mock_lookoutvision.endpoints import RegionNotOffered
from mock_lookoutvision.models import lookoutvision_backends

from .conftest import PROJECT, run_python

# DetectAnomalies: every body form botocore and requests accept --------------------------------

IMAGE = make_png(64, 64, shade=41)
DETECT_URL = (
    f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}/models/1/detect"
)


@pytest.fixture
def hosted(lookoutvision_mock: LookoutVisionMock) -> Any:
    assert testing.hosted_model(lookoutvision_mock, PROJECT) == "1"
    return boto3.client("lookoutvision", region_name="us-east-1")


def _detect(client: Any, body: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.detect_anomalies(
        ProjectName=PROJECT, ModelVersion="1", Body=body, ContentType="image/png"
    )["DetectAnomalyResult"]
    return result


def _sent_bodies(lv: LookoutVisionMock) -> list[Any]:
    return [call.parameters["Body"] for call in lv.calls("DetectAnomalies")]


def test_bytes_bytearray_and_file_objects_get_the_same_answer(
    hosted: Any, lookoutvision_mock: LookoutVisionMock, tmp_path: Path
) -> None:
    path = tmp_path / "part.png"
    path.write_bytes(IMAGE)
    expected = _detect(hosted, IMAGE)
    assert _detect(hosted, bytearray(IMAGE)) == expected
    assert _detect(hosted, io.BytesIO(IMAGE)) == expected
    with path.open("rb") as image_file:
        assert _detect(hosted, image_file) == expected
    # The service saw the same bytes each time, as bytes.
    assert _sent_bodies(lookoutvision_mock) == [IMAGE] * 4
    assert {type(body) for body in _sent_bodies(lookoutvision_mock)} == {bytes}


def test_a_file_is_sent_from_where_it_stands(
    hosted: Any, lookoutvision_mock: LookoutVisionMock, tmp_path: Path
) -> None:
    path = tmp_path / "with-header.bin"
    path.write_bytes(b"HEADER" + IMAGE)
    expected = _detect(hosted, IMAGE)
    with path.open("rb") as image_file:
        image_file.seek(len(b"HEADER"))
        assert _detect(hosted, image_file) == expected
    buffer = io.BytesIO(b"HEADER" + IMAGE)
    buffer.seek(len(b"HEADER"))
    assert _detect(hosted, buffer) == expected
    assert _sent_bodies(lookoutvision_mock) == [IMAGE] * 3


def test_a_file_read_from_its_start_is_refused_as_the_service_would(
    hosted: Any, lookoutvision_mock: LookoutVisionMock
) -> None:
    # Positive control for the test above: the header does reach the service when not skipped.
    with pytest.raises(hosted.exceptions.ValidationException) as raised:
        _detect(hosted, io.BytesIO(b"HEADER" + IMAGE))
    assert "not a valid PNG" in raised.value.response["Error"]["Message"]
    assert [call.error for call in lookoutvision_mock.calls("DetectAnomalies")] == [
        "ValidationException"
    ]


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


# moto 5.2.0 rebuilds a plain HTTP request as a werkzeug request before any service sees it, and
# can't read a generator's body there; later moto hands the request on as it is.
_MOTO_KEEPS_REQUESTS = hasattr(botocore_stubber, "process_prepared_request")


@pytest.mark.parametrize(
    "make_body",
    [
        bytes,
        bytearray,
        io.BytesIO,
        pytest.param(
            lambda image: _chunks(image, 10),
            marks=pytest.mark.skipif(
                not _MOTO_KEEPS_REQUESTS, reason="this moto can't read a generator body"
            ),
        ),
    ],
    ids=["bytes", "bytearray", "BytesIO", "generator"],
)
def test_plain_http_bodies_of_every_form_get_the_same_answer(
    hosted: Any, lookoutvision_mock: LookoutVisionMock, make_body: Any
) -> None:
    expected = _detect(hosted, IMAGE)
    response = requests.post(
        DETECT_URL, data=make_body(IMAGE), headers={"Content-Type": "image/png"}, timeout=5
    )
    assert response.status_code == 200
    assert response.json() == {"DetectAnomalyResult": expected}
    assert _sent_bodies(lookoutvision_mock) == [IMAGE, IMAGE]


def test_a_body_no_http_client_could_send_fails_before_the_service(
    hosted: Any, lookoutvision_mock: LookoutVisionMock
) -> None:
    # This package's refusal, or (moto 5.2.0) werkzeug's, which reads the body first.
    with pytest.raises(TypeError, match=r"a request body can't be a int|not 'int'"):
        requests.post(DETECT_URL, data=123, headers={"Content-Type": "image/png"}, timeout=5)
    assert lookoutvision_mock.calls("DetectAnomalies") == []


# get_available_regions -------------------------------------------------------------------------

# The seven regions, as botocore lists a service's endpoints: in name order.
OFFERED = [
    "ap-northeast-1",
    "ap-northeast-2",
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "us-east-2",
    "us-west-2",
]


def test_a_session_lists_the_regions_the_service_was_offered_in() -> None:
    session = boto3.Session()
    assert session.get_available_regions("lookoutvision") == OFFERED
    assert session.get_available_regions("lookoutvision", partition_name="aws-cn") == []
    assert session.get_available_regions("lookoutvision", partition_name="aws-us-gov") == []


def test_the_aws_example_loop_over_regions_finds_a_project_where_it_was_made(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    boto3.client("lookoutvision", region_name="eu-west-1").create_project(ProjectName=PROJECT)
    session = boto3.Session()
    found = []
    for region in session.get_available_regions("lookoutvision"):
        client = session.client("lookoutvision", region_name=region)
        names = [p["ProjectName"] for p in client.list_projects()["Projects"]]
        if PROJECT in names:
            found.append(region)
    assert found == ["eu-west-1"]
    assert session.get_available_regions("lookoutvision", partition_name="aws-cn") == []


def test_no_other_service_and_no_other_partition_changes() -> None:
    session = botocore.session.Session()
    assert session.get_available_regions("lookoutvision") == OFFERED
    resolver = session._get_internal_component("endpoint_resolver")
    listed = resolver._endpoint_data
    # botocore's own file, freshly read: the only difference is the one entry.
    pristine = botocore.loaders.create_loader().load_data("endpoints")
    aws = next(p for p in listed["partitions"] if p["partition"] == "aws")
    assert aws["services"].pop("lookoutvision") == {"endpoints": {r: {} for r in OFFERED}}
    assert listed == pristine
    # Still botocore's own file: an endpoints.json of another origin would change how every
    # client resolves its endpoint.
    assert resolver.uses_builtin_data


def test_a_botocore_that_lists_the_service_itself_keeps_its_own_list() -> None:
    session = botocore.session.Session()
    data = session._get_internal_component("endpoint_resolver")._endpoint_data
    aws = next(p for p in data["partitions"] if p["partition"] == "aws")
    aws["services"]["lookoutvision"] = {"endpoints": {"us-east-1": {}}}
    assert session.get_available_regions("lookoutvision") == ["us-east-1"]


def test_the_data_folder_does_not_shadow_botocores_endpoint_data() -> None:
    # Any botocore loading the folder (the AWS CLI's through AWS_DATA_PATH too) keeps its own.
    assert not (DATA_PATH / "endpoints.json").exists()
    loader = botocore.session.Session().get_component("data_loader")
    assert str(DATA_PATH) in loader.search_paths
    _, path = loader.load_data_with_path("endpoints")
    assert loader.is_builtin_path(path)


def test_the_default_session_made_before_the_import_lists_the_regions_too() -> None:
    result = run_python(
        """
        import boto3
        boto3.setup_default_session(region_name="us-east-1")
        before = boto3.DEFAULT_SESSION
        import mock_lookoutvision
        assert boto3.DEFAULT_SESSION is before
        print(boto3.DEFAULT_SESSION.get_available_regions("lookoutvision"))
        print(boto3.Session().get_available_regions("lookoutvision"))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(OFFERED), str(OFFERED)]


# A region where the service never was ---------------------------------------------------------

# One attempt: botocore retries connection errors, sleeping for real between attempts.
# (``max_attempts`` counts retries: 1 would still retry once, after a real back-off sleep.)
ONCE = Config(retries={"total_max_attempts": 1, "mode": "standard"})
NOWHERE = "sa-east-1"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The sleeps botocore asks for (its retry back-off), recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(time, "sleep", asked.append)
    return asked


def _no_backend_in(region: str) -> bool:
    return all(region not in dict(regions) for regions in dict(lookoutvision_backends).values())


def test_a_client_in_a_region_without_the_service_cannot_connect(
    lookoutvision_mock: LookoutVisionMock, sleeps: list[float]
) -> None:
    client = boto3.client("lookoutvision", region_name=NOWHERE, config=ONCE)
    with pytest.raises(EndpointConnectionError) as raised:
        client.list_projects()
    assert str(raised.value) == (
        'Could not connect to the endpoint URL: "https://lookoutvision.sa-east-1.amazonaws.com'
        '/2020-11-20/projects"'
    )
    assert type(raised.value) is EndpointConnectionError
    reason = raised.value.__cause__
    assert isinstance(reason, RegionNotOffered)
    assert reason.region == NOWHERE
    assert "not offered in sa-east-1" in str(reason)
    assert sleeps == []  # so, unrecorded, it takes no real time
    assert lookoutvision_mock.calls() == []
    assert _no_backend_in(NOWHERE)


def test_botocore_retries_it_as_a_connection_error(
    lookoutvision_mock: LookoutVisionMock, sleeps: list[float]
) -> None:
    config = Config(retries={"total_max_attempts": 3, "mode": "standard"})
    client = boto3.client("lookoutvision", region_name=NOWHERE, config=config)
    with pytest.raises(EndpointConnectionError):
        client.create_project(ProjectName=PROJECT)
    assert len(sleeps) == 2  # three attempts, a back-off before each retry
    assert lookoutvision_mock.calls() == []
    assert _no_backend_in(NOWHERE)


def test_plain_http_in_a_region_without_the_service_cannot_connect(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    # Positive control: the same request where the service was is answered.
    offered = "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
    assert requests.get(offered, timeout=5).json() == {"Projects": []}
    for path in ("/2020-11-20/projects", "/2020-11-20/nothing-here"):
        url = f"https://lookoutvision.{NOWHERE}.amazonaws.com{path}"
        with pytest.raises(requests.exceptions.ConnectionError) as raised:
            requests.get(url, timeout=5)
        assert type(raised.value) is requests.exceptions.ConnectionError
        assert str(raised.value).startswith(
            f"Failed to resolve 'lookoutvision.{NOWHERE}.amazonaws.com' for {url} "
            "(Amazon Lookout for Vision was not offered in sa-east-1;"
        )
        assert isinstance(raised.value.__cause__, RegionNotOffered)
    assert [call.operation for call in lookoutvision_mock.calls()] == ["ListProjects"]
    assert _no_backend_in(NOWHERE)


def test_moto_allow_nonexistent_region_still_lets_other_regions_work(
    lookoutvision_mock: LookoutVisionMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    client = boto3.client("lookoutvision", region_name=NOWHERE, config=ONCE)
    client.create_project(ProjectName=PROJECT)
    url = f"https://lookoutvision.{NOWHERE}.amazonaws.com/2020-11-20/projects"
    assert [p["ProjectName"] for p in requests.get(url, timeout=5).json()["Projects"]] == [PROJECT]
    # The handle acts there too: the model is looked for, not the region refused.
    with pytest.raises(UnknownResource, match="region sa-east-1"):
        lookoutvision_mock.scoped(region_name=NOWHERE).model(PROJECT, "1")
    assert NOWHERE in lookoutvision_backends[DEFAULT_ACCOUNT_ID]


def test_the_handle_refuses_such_a_region_with_a_control_error(
    lookoutvision_mock: LookoutVisionMock,
) -> None:
    with pytest.raises(ControlError) as raised:
        lookoutvision_mock.scoped(region_name=NOWHERE).model(PROJECT, "1")
    assert str(raised.value) == (
        "Amazon Lookout for Vision was not offered in sa-east-1; it was in us-east-1, us-east-2, "
        "us-west-2, eu-central-1, eu-west-1, ap-northeast-1, ap-northeast-2. Set "
        "MOTO_ALLOW_NONEXISTENT_REGION=true to use other regions anyway."
    )
    assert _no_backend_in(NOWHERE)
