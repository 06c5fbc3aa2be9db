"""What AWS's own client code does that the mock must meet: the body forms botocore and requests
send."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from mock_lookoutvision import LookoutVisionMock, make_png, testing

from .conftest import PROJECT

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


@pytest.mark.parametrize(
    "make_body",
    [bytes, bytearray, io.BytesIO, lambda image: _chunks(image, 10)],
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
    with pytest.raises(TypeError, match="a request body can't be a int"):
        requests.post(DETECT_URL, data=123, headers={"Content-Type": "image/png"}, timeout=5)
    assert lookoutvision_mock.calls("DetectAnomalies") == []
