"""Segmentation models: masks in the manifest make one; it needs what the guide says, and its
DetectAnomalies answers carry anomaly labels and a mask that agree with each other."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections import Counter
from typing import Any

import boto3
import pytest

from mock_lookoutvision import make_png
from mock_lookoutvision.testing import manifest_text

from .conftest import IMAGES_BUCKET, PROJECT, create_dataset_from, create_model

COLORS = {"scratch": "#2ca02c", "dent": "#1f77b4"}
BACKGROUND = {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.0}


def _color_of(name: str) -> str:
    """A color of its own for each other label."""
    return "#" + hashlib.sha256(name.encode()).hexdigest()[:6]


def _line(label: str, number: int, anomaly_labels: list[str] | None) -> dict[str, Any]:
    key = f"images/{label}-{number}.png"
    line: dict[str, Any] = {
        "source-ref": f"s3://{IMAGES_BUCKET}/{key}",
        "anomaly-label": int(label != "normal"),
        "anomaly-label-metadata": {
            "class-name": "normal" if label == "normal" else "anomaly",
            "type": "groundtruth/image-classification",
            "human-annotated": "yes",
        },
    }
    if anomaly_labels is not None:
        color_map = {"0": BACKGROUND}
        for index, name in enumerate(anomaly_labels, start=1):
            color_map[str(index)] = {
                "class-name": name,
                "hex-color": COLORS.get(name) or _color_of(name),
                "confidence": 0.0,
            }
        line["anomaly-mask-ref"] = f"s3://{IMAGES_BUCKET}/masks/{label}-{number}.png"
        line["anomaly-mask-ref-metadata"] = {
            "internal-color-map": color_map,
            "type": "groundtruth/semantic-segmentation",
            "human-annotated": "yes",
        }
    return line


def segmentation_manifest(per_label: int = 20, normal: int = 20) -> list[dict[str, Any]]:
    """Normal images, and ``per_label`` anomalous images with a mask of each label."""
    lines = [_line("normal", n, None) for n in range(normal)]
    for name in COLORS:
        lines += [_line(name, n, [name]) for n in range(per_label)]
    return lines


def _upload(lines: list[dict[str, Any]], mask: bytes = make_png(64, 64)) -> str:
    s3 = boto3.client("s3", region_name="us-east-1")
    for number, line in enumerate(lines):
        image_key = line["source-ref"].removeprefix(f"s3://{IMAGES_BUCKET}/")
        s3.put_object(Bucket=IMAGES_BUCKET, Key=image_key, Body=make_png(shade=number))
        if "anomaly-mask-ref" in line:
            mask_key = line["anomaly-mask-ref"].removeprefix(f"s3://{IMAGES_BUCKET}/")
            s3.put_object(Bucket=IMAGES_BUCKET, Key=mask_key, Body=mask)
    return manifest_text(lines)


def _dataset(client: Any, lv: Any, manifest: str, dataset_type: str = "train") -> dict[str, Any]:
    """The dataset once its import (a simulated minute) is over."""
    create_dataset_from(client, dataset_type, manifest)
    lv.advance(60)
    description: dict[str, Any] = client.describe_dataset(
        ProjectName=PROJECT, DatasetType=dataset_type
    )["DatasetDescription"]
    return description


def _train(client: Any, lv: Any) -> dict[str, Any]:
    create_model(client)
    lv.advance(3600)
    description: dict[str, Any] = client.describe_model(ProjectName=PROJECT, ModelVersion="1")[
        "ModelDescription"
    ]
    return description


def _decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and every pixel's color of a palette PNG (8 bits, no row filters)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks[kind] = chunks.get(kind, b"") + data[position + 8 : position + 8 + length]
        position += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color_type) == (8, 3)
    palette = [tuple(chunks[b"PLTE"][i : i + 3]) for i in range(0, len(chunks[b"PLTE"]), 3)]
    raw = zlib.decompress(chunks[b"IDAT"])
    pixels = []
    for row in range(height):
        start = row * (width + 1)
        assert raw[start] == 0
        pixels += [palette[index] for index in raw[start + 1 : start + 1 + width]]
    return width, height, pixels  # type: ignore[return-value]


def _rgb(color: str) -> tuple[int, int, int]:
    value = int(color[1:], 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def test_masks_make_a_segmentation_model(bare: Any, lookoutvision_mock: Any) -> None:
    _dataset(bare, lookoutvision_mock, _upload(segmentation_manifest()))
    model = _train(bare, lookoutvision_mock)
    assert model["Status"] == "TRAINED", model["StatusMessage"]
    # "The Performance field doesn't include the anomaly label performance metrics."
    assert set(model["Performance"]) == {"F1Score", "Precision", "Recall"}
    location = model["EvaluationResult"]
    result = json.loads(
        boto3.client("s3", region_name="us-east-1")
        .get_object(Bucket=location["Bucket"], Key=location["Key"])["Body"]
        .read()
    )
    per_label = result["AggregatedEvaluationResults"]["Metrics"]["PixelAnomalyClassMetrics"]
    assert {m["ClassName"] for m in per_label} == set(COLORS)
    for metrics in per_label:
        assert set(metrics) == {"Precision", "Recall", "F1Score", "AIOU", "ClassName"}
        assert all(0 <= metrics[k] <= 1 for k in ("Precision", "Recall", "F1Score", "AIOU"))


@pytest.fixture
def hosted_segmentation(bare: Any, lookoutvision_mock: Any) -> Any:
    _dataset(bare, lookoutvision_mock, _upload(segmentation_manifest()))
    assert _train(bare, lookoutvision_mock)["Status"] == "TRAINED"
    bare.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    lookoutvision_mock.model(PROJECT, "1").hosting_start.finish()
    return bare


def _detect(client: Any, image: bytes) -> dict[str, Any]:
    result: dict[str, Any] = client.detect_anomalies(
        ProjectName=PROJECT, ModelVersion="1", Body=image, ContentType="image/png"
    )["DetectAnomalyResult"]
    return result


def test_detection_reports_anomaly_labels_and_a_mask_that_agree(hosted_segmentation: Any) -> None:
    results = [_detect(hosted_segmentation, make_png(shade=200 + n)) for n in range(12)]
    assert {r["IsAnomalous"] for r in results} == {True, False}
    for result in results:
        anomalies = result["Anomalies"]
        # The first is always the background, which the service adds itself.
        assert (anomalies[0]["Name"], anomalies[0]["PixelAnomaly"]["Color"]) == (
            "background",
            "#FFFFFF",
        )
        names = [a["Name"] for a in anomalies[1:]]
        assert set(names) <= set(COLORS)
        assert bool(names) == result["IsAnomalous"]
        for anomaly in anomalies[1:]:
            assert anomaly["PixelAnomaly"]["Color"] == COLORS[anomaly["Name"]].upper()
        width, height, pixels = _decode_png(result["AnomalyMask"])
        assert (width, height) == (64, 64)
        painted = Counter(pixels)
        for anomaly in anomalies:
            area = painted[_rgb(anomaly["PixelAnomaly"]["Color"])] / (width * height)
            assert area == pytest.approx(anomaly["PixelAnomaly"]["TotalPercentageArea"], abs=1e-6)
        reported = {_rgb(a["PixelAnomaly"]["Color"]) for a in anomalies}
        assert set(painted) == reported  # every color painted is reported, and only those
        areas = [a["PixelAnomaly"]["TotalPercentageArea"] for a in anomalies]
        assert sum(areas) == pytest.approx(1.0, abs=1e-5)
    # The same image, the same answer.
    assert _detect(hosted_segmentation, make_png(shade=200)) == results[0]


def test_a_classification_model_has_no_segmentation_fields(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    lookoutvision_client.start_model(ProjectName=PROJECT, ModelVersion="1", MinInferenceUnits=1)
    lookoutvision_mock.model(PROJECT, "1").hosting_start.finish()
    result = _detect(lookoutvision_client, make_png(shade=5))
    assert set(result) == {"Source", "IsAnomalous", "Confidence"}


def _unmasked(lines: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    del lines[index]["anomaly-mask-ref"], lines[index]["anomaly-mask-ref-metadata"]
    return lines


@pytest.mark.parametrize(
    ("lines", "mask", "message"),
    [
        (
            _unmasked(segmentation_manifest(), 25),
            make_png(64, 64),
            "images/scratch-5.png in the dataset has no anomaly label in a mask",
        ),
        (
            segmentation_manifest(per_label=19),
            make_png(64, 64),
            "at least 20 images with only the anomaly label scratch in the dataset; it has 19",
        ),
        (segmentation_manifest(), make_png(96, 96), "is 96x96 pixels; its image"),
        (segmentation_manifest(), b"\xff\xd8\xff\xd9", "is not a PNG image"),
    ],
    ids=["unmasked-anomaly", "too-few-per-label", "mask-size", "mask-not-png"],
)
def test_what_a_segmentation_model_needs(
    bare: Any, lookoutvision_mock: Any, lines: list[dict[str, Any]], mask: bytes, message: str
) -> None:
    _dataset(bare, lookoutvision_mock, _upload(lines, mask))
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert message in failed["StatusMessage"]


def test_images_with_two_labels_do_not_count_towards_the_minimum(
    bare: Any, lookoutvision_mock: Any
) -> None:
    lines = segmentation_manifest(per_label=19)
    lines += [_line("both", n, ["scratch", "dent"]) for n in range(5)]
    _dataset(bare, lookoutvision_mock, _upload(lines))
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert "it has 19" in failed["StatusMessage"]


def test_a_missing_mask_fails_the_training(bare: Any, lookoutvision_mock: Any) -> None:
    manifest = _upload(segmentation_manifest())
    boto3.client("s3", region_name="us-east-1").delete_object(
        Bucket=IMAGES_BUCKET, Key="masks/dent-0.png"
    )
    _dataset(bare, lookoutvision_mock, manifest)
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert "The mask s3://lv-images/masks/dent-0.png can't be read" in failed["StatusMessage"]


def _with_color_map(color_map: Any) -> str:
    line = _line("dent", 0, ["dent"])
    line["anomaly-mask-ref-metadata"]["internal-color-map"] = color_map
    return json.dumps(line)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            # With no BACKGROUND entry (lines exported from a project have none), white is still
            # the mask's background: no label may have it.
            _with_color_map({"0": {"class-name": "dent", "hex-color": "#ffffff"}}),
            "gives dent the color #ffffff of a mask's background",
        ),
        (
            _with_color_map({"0": BACKGROUND, "1": {"class-name": "dent", "hex-color": "red"}}),
            "no #rrggbb hex-color",
        ),
        (
            _with_color_map(
                {
                    "0": BACKGROUND,
                    **{
                        str(n): {"class-name": f"a{n}", "hex-color": f"#0101{n:02x}"}
                        for n in range(1, 22)
                    },
                }
            ),
            "has 21 anomaly labels; a mask may have 20",
        ),
        (
            json.dumps(
                {
                    **_line("dent", 0, None),
                    "mask-ref-metadata": {"type": "groundtruth/semantic-segmentation"},
                }
            ),
            "without an s3:// mask location",
        ),
        (
            _with_color_map({"0": {**BACKGROUND, "hex-color": "#000000"}}),
            "doesn't give BACKGROUND the color #ffffff",
        ),
        (
            _with_color_map(
                {
                    "0": BACKGROUND,
                    "1": {"class-name": "dent", "hex-color": "#123456"},
                    "2": {"class-name": "crack", "hex-color": "#123456"},
                }
            ),
            "gives the color #123456 of another entry to crack",
        ),
        (
            _with_color_map({"0": BACKGROUND, "1": {"class-name": "dent", "hex-color": "#FFFFFF"}}),
            "gives the color #FFFFFF of another entry to dent",
        ),
    ],
    ids=[
        "white-label-without-background",
        "bad-color",
        "21-labels",
        "no-mask-ref",
        "background-not-white",
        "shared-color",
        "label-white",
    ],
)
def test_a_bad_segmentation_line_fails_the_dataset(
    bare: Any, lookoutvision_mock: Any, line: str, message: str
) -> None:
    description = _dataset(bare, lookoutvision_mock, line)
    assert description["Status"] == "CREATE_FAILED"
    assert message in description["StatusMessage"]
    assert description["ImageStats"]["Total"] == 0


def test_a_project_has_at_most_100_anomaly_labels(bare: Any, lookoutvision_mock: Any) -> None:
    lines = segmentation_manifest() + [_line(f"kind{n}", 0, [f"kind{n}"]) for n in range(99)]
    _dataset(bare, lookoutvision_mock, "\n".join(json.dumps(line) for line in lines))
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert failed["StatusMessage"] == "The project has 101 anomaly labels; the most is 100."


def test_a_segmentation_test_dataset_has_at_most_800_images(
    bare: Any, lookoutvision_mock: Any
) -> None:
    train = segmentation_manifest(per_label=10, normal=10)
    test = [_line("normal", 100 + n, None) for n in range(761)] + segmentation_manifest(10, 20)
    _dataset(bare, lookoutvision_mock, "\n".join(json.dumps(line) for line in train))
    _dataset(bare, lookoutvision_mock, "\n".join(json.dumps(line) for line in test), "test")
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert failed["StatusMessage"] == (
        "A segmentation model can have at most 800 test images; it has 801."
    )


def test_two_labels_may_not_share_a_mask_color(bare: Any, lookoutvision_mock: Any) -> None:
    lines = segmentation_manifest()
    for line in lines:
        if "anomaly-mask-ref-metadata" in line:
            line["anomaly-mask-ref-metadata"]["internal-color-map"]["1"]["hex-color"] = "#123456"
    _dataset(bare, lookoutvision_mock, _upload(lines))
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert failed["StatusMessage"] == (
        "The anomaly labels scratch and dent have the same mask color #123456."
    )


def test_each_dataset_needs_10_images_of_every_label(bare: Any, lookoutvision_mock: Any) -> None:
    train = segmentation_manifest(per_label=10, normal=10)
    # The test dataset brings a label the training dataset lacks, on one image.
    test = [*segmentation_manifest(per_label=10, normal=10), _line("hole", 0, ["hole"])]
    _dataset(bare, lookoutvision_mock, _upload(train))
    _dataset(bare, lookoutvision_mock, _upload(test), "test")
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert (
        "10 images with only the anomaly label hole in the training dataset; it has 0"
        in (failed["StatusMessage"])
    )


def test_normal_images_with_masks_do_not_count(bare: Any, lookoutvision_mock: Any) -> None:
    lines = segmentation_manifest(per_label=19)
    lines += [_line("normal", 100 + n, ["scratch"]) for n in range(5)]
    _dataset(bare, lookoutvision_mock, _upload(lines))
    failed = _train(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert "the anomaly label scratch in the dataset; it has 19" in failed["StatusMessage"]
