"""Helpers for users' tests: real images, labeled manifests in moto's S3, and projects, trained and
hosted models in one call.

Everything here goes through the public API, as a test would: boto3 clients answered by the active
mock, and its handle to end steps at once. Use them inside a ``mock_lookoutvision`` (or with the
``lookoutvision_mock`` fixture)::

    from mock_lookoutvision.testing import hosted_model

    def test_detection(lookoutvision_mock, lookoutvision_client):
        version = hosted_model(lookoutvision_mock, "boards")
        ...
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import boto3
from PIL import Image

from .handle import Scope

DEFAULT_PROJECT = "widgets"
IMAGES_BUCKET = "lv-images"
OUTPUT_BUCKET = "lv-results"
OUTPUT_PREFIX = "training/"
# A mask's BACKGROUND is always white (manifest-file-segmentation.md); labels get these in turn.
MASK_COLORS = ("#ff0000", "#00ff00", "#0000ff", "#ffff00", "#ff00ff", "#00ffff")


def make_png(width: int = 64, height: int = 64, *, shade: int = 128) -> bytes:
    """A real grey PNG of ``width`` x ``height`` pixels; ``shade`` (0-255) makes distinct images."""
    return _image(width, height, shade, "PNG")


def make_jpeg(width: int = 64, height: int = 64, *, shade: int = 128) -> bytes:
    """A real grey JPEG of ``width`` x ``height`` pixels; ``shade`` (0-255) makes distinct ones."""
    return _image(width, height, shade, "JPEG")


def _image(width: int, height: int, shade: int, image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), shade % 256).save(buffer, format=image_format)
    return buffer.getvalue()


def make_mask(width: int, height: int, color: str) -> bytes:
    """A segmentation mask: the top half painted ``color`` (``#rrggbb``), the rest background."""
    mask = Image.new("RGB", (width, height), "#ffffff")
    mask.paste(color, (0, 0, width, max(1, height // 2)))
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return buffer.getvalue()


def ensure_bucket(bucket: str, region_name: str) -> None:
    """Creates ``bucket`` in moto's S3, in ``region_name``, unless it is there."""
    s3 = boto3.client("s3", region_name=region_name)
    if any(b["Name"] == bucket for b in s3.list_buckets()["Buckets"]):
        return
    if region_name == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region_name}
        )


def put_manifest(
    lines: Sequence[dict[str, Any]], *, bucket: str, key: str, region_name: str = "us-east-1"
) -> dict[str, Any]:
    """Writes manifest ``lines`` to ``s3://bucket/key``; the DatasetSource that names it."""
    ensure_bucket(bucket, region_name)
    body = manifest_text(lines)
    boto3.client("s3", region_name=region_name).put_object(Bucket=bucket, Key=key, Body=body)
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Key": key}}}


def labeled_lines(
    normal: int = 20,
    anomaly: int = 10,
    *,
    bucket: str = IMAGES_BUCKET,
    folder: str = "images",
    size: tuple[int, int] = (64, 64),
    image_format: str = "png",
    region_name: str = "us-east-1",
    upload: bool = True,
) -> list[dict[str, Any]]:
    """Manifest lines of labeled images (``<folder>/normal-<n>.png``, ``<folder>/anomaly-<n>.png``),
    each a distinct real image put into moto's S3 (unless ``upload`` is false)."""
    make = make_jpeg if image_format == "jpeg" else make_png
    # Made only to upload: a client outside a mock would look for credentials on the network.
    s3 = boto3.client("s3", region_name=region_name) if upload else None
    if upload:
        ensure_bucket(bucket, region_name)
    lines = []
    for label, count in (("normal", normal), ("anomaly", anomaly)):
        for number in range(count):
            image_key = f"{folder}/{label}-{number}.{image_format}"
            if s3 is not None:
                s3.put_object(Bucket=bucket, Key=image_key, Body=make(*size, shade=number))
            lines.append(_classified(bucket, image_key, label))
    return lines


def manifest_text(lines: Sequence[dict[str, Any]]) -> str:
    """Manifest lines as JSON Lines: a manifest file's text, or UpdateDatasetEntries' Changes."""
    return "".join(json.dumps(line) + "\n" for line in lines)


def labeled_manifest(
    normal: int = 20,
    anomaly: int = 10,
    *,
    bucket: str = IMAGES_BUCKET,
    key: str = "train.manifest",
    folder: str = "images",
    size: tuple[int, int] = (64, 64),
    image_format: str = "png",
    region_name: str = "us-east-1",
) -> dict[str, Any]:
    """A classification manifest of labeled images, written with the images to moto's S3 (by
    default 20 normal and 10 anomalous: the least a single dataset trains on); its DatasetSource.
    """
    lines = labeled_lines(
        normal,
        anomaly,
        bucket=bucket,
        folder=folder,
        size=size,
        image_format=image_format,
        region_name=region_name,
    )
    return put_manifest(lines, bucket=bucket, key=key, region_name=region_name)


def segmentation_manifest(
    *,
    labels: Sequence[str] = ("scratch",),
    per_label: int = 20,
    normal: int = 20,
    bucket: str = IMAGES_BUCKET,
    key: str = "train.manifest",
    folder: str = "images",
    size: tuple[int, int] = (64, 64),
    region_name: str = "us-east-1",
) -> dict[str, Any]:
    """A segmentation manifest: ``normal`` normal images and, per anomaly label, ``per_label``
    anomalous images whose mask paints that label; written with images and masks to moto's S3."""
    if len(labels) > len(MASK_COLORS):
        raise ValueError(f"at most {len(MASK_COLORS)} labels, each with a color of its own")
    ensure_bucket(bucket, region_name)
    s3 = boto3.client("s3", region_name=region_name)
    lines = []
    for number in range(normal):
        image_key = f"{folder}/normal-{number}.png"
        s3.put_object(Bucket=bucket, Key=image_key, Body=make_png(*size, shade=number))
        lines.append(_classified(bucket, image_key, "normal"))
    for label, color in zip(labels, MASK_COLORS, strict=False):
        for number in range(per_label):
            image_key = f"{folder}/{label}-{number}.png"
            mask_key = f"{folder}/{label}-{number}-mask.png"
            s3.put_object(Bucket=bucket, Key=image_key, Body=make_png(*size, shade=100 + number))
            s3.put_object(Bucket=bucket, Key=mask_key, Body=make_mask(*size, color))
            line = _classified(bucket, image_key, "anomaly")
            line["anomaly-mask-ref"] = f"s3://{bucket}/{mask_key}"
            line["anomaly-mask-ref-metadata"] = {
                "internal-color-map": {
                    "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff"},
                    "1": {"class-name": label, "hex-color": color},
                },
                "type": "groundtruth/semantic-segmentation",
            }
            lines.append(line)
    return put_manifest(lines, bucket=bucket, key=key, region_name=region_name)


def _classified(bucket: str, image_key: str, label: str) -> dict[str, Any]:
    return {
        "source-ref": f"s3://{bucket}/{image_key}",
        "anomaly-label": int(label == "anomaly"),
        "anomaly-label-metadata": {
            "class-name": label,
            "human-annotated": "yes",
            "type": "groundtruth/image-classification",
        },
    }


def ready_project(
    lv: Scope,
    project_name: str = DEFAULT_PROJECT,
    *,
    test_dataset: bool = False,
    output_bucket: str = OUTPUT_BUCKET,
    images_bucket: str = IMAGES_BUCKET,
) -> dict[str, Any]:
    """A project in the handle's region whose datasets are imported and ready to train on: one
    train dataset of 20 normal and 10 anomalous images, or with ``test_dataset`` a train dataset
    of 10 normal and a test dataset of 10 normal and 10 anomalous. Returns the OutputConfig, an
    output bucket in the region."""
    region = lv.region_name
    ensure_bucket(output_bucket, region)
    client = boto3.client("lookoutvision", region_name=region)
    client.create_project(ProjectName=project_name)
    counts = {"train": (10, 0), "test": (10, 10)} if test_dataset else {"train": (20, 10)}
    for dataset_type, (normal, anomaly) in counts.items():
        source = labeled_manifest(
            normal=normal,
            anomaly=anomaly,
            bucket=images_bucket,
            key=f"{project_name}/{dataset_type}.manifest",
            folder=f"{project_name}/{dataset_type}",
            region_name=region,
        )
        client.create_dataset(
            ProjectName=project_name, DatasetType=dataset_type, DatasetSource=source
        )
        lv.dataset(project_name, dataset_type).import_.finish()
    return {"S3Location": {"Bucket": output_bucket, "Prefix": OUTPUT_PREFIX}}


def trained_model(lv: Scope, project_name: str = DEFAULT_PROJECT, **create_model: Any) -> str:
    """A model trained now in ``project_name`` (a ready project is made first if there is none);
    its version. ``create_model`` are more CreateModel parameters (Tags, Description, ...)."""
    client = boto3.client("lookoutvision", region_name=lv.region_name)
    names = [p["ProjectName"] for p in client.list_projects()["Projects"]]
    output = (
        ready_project(lv, project_name)
        if project_name not in names
        else {"S3Location": {"Bucket": OUTPUT_BUCKET, "Prefix": OUTPUT_PREFIX}}
    )
    create_model.setdefault("OutputConfig", output)
    created = client.create_model(ProjectName=project_name, **create_model)
    version: str = created["ModelMetadata"]["ModelVersion"]
    lv.model(project_name, version).training.finish()
    return version


def hosted_model(
    lv: Scope, project_name: str = DEFAULT_PROJECT, *, inference_units: int = 1
) -> str:
    """A trained model, started and HOSTED now; its version."""
    version = trained_model(lv, project_name)
    client = boto3.client("lookoutvision", region_name=lv.region_name)
    client.start_model(
        ProjectName=project_name, ModelVersion=version, MinInferenceUnits=inference_units
    )
    lv.model(project_name, version).hosting_start.finish()
    return version
