"""How much a mocked call costs, as ratios against baselines measured in the same run.

    python bench/run.py [--rounds N] [--calls N]

Each round measures every phase back to back (so machine noise hits them alike), in an order that
rotates from round to round, and what a phase creates is removed before the next round, so every
round measures the same sizes; the median round is reported. The cyclic garbage collector is off
inside timed loops, as ``timeit`` does, so that a full collection does not land in one phase and
invert a ratio.

- floor: the same lookoutvision client with a ``before-send`` handler returning a canned response
  (moto's stubber switched off meanwhile): botocore's own pipeline, with no service behind it;
- mock: CreateModel + DescribeModel through that client, answered by mock_lookoutvision;
- moto-native: CloudWatch Logs CreateLogGroup + DescribeLogGroups, answered by moto itself;
- scale: the mock's CreateModel + DescribeModel in a project of 10,000 models (each with its live
  client token) against one of 10;
- DetectAnomalies on a hosted model, and ListDatasetEntries (a filtered page of 20 from 500
  entries), each against the same client's floor with a canned answer of the same shape;
- start/stop: ``with mock_lookoutvision():`` against ``with mock_aws():``, both empty.

Only ratios are printed: absolute times on a shared machine say little.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.core.models import botocore_stubber

from mock_lookoutvision import LookoutVisionMock, make_png, mock_lookoutvision

REGION = "us-east-1"
OUTPUT = {"S3Location": {"Bucket": "bench-bucket", "Prefix": "out/"}}
_MODEL = (
    b'"CreationTimestamp":1700000000.0,"ModelVersion":"1",'
    b'"ModelArn":"arn:aws:lookoutvision:us-east-1:123456789012:model/bench/1",'
    b'"Status":"TRAINING","StatusMessage":"The model is being trained."'
)
CANNED_CREATE = (202, b'{"ModelMetadata":{' + _MODEL + b"}}")
CANNED_DESCRIBE = (
    200,
    b'{"ModelDescription":{' + _MODEL + b',"OutputConfig":{"S3Location":'
    b'{"Bucket":"bench-bucket","Prefix":"out/"}}}}',
)


class _CannedBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def canned(choose: Callable[[Any], tuple[int, bytes]]) -> Callable[..., AWSResponse]:
    """A before-send handler answering what ``choose`` picks for the request."""

    def handler(request: Any, **_: Any) -> AWSResponse:
        status, body = choose(request)
        headers = {"Content-Type": "application/json"}
        return AWSResponse(request.url, status, headers, _CannedBody(body))

    return handler


# before-send is not told the operation; the method tells CreateModel and DescribeModel apart.
CANNED_PAIR = canned(lambda r: CANNED_CREATE if r.method == "POST" else CANNED_DESCRIBE)
CANNED_DETECT = canned(
    lambda _: (
        200,
        b'{"DetectAnomalyResult":{"Source":{"Type":"direct"},"IsAnomalous":true,"Confidence":0.9}}',
    )
)


def per_call(work: Callable[[], Any], calls: int) -> float:
    """Seconds per call of ``work``, the cyclic collector off meanwhile."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            work()
        return (time.perf_counter() - start) / calls
    finally:
        gc.enable()


def create_and_describe(client: Any, project: str) -> Callable[[], None]:
    def pair() -> None:
        created = client.create_model(ProjectName=project, OutputConfig=OUTPUT)
        client.describe_model(
            ProjectName=project, ModelVersion=created["ModelMetadata"]["ModelVersion"]
        )

    return pair


def floor_of(
    client: Any, work: Callable[[], Any], calls: int, handler: Callable[..., AWSResponse]
) -> float:
    """``work`` on ``client`` answered by a canned handler instead of any mock."""
    client.meta.events.register_first("before-send.lookoutvision", handler)
    botocore_stubber.enabled = False
    try:
        return per_call(work, calls)
    finally:
        botocore_stubber.enabled = True
        client.meta.events.unregister("before-send.lookoutvision", handler)


def moto_native_phase(calls: int) -> float:
    """The moto-native pair; the log groups it made are deleted afterwards, untimed, so that every
    round measures moto at the same size."""
    logs = boto3.client("logs", region_name=REGION)
    names = [f"group-{i}" for i in range(calls)]
    pending = iter(names)

    def pair() -> None:
        name = next(pending)
        logs.create_log_group(logGroupName=name)
        logs.describe_log_groups(logGroupNamePrefix=name)

    seconds = per_call(pair, calls)
    for name in names:
        logs.delete_log_group(logGroupName=name)
    return seconds


def manifest(count: int) -> str:
    lines = [
        {
            "source-ref": f"s3://bench-images/{number}.png",
            "anomaly-label": number % 3 // 2,
            "anomaly-label-metadata": {"class-name": "anomaly" if number % 3 == 2 else "normal"},
        }
        for number in range(count)
    ]
    return "\n".join(json.dumps(line) for line in lines)


def ready_project(client: Any, lv: LookoutVisionMock, project: str, images: int = 30) -> None:
    """A project with a ready train dataset of ``images`` labeled images."""
    boto3.client("s3", region_name=REGION).put_object(
        Bucket="bench-images", Key=f"{project}.manifest", Body=manifest(images)
    )
    client.create_project(ProjectName=project)
    source = {"S3Object": {"Bucket": "bench-images", "Key": f"{project}.manifest"}}
    client.create_dataset(
        ProjectName=project, DatasetType="train", DatasetSource={"GroundTruthManifest": source}
    )
    lv.finish_dataset(project, "train")


def fill(lv: LookoutVisionMock, project: str, count: int) -> None:
    """``count`` models, each with the client token a real call carries. Their trainings are
    planned to fail (no evaluation to write) and take no time, so none stays in TRAINING."""
    backend = lv.backend()
    backend.planned_training_failures.extend(["bench"] * count)
    for number in range(count):
        backend.create_model(
            project_name=project, output_config=OUTPUT, client_token=f"fill-{project}-{number}"
        )


def lookoutvision_phase(
    lv: LookoutVisionMock, project: str, work: Callable[[], Any], calls: int
) -> float:
    """``work`` timed; the models it made are then dropped, untimed, so the project keeps its
    size from round to round. Trainings end at once, and in failure: only two may train at a
    time, and writing evaluation results is not the per-call cost measured here."""
    backend = lv.backend()
    models = backend.projects[project].models
    size = len(models)
    backend.planned_training_failures.extend(["bench"] * calls)
    seconds = per_call(work, calls)
    backend.planned_training_failures.clear()
    for version in list(models)[size:]:
        del models[version]
    return seconds


def hosted_model(client: Any, lv: LookoutVisionMock, project: str) -> None:
    ready_project(client, lv, project)
    client.create_model(ProjectName=project, OutputConfig=OUTPUT)
    lv.finish_training(project, "1")
    client.start_model(ProjectName=project, ModelVersion="1", MinInferenceUnits=1)
    lv.finish_hosting(project, "1")


def start_stop(factory: Callable[[], Any]) -> Callable[[], None]:
    def cycle() -> None:
        with factory():
            pass

    return cycle


def measure(rounds: int, calls: int) -> dict[str, list[float]]:
    """Every phase once a round; the order rotates each round so that no phase always goes first."""
    results: dict[str, list[float]] = {}
    cycles = max(calls // 10, 5)
    with mock_lookoutvision(training_duration=0) as lv:
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("bench-bucket", "bench-images"):
            s3.create_bucket(Bucket=bucket)
        image = make_png(128, 128)
        for number in range(30):  # the images the DetectAnomalies model trains on
            s3.put_object(Bucket="bench-images", Key=f"{number}.png", Body=image)
        # 10,000 models in one project: a quota increase (the default is 100).
        lv.set_quota("L-1B1011CA", 20_000)
        client = boto3.client("lookoutvision", region_name=REGION)
        for project in ("bench", "small", "large"):
            ready_project(client, lv, project)
        ready_project(client, lv, "entries", images=500)
        fill(lv, "small", 10)
        fill(lv, "large", 10_000)
        hosted_model(client, lv, "detect")
        mock_pair = create_and_describe(client, "bench")
        small, large = create_and_describe(client, "small"), create_and_describe(client, "large")

        def detect() -> Any:
            return client.detect_anomalies(
                ProjectName="detect", ModelVersion="1", Body=image, ContentType="image/png"
            )

        def list_entries() -> Any:
            return client.list_dataset_entries(
                ProjectName="entries", DatasetType="train", MaxResults=20, AnomalyClass="normal"
            )

        first_page = list_entries()["DatasetEntries"]
        canned_entries = canned(
            lambda _: (
                200,
                json.dumps({"DatasetEntries": first_page, "NextToken": "eA=="}).encode(),
            )
        )
        phases: dict[str, Callable[[], float]] = {
            "floor": lambda: floor_of(client, mock_pair, calls, CANNED_PAIR),
            "detect": lambda: per_call(detect, calls),
            "detect_floor": lambda: floor_of(client, detect, calls, CANNED_DETECT),
            "entries": lambda: per_call(list_entries, calls),
            "entries_floor": lambda: floor_of(client, list_entries, calls, canned_entries),
            "mock": lambda: lookoutvision_phase(lv, "bench", mock_pair, calls),
            "moto": lambda: moto_native_phase(calls),
            "small": lambda: lookoutvision_phase(lv, "small", small, calls),
            "large": lambda: lookoutvision_phase(lv, "large", large, calls),
        }
        _run_rounds(phases, rounds, results)
    start_stops: dict[str, Callable[[], float]] = {
        "our_start": functools.partial(per_call, start_stop(mock_lookoutvision), cycles),
        "moto_start": functools.partial(per_call, start_stop(mock_aws), cycles),
    }
    _run_rounds(start_stops, rounds, results)
    return results


def _run_rounds(
    phases: dict[str, Callable[[], float]], rounds: int, results: dict[str, list[float]]
) -> None:
    names = list(phases)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            results.setdefault(name, []).append(phases[name]())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    results = measure(args.rounds, args.calls)
    median = {phase: statistics.median(times) for phase, times in results.items()}
    rows = [
        ("CreateModel+DescribeModel: mock / botocore floor", median["mock"] / median["floor"], 1.3),
        (
            "CreateModel+DescribeModel: mock / moto-native pair",
            median["mock"] / median["moto"],
            0.6,
        ),
        ("same pair at 10,000 models / at 10 models", median["large"] / median["small"], 1.1),
        ("DetectAnomalies: mock / botocore floor", median["detect"] / median["detect_floor"], 1.3),
        (
            "ListDatasetEntries (20 of 500): mock / botocore floor",
            median["entries"] / median["entries_floor"],
            1.3,
        ),
        ("mock start+stop / mock_aws start+stop", median["our_start"] / median["moto_start"], 1.2),
    ]
    print(f"median of {args.rounds} rounds; {args.calls} calls a phase; ratios only")
    for label, ratio, target in rows:
        verdict = "ok" if ratio <= target else "over"
        print(f"{label:<52} {ratio:5.2f}x  target <= {target}x  {verdict}")


if __name__ == "__main__":
    main()
