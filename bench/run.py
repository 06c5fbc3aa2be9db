"""Per-call cost of the mock, as ratios against baselines measured in the same run.

    python bench/run.py [--rounds N] [--calls N]

Measured (each phase repeated in interleaved rounds; the median round is kept; the cyclic garbage
collector is off inside timed loops, as ``timeit`` does):

- floor: the same boto3 lookoutvision client with a ``before-send`` handler that returns a canned
  response, i.e. botocore's own pipeline with no service behind it;
- mock: CreateModel + DescribeModel through boto3 under ``mock_lookoutvision``;
- moto-native: CloudWatch Logs CreateLogGroup + DescribeLogGroups under moto's ``mock_aws``;
- scale: the mock's per-call time with 10,000 models in the project against 10;
- start/stop: ``mock_lookoutvision()`` set-up + tear-down against ``mock_aws()`` start + stop.

Only ratios are printed: absolute times on shared machines say little.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from mock_lookoutvision import mock_lookoutvision

REGION = "us-east-1"
OUTPUT = {"S3Location": {"Bucket": "bench-bucket", "Prefix": "out/"}}
CANNED = {
    "CreateModel": (
        202,
        b'{"ModelMetadata":{"CreationTimestamp":1700000000.0,"ModelVersion":"1",'
        b'"ModelArn":"arn:aws:lookoutvision:us-east-1:123456789012:model/bench/1",'
        b'"Status":"TRAINING","StatusMessage":"The model is being trained."}}',
    ),
    "DescribeModel": (
        200,
        b'{"ModelDescription":{"CreationTimestamp":1700000000.0,"ModelVersion":"1",'
        b'"ModelArn":"arn:aws:lookoutvision:us-east-1:123456789012:model/bench/1",'
        b'"Status":"TRAINING","StatusMessage":"The model is being trained.",'
        b'"OutputConfig":{"S3Location":{"Bucket":"bench-bucket","Prefix":"out/"}}}}',
    ),
}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def per_call(work: Callable[[], None], calls: int) -> float:
    """Seconds per call of ``work``, the collector off while it runs."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            work()
        return (time.perf_counter() - start) / calls
    finally:
        gc.enable()


def lookoutvision_pair(client: Any, project: str) -> Callable[[], None]:
    def pair() -> None:
        version = client.create_model(ProjectName=project, OutputConfig=OUTPUT)["ModelMetadata"][
            "ModelVersion"
        ]
        client.describe_model(ProjectName=project, ModelVersion=version)

    return pair


def floor_client() -> Any:
    client = boto3.client(
        "lookoutvision",
        region_name=REGION,
        aws_access_key_id="AKIDFLOOR",
        aws_secret_access_key="floor",
    )

    def canned(request: Any, **_: Any) -> AWSResponse:
        # before-send is not told the operation; the method tells these two apart.
        status, body = CANNED["CreateModel" if request.method == "POST" else "DescribeModel"]
        return AWSResponse(request.url, status, {"Content-Type": "application/json"}, _Raw(body))

    client.meta.events.register("before-send.lookoutvision", canned)
    return client


def measure(rounds: int, calls: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        k: []
        for k in ("floor", "mock", "moto", "mock_10", "mock_10000", "start_mock", "start_moto")
    }
    floor = floor_client()

    def floor_pair() -> None:
        version = floor.create_model(ProjectName="bench", OutputConfig=OUTPUT)["ModelMetadata"][
            "ModelVersion"
        ]
        floor.describe_model(ProjectName="bench", ModelVersion=version)

    for _ in range(rounds):
        results["floor"].append(per_call(floor_pair, calls))

        with mock_lookoutvision():
            client = boto3.client("lookoutvision", region_name=REGION)
            client.create_project(ProjectName="bench")
            results["mock"].append(per_call(lookoutvision_pair(client, "bench"), calls))

        with mock_aws():
            logs = boto3.client("logs", region_name=REGION)
            counter = iter(range(10**9))

            def moto_pair() -> None:
                name = f"group-{next(counter)}"
                logs.create_log_group(logGroupName=name)
                logs.describe_log_groups(logGroupNamePrefix=name)

            results["moto"].append(per_call(moto_pair, calls))

        with mock_lookoutvision() as lv:
            client = boto3.client("lookoutvision", region_name=REGION)
            client.create_project(ProjectName="small")
            client.create_project(ProjectName="large")
            backend = lv.backend()
            fill(backend, "small", 10)
            fill(backend, "large", 10_000)
            describe_small = describe_only(client, "small", "5")
            describe_large = describe_only(client, "large", "5000")
            results["mock_10"].append(per_call(describe_small, calls))
            results["mock_10000"].append(per_call(describe_large, calls))

        results["start_mock"].append(per_call(start_stop(mock_lookoutvision), max(calls // 10, 5)))
        results["start_moto"].append(per_call(start_stop(mock_aws), max(calls // 10, 5)))
    return results


def fill(backend: Any, project: str, count: int) -> None:
    for _ in range(count):
        backend.create_model(project_name=project, output_config=OUTPUT)


def describe_only(client: Any, project: str, version: str) -> Callable[[], None]:
    def describe() -> None:
        client.describe_model(ProjectName=project, ModelVersion=version)

    return describe


def start_stop(factory: Callable[[], Any]) -> Callable[[], None]:
    def cycle() -> None:
        with factory():
            pass

    return cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    results = measure(args.rounds, args.calls)
    median = {name: statistics.median(values) for name, values in results.items()}
    rows = [
        ("mock pair / botocore floor pair", median["mock"] / median["floor"], "<= 1.3"),
        ("mock pair / moto-native pair (logs)", median["mock"] / median["moto"], "<= 0.6"),
        (
            "DescribeModel at 10,000 models / at 10",
            median["mock_10000"] / median["mock_10"],
            "<= 1.1",
        ),
        (
            "mock start+stop / mock_aws start+stop",
            median["start_mock"] / median["start_moto"],
            "<= 1.2",
        ),
    ]
    print(f"{args.rounds} rounds x {args.calls} calls; medians of rounds, ratios only")
    for label, ratio, target in rows:
        print(f"{label:<42} {ratio:6.2f}x   (target {target})")


if __name__ == "__main__":
    main()
