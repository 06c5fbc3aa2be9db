"""CreateModel checks what the service checks, and training results come from the data."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest

from mock_lookoutvision import make_png
from mock_lookoutvision.testing import make_jpeg

from .conftest import (
    IMAGES_BUCKET,
    PROJECT,
    create_dataset_from,
    create_model,
    labeled_manifest,
    make_bucket,
    model_versions,
    with_images,
)

HOUR = timedelta(hours=1)


def _dataset(client: Any, lv: Any, dataset_type: str, manifest: str, finish: bool = True) -> None:
    create_dataset_from(client, dataset_type, with_images(manifest))
    if finish:
        lv.dataset(PROJECT, dataset_type).import_.finish()


def _trained(client: Any, lv: Any, version: str = "1") -> dict[str, Any]:
    lv.advance(HOUR)
    described: dict[str, Any] = client.describe_model(ProjectName=PROJECT, ModelVersion=version)[
        "ModelDescription"
    ]
    return described


def test_a_project_without_a_training_dataset_is_refused(
    bare: Any, lookoutvision_mock: Any
) -> None:
    with pytest.raises(bare.exceptions.ValidationException, match="no training dataset"):
        create_model(bare)
    _dataset(bare, lookoutvision_mock, "test", labeled_manifest(10, 10, "test"))
    with pytest.raises(bare.exceptions.ValidationException, match="no training dataset"):
        create_model(bare)
    assert model_versions(bare) == []


def test_a_dataset_still_being_created_is_a_conflict(bare: Any, lookoutvision_mock: Any) -> None:
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest(), finish=False)
    with pytest.raises(bare.exceptions.ConflictException) as excinfo:
        create_model(bare)
    assert (excinfo.value.response["ResourceType"], excinfo.value.response["ResourceId"]) == (
        "DATASET",
        f"{PROJECT}/train",
    )
    lookoutvision_mock.dataset(PROJECT, "train").import_.finish()
    assert create_model(bare)["ModelVersion"] == "1"


def test_a_dataset_being_updated_is_a_conflict(bare: Any, lookoutvision_mock: Any) -> None:
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest())
    bare.update_dataset_entries(
        ProjectName=PROJECT,
        DatasetType="train",
        Changes=with_images(labeled_manifest(1, 0, "more")).encode(),
    )
    with pytest.raises(bare.exceptions.ConflictException):
        create_model(bare)
    assert model_versions(bare) == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"train": (19, 10)}, "at least 20 labeled normal images in the dataset; it has 19"),
        ({"train": (20, 9)}, "at least 10 labeled anomaly images in the dataset; it has 9"),
        ({"train": (9, 0), "test": (10, 10)}, "10 labeled normal images in the training dataset"),
        ({"train": (10, 0), "test": (10, 9)}, "10 labeled anomaly images in the test dataset"),
    ],
    ids=["single-few-normal", "single-few-anomaly", "train-few-normal", "test-few-anomaly"],
)
def test_too_few_labeled_images_fail_the_training(
    bare: Any, lookoutvision_mock: Any, setup: dict[str, tuple[int, int]], message: str
) -> None:
    for dataset_type, (normal, anomaly) in setup.items():
        _dataset(
            bare, lookoutvision_mock, dataset_type, labeled_manifest(normal, anomaly, dataset_type)
        )
    assert create_model(bare)["Status"] == "TRAINING"
    failed = _trained(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert message in failed["StatusMessage"]
    assert "EvaluationResult" not in failed


def test_unlabeled_images_do_not_count(bare: Any, lookoutvision_mock: Any) -> None:
    unlabeled = "\n".join(
        json.dumps({"source-ref": f"s3://{IMAGES_BUCKET}/u-{n}.jpg"}) for n in range(50)
    )
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest(19, 10) + unlabeled)
    create_model(bare)
    assert _trained(bare, lookoutvision_mock)["Status"] == "TRAINING_FAILED"


def test_the_minimums_themselves_train(bare: Any, lookoutvision_mock: Any) -> None:
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest(10, 0, "train"))
    _dataset(bare, lookoutvision_mock, "test", labeled_manifest(10, 10, "test"))
    create_model(bare)
    assert _trained(bare, lookoutvision_mock)["Status"] == "TRAINED"


@pytest.mark.parametrize(
    ("bucket", "region", "message"),
    [("nowhere", None, "does not exist"), ("lv-west", "us-west-2", "is in us-west-2")],
    ids=["missing", "other-region"],
)
def test_the_output_bucket_must_exist_in_the_region(
    lookoutvision_client: Any, project: str, bucket: str, region: str | None, message: str
) -> None:
    if region is not None:
        make_bucket(bucket, region)
    with pytest.raises(lookoutvision_client.exceptions.ValidationException, match=message):
        create_model(lookoutvision_client, OutputConfig={"S3Location": {"Bucket": bucket}})
    assert model_versions(lookoutvision_client) == []


def test_evaluation_results_are_written_to_the_output_location(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    arn = create_model(lookoutvision_client)["ModelArn"]
    trained = _trained(lookoutvision_client, lookoutvision_mock)
    s3 = boto3.client("s3", region_name="us-east-1")
    location = trained["EvaluationResult"]
    assert location == {
        "Bucket": "lv-results",
        "Key": f"training/EvaluationResult-{PROJECT}-1.json",
    }
    result = json.loads(
        s3.get_object(Bucket=location["Bucket"], Key=location["Key"])["Body"].read()
    )
    details = result["EvaluationDetails"]
    # The single dataset of 30 images is split: 24 to train on, 6 to test with.
    assert (
        details["ModelArn"],
        details["NumberOfTrainingImages"],
        details["NumberOfTestingImages"],
    ) == (arn, 24, 6)
    metrics = result["AggregatedEvaluationResults"]["Metrics"]
    assert {k: metrics[k] for k in ("F1Score", "Precision", "Recall")} == trained["Performance"]
    # The schema performance-metrics.md documents: also ROC AUC and average precision.
    assert 0 <= metrics["ROCAUC"] <= 1
    assert 0 <= metrics["AveragePrecision"] <= 1
    assert "PixelAnomalyClassMetrics" not in metrics  # a classification model
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", details["EvaluationEndTimestamp"])
    manifest = trained["EvaluationManifest"]
    lines = (
        s3.get_object(Bucket=manifest["Bucket"], Key=manifest["Key"])["Body"]
        .read()
        .decode()
        .splitlines()
    )
    assert len(lines) == 6
    first = json.loads(lines[0])
    detected = first["anomaly-label-detected-metadata"]
    assert detected["class-name"] in ("normal", "anomaly")
    assert first["anomaly-label-detected"] == int(detected["class-name"] == "anomaly")
    assert (detected["model-arn"], detected["project-name"], detected["model-version"]) == (
        arn,
        PROJECT,
        "1",
    )


def test_performance_is_a_function_of_the_data(bare: Any, lookoutvision_mock: Any) -> None:
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest(20, 10))
    scores = []
    for version, (normal, anomaly, folder) in enumerate(
        [(0, 0, ""), (30, 30, "more"), (20, 25, "extra"), (15, 40, "last")], start=1
    ):
        if folder:
            bare.update_dataset_entries(
                ProjectName=PROJECT,
                DatasetType="train",
                Changes=with_images(labeled_manifest(normal, anomaly, folder)).encode(),
            )
            lookoutvision_mock.dataset(PROJECT, "train").update.finish()
        create_model(bare)
        performance = _trained(bare, lookoutvision_mock, str(version))["Performance"]
        scores.append(tuple(sorted(performance.items())))
    # Not a constant: different data, different scores (for some of these datasets at least).
    assert len(set(scores)) > 1
    # Same data, same scores.
    create_model(bare)
    again = _trained(bare, lookoutvision_mock, "5")["Performance"]
    assert tuple(sorted(again.items())) == scores[-1]


def test_a_vanished_output_bucket_fails_the_training(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str
) -> None:
    create_model(lookoutvision_client)
    boto3.client("s3", region_name="us-east-1").delete_bucket(Bucket="lv-results")
    failed = _trained(lookoutvision_client, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert "lv-results does not exist" in failed["StatusMessage"]


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_a_kms_key_resolves_in_moto_kms(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, form: str
) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/lv-training", TargetKeyId=key["KeyId"])
    names = {
        "id": key["KeyId"],
        "arn": key["Arn"],
        "alias": "alias/lv-training",
        "alias-arn": "arn:aws:kms:us-east-1:123456789012:alias/lv-training",
    }
    create_model(lookoutvision_client, KmsKeyId=names[form])
    trained = _trained(lookoutvision_client, lookoutvision_mock)
    assert trained["Status"] == "TRAINED"
    assert trained["KmsKeyId"] == names[form]


@pytest.mark.parametrize("disable", [False, True], ids=["unknown", "disabled"])
def test_an_unusable_kms_key_fails_the_training(
    lookoutvision_client: Any, lookoutvision_mock: Any, project: str, disable: bool
) -> None:
    key_id = "alias/nothing"
    if disable:
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key_id)
    create_model(lookoutvision_client, KmsKeyId=key_id)
    failed = _trained(lookoutvision_client, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert key_id in failed["StatusMessage"]


# Keys of images the default manifest names: the first ten of each class.
IMAGE_KEYS = [f"images/{label}-{n}.png" for label in ("normal", "anomaly") for n in range(10)]


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        (None, "can't be read: The object s3://lv-images/images/anomaly-3.png does not exist"),
        (b"GIF89a not a png", "is not a PNG or JPEG image"),
        (make_png(128, 64), "is 128x64 pixels, the project's other images 64x64"),
        (make_png(32, 32), "is 32x32 pixels; each side must be 64 to 4096"),
        (b"\x89PNG" + bytes(8 * 1024 * 1024), "is larger than 8388608 bytes"),
    ],
    ids=["missing", "not-an-image", "other-size", "too-small", "too-large"],
)
def test_training_reads_the_images(
    bare: Any, lookoutvision_mock: Any, replacement: bytes | None, message: str
) -> None:
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest())
    s3 = boto3.client("s3", region_name="us-east-1")
    if replacement is None:
        s3.delete_object(Bucket=IMAGES_BUCKET, Key="images/anomaly-3.png")
    else:
        s3.put_object(Bucket=IMAGES_BUCKET, Key="images/anomaly-3.png", Body=replacement)
    create_model(bare)
    failed = _trained(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert message in failed["StatusMessage"]
    assert "Performance" not in failed
    assert "EvaluationResult" not in failed
    written = s3.list_objects_v2(Bucket="lv-results").get("Contents", [])
    assert written == []


def test_jpeg_images_train_too(bare: Any, lookoutvision_mock: Any) -> None:
    jpeg = make_jpeg(64, 64)
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest())
    s3 = boto3.client("s3", region_name="us-east-1")
    for key in IMAGE_KEYS[::2]:
        s3.put_object(Bucket=IMAGES_BUCKET, Key=key, Body=jpeg)
    create_model(bare)
    assert _trained(bare, lookoutvision_mock)["Status"] == "TRAINED"


def test_the_test_dataset_images_must_match_the_training_images(
    bare: Any, lookoutvision_mock: Any
) -> None:
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest(10, 0, "train"))
    test_manifest = labeled_manifest(10, 10, "test")
    _dataset(bare, lookoutvision_mock, "test", test_manifest)
    with_images(test_manifest, image=make_png(96, 96))
    create_model(bare)
    failed = _trained(bare, lookoutvision_mock)
    assert failed["Status"] == "TRAINING_FAILED"
    assert "all images in a project must have the same dimensions" in failed["StatusMessage"]


def _scores_by_the_documented_rule(
    folder: str,
) -> tuple[list[tuple[str, str, float]], dict[str, float]]:
    """The evaluation of a model trained on ``labeled_manifest(20, 10, folder)``, worked out from
    the rule training.py's docstring gives, without the package's code:

    - a single dataset is split: every fifth image in dataset order (normal-0 to normal-19, then
      anomaly-0 to anomaly-9) is a test image, so normal-4, -9, -14, -19 and anomaly-4, -9; the
      other 24 train the model;
    - accuracy = min(0.98, 0.7 + 0.005 * training images) = 0.82;
    - with d = sha256(source-ref), a test image is predicted correctly iff d[0] / 255 < accuracy,
      with confidence round(0.5 + d[1] / 255 * 0.5, 4);
    - Precision, Recall and F1 are those of the anomaly class; an image's anomaly score is the
      confidence when predicted anomalous, 1 - confidence when predicted normal; ROC AUC is the
      share of (anomalous, normal) pairs where the anomalous image scores higher (ties count
      half); average precision is the mean, over the anomalous images ranked by score from the
      top, of the precision at each one's rank.

    The test images' (source-ref, predicted class, confidence), and the metrics, unrounded.
    """
    refs = [
        (f"s3://{IMAGES_BUCKET}/{folder}/{label}-{n}.png", label)
        for label, count in (("normal", 20), ("anomaly", 10))
        for n in range(count)
    ]
    test = refs[4::5]
    accuracy = min(0.98, 0.7 + 0.005 * (len(refs) - len(test)))
    predicted = []
    for ref, truth in test:
        digest = hashlib.sha256(ref.encode()).digest()
        right = digest[0] / 255 < accuracy
        guess = truth if right else ("normal" if truth == "anomaly" else "anomaly")
        predicted.append((ref, guess, round(0.5 + digest[1] / 255 * 0.5, 4)))
    truths = [truth for _, truth in test]
    true_pos = sum(t == g == "anomaly" for t, (_, g, _) in zip(truths, predicted, strict=True))
    said_anomaly = sum(g == "anomaly" for _, g, _ in predicted)
    precision = true_pos / said_anomaly if said_anomaly else 0.0
    recall = true_pos / truths.count("anomaly")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    score = [c if g == "anomaly" else 1 - c for _, g, c in predicted]
    anomalous = [s for s, t in zip(score, truths, strict=True) if t == "anomaly"]
    normal = [s for s, t in zip(score, truths, strict=True) if t == "normal"]
    pairs = [(a > n) + 0.5 * (a == n) for a in anomalous for n in normal]
    ranked = [t for _, t in sorted(zip(score, truths, strict=True), key=lambda st: -st[0])]
    hits = [i for i, t in enumerate(ranked, start=1) if t == "anomaly"]
    average_precision = sum(found / rank for found, rank in enumerate(hits, start=1)) / len(hits)
    metrics = {
        "Precision": precision,
        "Recall": recall,
        "F1Score": f1,
        "ROCAUC": sum(pairs) / len(pairs),
        "AveragePrecision": average_precision,
    }
    return predicted, metrics


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        # Test images normal-4, -9, -14, -19 right; anomaly-4 right (0.5431); anomaly-9 wrong,
        # predicted normal (0.7137, score 0.2863). TP 1, FP 0, FN 1: P 1, R 1/2, F1 2/3.
        # Scores: normals .1451 .4078 .2196 .2961, anomalies .5431 .2863: ROC AUC (4 + 2) / 8;
        # ranked A N N A N N: AP (1/1 + 2/4) / 2.
        (
            "images",
            {
                "Precision": 1.0,
                "Recall": 0.5,
                "F1Score": 0.6667,
                "ROCAUC": 0.75,
                "AveragePrecision": 0.75,
            },
        ),
        # Chosen for digests close to the accuracy of 0.82 (209.1 / 255): normal-14 (d[0] 204)
        # is right, normal-4 (215) and normal-9 (212) are wrong, predicted anomalous (0.5804,
        # 0.9765); so a rule with accuracy outside (0.8, 0.8314] gives other scores. TP 2, FP 2,
        # FN 0: P 1/2, R 1, F1 2/3. Scores: normals .5804 .9765 .1314 .0176, anomalies .7569 1.0:
        # ROC AUC (4 + 3) / 8; ranked A N A N N N: AP (1/1 + 2/3) / 2.
        (
            "batch-38",
            {
                "Precision": 0.5,
                "Recall": 1.0,
                "F1Score": 0.6667,
                "ROCAUC": 0.875,
                "AveragePrecision": 0.8333,
            },
        ),
    ],
    ids=["default-images", "near-the-accuracy"],
)
def test_scores_follow_the_documented_rule_exactly(
    bare: Any, lookoutvision_mock: Any, folder: str, expected: dict[str, float]
) -> None:
    predicted, derived = _scores_by_the_documented_rule(folder)
    assert {name: round(value, 4) for name, value in derived.items()} == expected
    _dataset(bare, lookoutvision_mock, "train", labeled_manifest(20, 10, folder))
    create_model(bare)
    trained = _trained(bare, lookoutvision_mock)
    assert trained["Status"] == "TRAINED"
    assert trained["Performance"] == {
        name: expected[name] for name in ("F1Score", "Precision", "Recall")
    }
    s3 = boto3.client("s3", region_name="us-east-1")
    location = trained["EvaluationResult"]
    result = json.loads(
        s3.get_object(Bucket=location["Bucket"], Key=location["Key"])["Body"].read()
    )
    details = result["EvaluationDetails"]
    assert (details["NumberOfTrainingImages"], details["NumberOfTestingImages"]) == (24, 6)
    assert result["AggregatedEvaluationResults"]["Metrics"] == expected
    # The evaluation manifest: the same six test images, in order, with the same predictions.
    manifest = trained["EvaluationManifest"]
    lines = [
        json.loads(line)
        for line in s3.get_object(Bucket=manifest["Bucket"], Key=manifest["Key"])["Body"]
        .read()
        .decode()
        .splitlines()
    ]
    assert [
        (
            line["source-ref"],
            line["anomaly-label-detected-metadata"]["class-name"],
            line["anomaly-label-detected-metadata"]["confidence"],
            line["anomaly-label-detected"],
        )
        for line in lines
    ] == [(ref, guess, confidence, int(guess == "anomaly")) for ref, guess, confidence in predicted]
