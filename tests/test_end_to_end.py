"""One model's whole life, as a user's code drives it: images in S3 to anomaly detection and back."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3

from mock_lookoutvision import testing


def _wait(lv: Any, describe: Any, done: set[str], step: timedelta) -> str:
    """What a user's polling loop does, with the simulated clock in place of sleep."""
    for _ in range(100):
        status: str = describe()
        if status in done:
            return status
        lv.advance(step)
    raise AssertionError("the status never settled")


def test_images_to_detection_and_cleanup(lookoutvision_mock: Any) -> None:
    lv = lookoutvision_mock
    s3 = boto3.client("s3", region_name="us-east-1")
    lookoutvision = boto3.client("lookoutvision", region_name="us-east-1")
    s3.create_bucket(Bucket="factory-results")

    # The images, and a manifest that labels them, for a train and a test dataset.
    lookoutvision.create_project(ProjectName="line-7")
    for dataset_type, normal, anomaly in (("train", 30, 10), ("test", 10, 10)):
        source = testing.labeled_manifest(
            normal,
            anomaly,
            bucket="factory-images",
            key=f"{dataset_type}.manifest",
            folder=dataset_type,
        )
        lookoutvision.create_dataset(
            ProjectName="line-7", DatasetType=dataset_type, DatasetSource=source
        )

        def dataset_status(dataset_type: str = dataset_type) -> str:
            description = lookoutvision.describe_dataset(
                ProjectName="line-7", DatasetType=dataset_type
            )
            return str(description["DatasetDescription"]["Status"])

        assert (
            _wait(
                lv,
                dataset_status,
                {"CREATE_COMPLETE", "CREATE_FAILED"},
                timedelta(seconds=20),
            )
            == "CREATE_COMPLETE"
        )

    lookoutvision.create_model(
        ProjectName="line-7",
        OutputConfig={"S3Location": {"Bucket": "factory-results", "Prefix": "line-7/"}},
        Tags=[{"Key": "line", "Value": "7"}],
    )

    def model_status() -> str:
        return str(
            lookoutvision.describe_model(ProjectName="line-7", ModelVersion="1")[
                "ModelDescription"
            ]["Status"]
        )

    assert (
        _wait(lv, model_status, {"TRAINED", "TRAINING_FAILED"}, timedelta(minutes=10)) == "TRAINED"
    )
    result_key = "line-7/EvaluationResult-line-7-1.json"
    details = json.loads(s3.get_object(Bucket="factory-results", Key=result_key)["Body"].read())[
        "EvaluationDetails"
    ]
    assert (details["NumberOfTrainingImages"], details["NumberOfTestingImages"]) == (40, 20)

    lookoutvision.start_model(ProjectName="line-7", ModelVersion="1", MinInferenceUnits=1)
    assert _wait(lv, model_status, {"HOSTED", "HOSTING_FAILED"}, timedelta(minutes=1)) == "HOSTED"
    image = s3.get_object(Bucket="factory-images", Key="test/anomaly-3.png")["Body"].read()
    lv.set_detection_result(image, is_anomalous=True, confidence=0.93)
    detected = lookoutvision.detect_anomalies(
        ProjectName="line-7", ModelVersion="1", Body=image, ContentType="image/png"
    )["DetectAnomalyResult"]
    assert (detected["IsAnomalous"], detected["Confidence"]) == (True, 0.93)

    lookoutvision.stop_model(ProjectName="line-7", ModelVersion="1")
    assert _wait(lv, model_status, {"TRAINED"}, timedelta(minutes=1)) == "TRAINED"
    lookoutvision.delete_model(ProjectName="line-7", ModelVersion="1")
    for dataset_type in ("train", "test"):
        lookoutvision.delete_dataset(ProjectName="line-7", DatasetType=dataset_type)
    lv.advance(timedelta(minutes=1))
    lookoutvision.delete_project(ProjectName="line-7")
    assert lookoutvision.list_projects()["Projects"] == []
    operations = [call.operation for call in lv.calls() if call.error is None]
    assert operations.count("DetectAnomalies") == 1
