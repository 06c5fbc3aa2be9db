"""DetectAnomalies: only on a hosted model, only for real PNG or JPEG images, deterministic."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests

from mock_lookoutvision import Anomaly, make_png
from mock_lookoutvision.testing import make_jpeg

from .conftest import PROJECT, create_model


def png(width: int = 64, height: int = 64, seed: int = 0) -> bytes:
    """A real PNG; 64x64 is the size of the images the models here are trained on."""
    return make_png(width, height, shade=seed)


def jpeg(width: int = 64, height: int = 64) -> bytes:
    """A real JPEG: one that is only a header doesn't decode, and is refused."""
    return make_jpeg(width, height)


@pytest.fixture
def hosted(lookoutvision_client: Any, lookoutvision_mock: Any, project: str) -> Any:
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    lookoutvision_client.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    lookoutvision_mock.model(PROJECT, "1").hosting_start.finish()
    return lookoutvision_client


def _detect(client: Any, body: bytes, content_type: str = "image/png") -> dict[str, Any]:
    result: dict[str, Any] = client.detect_anomalies(
        ProjectName=PROJECT, ModelVersion="1", Body=body, ContentType=content_type
    )["DetectAnomalyResult"]
    return result


def expected_result(body: bytes) -> dict[str, Any]:
    """What a classification model answers for ``body`` when no test has set its result: the
    SHA-256 of the image bytes decides it. An odd first byte is anomalous; the second byte maps
    0..255 onto a confidence of 0.5..1.0, rounded to four places."""
    digest = hashlib.sha256(body).digest()
    return {
        "Source": {"Type": "direct"},
        "IsAnomalous": digest[0] % 2 == 1,
        "Confidence": round(0.5 + digest[1] / 255 * 0.5, 4),
    }


def test_results_are_deterministic_per_image(hosted: Any) -> None:
    first = _detect(hosted, png(seed=1))
    assert first == expected_result(png(seed=1))
    assert _detect(hosted, png(seed=1)) == first
    results = [_detect(hosted, png(seed=s)) for s in range(12)]
    assert results == [expected_result(png(seed=s)) for s in range(12)]
    # The images differ, and so do the answers: both kinds occur.
    assert {r["IsAnomalous"] for r in results} == {True, False}
    assert len({r["Confidence"] for r in results}) > 1


def test_jpeg_images_are_accepted(hosted: Any) -> None:
    assert _detect(hosted, jpeg(), "image/jpeg") == expected_result(jpeg())


def test_a_test_can_set_the_result_for_an_image(hosted: Any, lookoutvision_mock: Any) -> None:
    image = png(seed=7)
    mask = png(seed=99)
    lookoutvision_mock.set_detection_result(
        image,
        is_anomalous=True,
        confidence=0.97,
        anomalies=[Anomaly("background", 91.5, "#ffffff"), Anomaly("scratch", 8.5, "#ff0000")],
        anomaly_mask=mask,
    )
    result = _detect(hosted, image)
    assert (result["IsAnomalous"], result["Confidence"]) == (True, 0.97)
    assert [a["Name"] for a in result["Anomalies"]] == ["background", "scratch"]
    assert result["Anomalies"][1]["PixelAnomaly"] == {
        "TotalPercentageArea": 8.5,
        "Color": "#ff0000",
    }
    assert result["AnomalyMask"] == mask


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (png(), "image/gif", "not supported"),
        (jpeg(), "image/png", "not a valid PNG"),
        (png(), "image/jpeg", "not a valid JPEG"),
        (b"plain text", "image/png", "not a valid PNG"),
        (png(32, 200), "image/png", "32x200"),
        (png(5000, 64), "image/png", "5000x64"),
    ],
    ids=["gif", "jpeg-as-png", "png-as-jpeg", "text", "too-narrow", "too-wide"],
)
def test_bodies_that_are_not_acceptable_images_are_refused(
    hosted: Any, body: bytes, content_type: str, message: str
) -> None:
    with pytest.raises(hosted.exceptions.ValidationException) as excinfo:
        _detect(hosted, body, content_type)
    assert message in excinfo.value.response["Error"]["Message"]


@pytest.mark.parametrize("body", [png(128, 96), png(64, 65), jpeg(200, 100)])
def test_an_image_must_have_the_training_images_dimensions(hosted: Any, body: bytes) -> None:
    kind = "image/png" if body.startswith(b"\x89PNG") else "image/jpeg"
    with pytest.raises(hosted.exceptions.ValidationException) as excinfo:
        _detect(hosted, body, kind)
    assert "trained on images of 64x64" in excinfo.value.response["Error"]["Message"]
    assert _detect(hosted, png(64, 64))["Source"] == {"Type": "direct"}


def test_only_a_hosted_model_answers(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        _detect(lookoutvision_client, png())
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    with pytest.raises(lookoutvision_client.exceptions.ConflictException):
        _detect(lookoutvision_client, png())
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        lookoutvision_client.detect_anomalies(
            ProjectName=PROJECT, ModelVersion="2", Body=png(), ContentType="image/png"
        )


def test_raw_http_sends_the_image_as_the_body(hosted: Any) -> None:
    url = f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects/{PROJECT}/models/1/detect"
    response = requests.post(
        url, data=png(seed=3), headers={"Content-Type": "image/png"}, timeout=5
    )
    assert response.status_code == 200
    assert response.json()["DetectAnomalyResult"] == _detect(hosted, png(seed=3))
