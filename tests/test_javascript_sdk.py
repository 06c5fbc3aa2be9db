"""The AWS SDK for JavaScript v3 (``@aws-sdk/client-lookoutvision``, ``@aws-sdk/client-s3``)
against the mock's server mode, as a user's JavaScript test would drive it.

``tests/js/scenario.mjs`` runs in node, once per test (starting node and loading the SDK costs
about a second), and prints what it saw as one JSON object; the checks are here. The images and
the manifest are made here (``mock_lookoutvision.testing``) and handed over as files; the script
puts them into S3 itself. Errors the script got are made again with boto3 at the same endpoint,
once node has exited, and must be the same: code, message, HTTP status and members.

Two ways to wait, one test each: a server in real time whose simulated time the script moves
with the control routes (``advance``, ``.../finish``), and a server 3600 times faster than real
time that the script polls with real sleeps.

Needs ``node`` (skipped without it) and ``npm ci --prefix tests/js`` (fails without it).

Found by experiment (client-lookoutvision 3.918.0, @smithy/core 3.41): the SDK fills a missing
ClientToken with a UUID v4 of its own when it serializes a call, so its retries of that call
carry the same token; an explicit ``ClientToken: ""`` is sent, as an empty header. A service
error is an instance of the operation's modelled exception class with ``name``, ``message``,
``$fault``, ``$metadata`` and the error shape's other members (``ResourceId``, ``QuotaCode``, ...)
as its own properties; the body's ``Message`` is ``message``, no ``Message`` property. It checks
no pattern, length or range on the client (an empty URL label is all it refuses), so invalid
input reaches the mock as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_lookoutvision import server
from mock_lookoutvision.testing import labeled_lines, make_png, manifest_text

JS_DIR = Path(__file__).parent / "js"
SCRIPT = JS_DIR / "scenario.mjs"
NPM_COMMAND = "npm ci --prefix tests/js"
NODE = shutil.which("node")
NODE_TIMEOUT = 120  # seconds for one scenario: generous for a loaded CI machine

needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not on PATH: the JavaScript SDK tests need Node.js 18 or later"
)

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account: the one requests with fake keys are in
FAKE_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
PROJECT = "widgets"
IMAGES_BUCKET = "lv-js-images"
OUTPUT_BUCKET = "lv-js-results"
OUTPUT_PREFIX = "training/"
OUTPUT = {"S3Location": {"Bucket": OUTPUT_BUCKET, "Prefix": OUTPUT_PREFIX}}
MANIFEST_KEY = "train.manifest"
EXPLICIT_TOKEN = "js-token-0001"
PAGE_SIZE = 2
PROBE_FILE = "probe.png"
PROBE = make_png(64, 64, shade=200)
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# The calls the advance scenario ends with, each of which must fail; boto3 makes them again.
# name: (operation, input, error code, HTTP status, the error's members besides its message, a
# part of the message). A Body of {"$file": name} is that file of the scenario's data directory.
# They come after the scenario has made its state: models 1 (HOSTED), 2 and 3 (TRAINED), 4 and 5
# (TRAINING, as many as may train at once), token EXPLICIT_TOKEN used for model 3.
ERROR_CALLS: dict[str, tuple[str, dict[str, Any], str, int, dict[str, str], str]] = {
    "missing_project": (
        "DescribeProject",
        {"ProjectName": "no-such-project"},
        "ResourceNotFoundException",
        404,
        {"ResourceId": "no-such-project", "ResourceType": "PROJECT"},
        "no-such-project",
    ),
    "missing_model": (
        "DescribeModel",
        {"ProjectName": PROJECT, "ModelVersion": "99"},
        "ResourceNotFoundException",
        404,
        {"ResourceId": f"{PROJECT}/99", "ResourceType": "MODEL"},
        f"{PROJECT}/99",
    ),
    "missing_dataset": (
        "DescribeDataset",
        {"ProjectName": PROJECT, "DatasetType": "test"},
        "ResourceNotFoundException",
        404,
        {"ResourceId": f"{PROJECT}/test", "ResourceType": "DATASET"},
        "test dataset",
    ),
    "project_exists": (
        "CreateProject",
        {"ProjectName": PROJECT},
        "ConflictException",
        409,
        {"ResourceId": PROJECT, "ResourceType": "PROJECT"},
        PROJECT,
    ),
    "project_not_empty": (
        "DeleteProject",
        {"ProjectName": PROJECT},
        "ConflictException",
        409,
        {"ResourceId": PROJECT, "ResourceType": "PROJECT"},
        PROJECT,
    ),
    "hosted_model_deleted": (
        "DeleteModel",
        {"ProjectName": PROJECT, "ModelVersion": "1"},
        "ConflictException",
        409,
        {"ResourceId": f"{PROJECT}/1", "ResourceType": "MODEL"},
        "HOSTED",
    ),
    "detection_unhosted": (
        "DetectAnomalies",
        {
            "ProjectName": PROJECT,
            "ModelVersion": "2",
            "Body": {"$file": PROBE_FILE},
            "ContentType": "image/png",
        },
        "ConflictException",
        409,
        {"ResourceId": f"{PROJECT}/2", "ResourceType": "MODEL"},
        "TRAINED",
    ),
    "token_reused_with_other_input": (
        "CreateModel",
        {
            "ProjectName": PROJECT,
            "OutputConfig": OUTPUT,
            "ClientToken": EXPLICIT_TOKEN,
            "Description": "other",
        },
        "ConflictException",
        409,
        {"ResourceId": f"{PROJECT}/3", "ResourceType": "MODEL"},
        EXPLICIT_TOKEN,
    ),
    "third_training": (
        "CreateModel",
        {"ProjectName": PROJECT, "OutputConfig": OUTPUT},
        "ServiceQuotaExceededException",
        402,
        {"QuotaCode": "L-2489F742", "ServiceCode": "lookoutvision"},
        "L-2489F742",
    ),
    "invalid_project_name": (
        "CreateProject",
        {"ProjectName": "bad name!"},
        "ValidationException",
        400,
        {},
        "projectName",
    ),
    "invalid_project_name_in_path": (
        "DescribeProject",
        {"ProjectName": "bad name!"},
        "ValidationException",
        400,
        {},
        "projectName",
    ),
    "empty_client_token": (
        "CreateProject",
        {"ProjectName": "empty-token", "ClientToken": ""},
        "ValidationException",
        400,
        {},
        "clientToken",
    ),
    "invalid_client_token": (
        "CreateModel",
        {"ProjectName": PROJECT, "OutputConfig": OUTPUT, "ClientToken": "bad_token"},
        "ValidationException",
        400,
        {},
        "clientToken",
    ),
    "max_results_zero": (
        "ListModels",
        {"ProjectName": PROJECT, "MaxResults": 0},
        "ValidationException",
        400,
        {},
        "maxResults",
    ),
    "png_sent_as_jpeg": (
        "DetectAnomalies",
        {
            "ProjectName": PROJECT,
            "ModelVersion": "1",
            "Body": {"$file": PROBE_FILE},
            "ContentType": "image/jpeg",
        },
        "ValidationException",
        400,
        {},
        "JPEG",
    ),
}


def require_sdk(js_dir: Path = JS_DIR) -> dict[str, str]:
    """The exact versions tests/js/package.json pins; fails (never skips) where ``npm ci`` has not
    installed them: with node present, a missing SDK is a set-up step left out."""
    pinned: dict[str, str] = json.loads((js_dir / "package.json").read_text())["dependencies"]
    for name, version in pinned.items():
        installed = js_dir / "node_modules" / name / "package.json"
        if not installed.is_file():
            pytest.fail(
                f"{name} is not installed in {js_dir / 'node_modules'}: run `{NPM_COMMAND}` "
                "from the repository's root first",
                pytrace=False,
            )
        found = json.loads(installed.read_text())["version"]
        if found != version:
            pytest.fail(
                f"{name} {found} is installed where package.json pins {version}: run "
                f"`{NPM_COMMAND}` from the repository's root again",
                pytrace=False,
            )
    return pinned


def scenario_data(directory: Path, project: str, **settings: Any) -> Path:
    """The data directory the script reads: scenario.json, s3/ (30 labeled PNG images and the
    manifest naming them, keyed by their path) and the image to detect anomalies in."""
    lines = labeled_lines(20, 10, bucket=IMAGES_BUCKET, upload=False)
    for shade, line in enumerate(lines):
        key = line["source-ref"].removeprefix(f"s3://{IMAGES_BUCKET}/")
        image = directory / "s3" / key
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(make_png(64, 64, shade=shade))
    (directory / "s3" / MANIFEST_KEY).write_text(manifest_text(lines))
    (directory / PROBE_FILE).write_bytes(PROBE)
    config = {
        "project": project,
        "imagesBucket": IMAGES_BUCKET,
        "outputBucket": OUTPUT_BUCKET,
        "outputPrefix": OUTPUT_PREFIX,
        "manifestKey": MANIFEST_KEY,
        "probe": PROBE_FILE,
        **settings,
    }
    (directory / "scenario.json").write_text(json.dumps(config))
    return directory


def uploaded_files(directory: Path) -> dict[str, bytes]:
    root = directory / "s3"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run_scenario(endpoint: str, data: Path, mode: str) -> dict[str, Any]:
    """Runs the script in node; what it printed. Without the caller's AWS_* variables, which the
    SDK would read (retry attempts, profiles, endpoints)."""
    assert NODE is not None
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    try:
        done = subprocess.run(
            [NODE, str(SCRIPT), endpoint, str(data), mode],
            capture_output=True,
            text=True,
            env=environment,
            timeout=NODE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as slow:
        pytest.fail(f"node ran over {NODE_TIMEOUT} s; stderr: {slow.stderr!r}")
    assert done.returncode == 0, f"node exited {done.returncode}; stderr:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def boto3_clients(endpoint: str) -> tuple[Any, Any]:
    """lookoutvision (botocore's own parameter checks off: it sends what the SDK sent, and one
    attempt: the errors are not retried) and S3 clients at ``endpoint``."""
    session = boto3.session.Session(region_name=REGION, **FAKE_KEYS)
    config = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
    return (
        session.client("lookoutvision", endpoint_url=endpoint, config=config),
        session.client("s3", endpoint_url=endpoint),
    )


def js_time(value: str) -> datetime:
    """A timestamp as the SDK's Date prints it in JSON: ISO 8601 in UTC, with milliseconds."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def same_instant(js_value: str, boto_value: datetime) -> bool:
    # A Date holds milliseconds; the service's epoch seconds may hold more.
    return abs((js_time(js_value) - boto_value).total_seconds()) < 0.001


def boto3_error(client: Any, operation: str, params: dict[str, Any], data: Path) -> dict[str, Any]:
    params = dict(params)
    if isinstance(params.get("Body"), dict):
        params["Body"] = (data / params["Body"]["$file"]).read_bytes()
    with pytest.raises(ClientError) as failed:
        getattr(client, xform_name(operation))(**params)
    response = failed.value.response
    return {
        "code": response["Error"]["Code"],
        "message": response["Error"]["Message"],
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
        "members": {
            k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata", "Message")
        },
    }


def check_s3(results: dict[str, Any], s3: Any, files: dict[str, bytes]) -> None:
    """The SDK's S3 calls (path style) made the buckets and objects, byte for byte."""
    assert results["buckets"] == [
        {"bucket": IMAGES_BUCKET, "httpStatusCode": 200},
        {"bucket": OUTPUT_BUCKET, "httpStatusCode": 200},
    ]
    assert {IMAGES_BUCKET, OUTPUT_BUCKET} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert len(files) == 31  # 30 images and the manifest
    assert sorted(results["etags"]) == sorted(files)
    listed = s3.list_objects_v2(Bucket=IMAGES_BUCKET)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(files)
    for key, body in files.items():
        assert s3.get_object(Bucket=IMAGES_BUCKET, Key=key)["Body"].read() == body
        assert results["etags"][key] == f'"{hashlib.md5(body).hexdigest()}"'


def test_require_sdk_fails_with_the_npm_command_where_node_modules_is_missing(
    tmp_path: Path,
) -> None:
    (tmp_path / "package.json").write_text((JS_DIR / "package.json").read_text())
    with pytest.raises(pytest.fail.Exception, match=re.escape(f"run `{NPM_COMMAND}`")):
        require_sdk(tmp_path)


def test_package_json_pins_exact_versions_and_the_lock_holds_them() -> None:
    package = json.loads((JS_DIR / "package.json").read_text())
    lock = json.loads((JS_DIR / "package-lock.json").read_text())
    assert package["dependencies"] == {
        "@aws-sdk/client-lookoutvision": "3.918.0",
        "@aws-sdk/client-s3": "3.918.0",
    }
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    # The two clients share one @aws-sdk/core and one @smithy/core: one copy of each.
    copies = [
        path for path in lock["packages"] if path.endswith(("/@aws-sdk/core", "/@smithy/core"))
    ]
    assert copies == ["node_modules/@aws-sdk/core", "node_modules/@smithy/core"]


@needs_node
def test_sdk_scenario_moving_simulated_time_with_the_control_routes(tmp_path: Path) -> None:
    pinned = require_sdk()
    data = scenario_data(
        tmp_path,
        PROJECT,
        explicitToken=EXPLICIT_TOKEN,
        datasetSeconds=60,
        trainingSeconds=3600,
        pageSize=PAGE_SIZE,
        errorCalls={name: [op, params] for name, (op, params, *_) in ERROR_CALLS.items()},
    )
    # In real time: nothing the scenario waits for would happen on its own within the run.
    with server(port=0) as srv:
        results = run_scenario(srv.endpoint_url, data, "advance")
        create_model_calls = srv.calls("CreateModel")
        list_models_calls = srv.calls("ListModels")
        lv, s3 = boto3_clients(srv.endpoint_url)

        assert results["sdk"]["lookoutvision"] == pinned["@aws-sdk/client-lookoutvision"]
        assert results["sdk"]["s3"] == pinned["@aws-sdk/client-s3"]
        check_s3(results["s3"], s3, uploaded_files(data))

        project = results["project"]
        described_project = lv.describe_project(ProjectName=PROJECT)["ProjectDescription"]
        assert project["httpStatusCode"] == 200
        assert project["metadata"]["ProjectName"] == PROJECT
        assert (
            project["metadata"]["ProjectArn"]
            == f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:project/{PROJECT}"
        )
        assert project["metadata"]["ProjectArn"] == described_project["ProjectArn"]
        assert same_instant(
            project["metadata"]["CreationTimestamp"], described_project["CreationTimestamp"]
        )

        # The dataset imports for a simulated minute; the advance route moved time past it.
        dataset = results["dataset"]
        assert dataset["httpStatusCode"] == 202
        assert dataset["created"]["Status"] == "CREATE_IN_PROGRESS"
        assert dataset["before"]["Status"] == "CREATE_IN_PROGRESS"
        assert dataset["after"]["Status"] == "CREATE_COMPLETE"
        assert dataset["after"]["ImageStats"] == {
            "Total": 30,
            "Labeled": 30,
            "Normal": 20,
            "Anomaly": 10,
        }
        created_at = js_time(dataset["created"]["CreationTimestamp"]).timestamp()
        assert 60 <= dataset["advance"]["now"] - created_at < 60 + NODE_TIMEOUT

        # Two CreateModel calls without a ClientToken: the SDK made a token for each, two models.
        training = results["training"]
        assert [c["httpStatusCode"] for c in training["auto"]] == [202, 202]
        assert [c["metadata"]["ModelVersion"] for c in training["auto"]] == ["1", "2"]
        assert [c["metadata"]["Status"] for c in training["auto"]] == ["TRAINING", "TRAINING"]
        auto_tokens = [call.parameters["ClientToken"] for call in create_model_calls[:2]]
        assert auto_tokens[0] != auto_tokens[1]
        assert all(UUID4.match(token) for token in auto_tokens), auto_tokens
        assert results["sentClientTokens"][:2] == auto_tokens
        assert training["describedTraining"]["Status"] == "TRAINING"
        assert "Performance" not in training["describedTraining"]
        assert 3600 <= training["advance"]["now"] - dataset["advance"]["now"] < 3600 + NODE_TIMEOUT
        trained = training["describedTrained"]
        assert trained["Status"] == "TRAINED"
        assert training["secondTrained"] == "TRAINED"
        # What boto3 reads of model 1 now (HOSTED since), but for its status.
        described = lv.describe_model(ProjectName=PROJECT, ModelVersion="1")["ModelDescription"]
        assert (
            trained["ModelArn"]
            == described["ModelArn"]
            == f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:model/{PROJECT}/1"
        )
        for member in ("Performance", "OutputConfig", "EvaluationManifest", "EvaluationResult"):
            assert trained[member] == described[member], member
        assert trained["OutputConfig"] == OUTPUT
        for member in ("CreationTimestamp", "EvaluationEndTimestamp"):
            assert same_instant(trained[member], described[member]), member

        # With the caller's ClientToken: the second call replays the first (model 3 both times).
        explicit = results["explicit"]
        assert [c["httpStatusCode"] for c in explicit["calls"]] == [202, 202]
        first, replay = (c["metadata"] for c in explicit["calls"])
        assert first == replay
        assert first["ModelVersion"] == "3"
        assert [call.parameters["ClientToken"] for call in create_model_calls[2:4]] == [
            EXPLICIT_TOKEN,
            EXPLICIT_TOKEN,
        ]
        assert explicit["finished"] == "TRAINED"  # the training/finish route

        hosting = results["hosting"]
        assert hosting == {
            "httpStatusCode": 202,
            "started": "STARTING_HOSTING",
            "describedStarting": "STARTING_HOSTING",
            "describedHosted": "HOSTED",  # the hosting_start/finish route
        }

        detect = results["detect"]
        assert detect["httpStatusCode"] == 200
        assert (detect["bodyType"], detect["bodyLength"]) == ("Uint8Array", len(PROBE))
        boto_detect = lv.detect_anomalies(
            ProjectName=PROJECT, ModelVersion="1", Body=PROBE, ContentType="image/png"
        )["DetectAnomalyResult"]
        assert detect["result"] == boto_detect
        assert detect["result"]["Source"] == {"Type": "direct"}
        assert isinstance(detect["result"]["IsAnomalous"], bool)
        assert 0 <= detect["result"]["Confidence"] <= 1

        # An InternalServerException injected once: the SDK retried with the same token.
        assert results["retried"] == {"attempts": 2, "version": "4"}
        retry_tokens = results["sentClientTokens"][4:6]
        assert retry_tokens[0] == retry_tokens[1]
        assert UUID4.match(retry_tokens[0])
        assert [call.error for call in create_model_calls[4:6]] == ["InternalServerException", None]
        assert create_model_calls[5].parameters["ClientToken"] == retry_tokens[0]
        assert results["fifth"] == "5"

        # paginateListModels: pageSize as MaxResults, NextToken followed to the last page.
        assert results["pages"] == [
            {"versions": ["1", "2"], "statuses": ["HOSTED", "TRAINED"], "hasNextToken": True},
            {"versions": ["3", "4"], "statuses": ["TRAINED", "TRAINING"], "hasNextToken": True},
            {"versions": ["5"], "statuses": ["TRAINING"], "hasNextToken": False},
        ]
        assert [call.parameters.get("MaxResults") for call in list_models_calls[:3]] == [2, 2, 2]
        assert ["NextToken" in call.parameters for call in list_models_calls[:3]] == [
            False,
            True,
            True,
        ]

        # The SDK's errors, then the same calls through boto3 at the same endpoint.
        assert list(results["errors"]) == list(ERROR_CALLS)
        request_ids = set()
        for name, (operation, params, code, status, members, part) in ERROR_CALLS.items():
            js = results["errors"][name]
            assert js is not None, f"{name}: {operation} succeeded"
            assert (js["name"], js["httpStatusCode"], js["members"]) == (code, status, members), (
                name
            )
            assert part in js["message"], name
            assert js["fault"] == "client", name
            assert js["modelledClass"] is True, name  # instanceof the client's exception class
            assert js["attempts"] == 1, name  # client errors are not retried
            request_ids.add(js["requestId"])
            boto = boto3_error(lv, operation, params, data)
            assert boto == {
                "code": js["name"],
                "message": js["message"],
                "status": js["httpStatusCode"],
                "members": js["members"],
            }, name
        assert len(request_ids) == len(ERROR_CALLS)

        # Each CreateModel attempt's token as the SDK sent it is the one the mock read (but for
        # the attempt answered by the injected fault, which the mock answers before parsing).
        sent = results["sentClientTokens"]
        journalled = [call.parameters.get("ClientToken") for call in create_model_calls]
        assert len(sent) == len(journalled) == 10
        assert sent[:4] + sent[5:] == journalled[:4] + journalled[5:]
        assert sent[7:] == [EXPLICIT_TOKEN, journalled[8], "bad_token"]
        # The tokens the SDK made: a fresh UUID v4 for each call (a retry keeps its call's).
        made = [sent[0], sent[1], sent[4], sent[6], sent[8]]
        assert all(UUID4.match(token) for token in made), made
        assert len(set(made)) == len(made)
        # ClientToken "" went out as an empty header (the mock refused it, as boto3's).
        empty = [
            c for c in srv.calls("CreateProject") if c.parameters["ProjectName"] == "empty-token"
        ]
        assert [c.parameters["ClientToken"] for c in empty] == ["", ""]


@needs_node
def test_sdk_scenario_polling_a_server_faster_than_real_time(tmp_path: Path) -> None:
    require_sdk()
    data = scenario_data(tmp_path, "polled", pollMs=100, pollLimitMs=30_000)
    # 3600 simulated seconds a real second: an hour's training takes a second.
    with server(port=0, speed=3600) as srv:
        results = run_scenario(srv.endpoint_url, data, "poll")
        described = srv.calls("DescribeModel")
        lv, s3 = boto3_clients(srv.endpoint_url)

        check_s3(results["s3"], s3, uploaded_files(data))
        assert results["dataset"]["statuses"] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
        assert results["version"] == "1"

        training = results["training"]
        assert training["statuses"] == ["TRAINING", "TRAINED"]
        assert results["hosting"]["statuses"] == ["STARTING_HOSTING", "HOSTED"]
        assert results["stopping"]["statuses"] == ["STOPPING_HOSTING", "TRAINED"]
        # Each poll a real request, 100 ms apart; TRAINED once a simulated hour had passed since
        # the model's creation, about a real second.
        polls = sum(results[phase]["polls"] for phase in ("training", "hosting", "stopping"))
        assert len(described) == polls
        assert training["polls"] >= 3, training
        assert training["elapsedMs"] >= 100 * (training["polls"] - 1), training
        model = lv.describe_model(ProjectName="polled", ModelVersion="1")["ModelDescription"]
        first_trained = described[training["polls"] - 1]
        assert first_trained.seconds >= model["CreationTimestamp"].timestamp() + 3600
        assert model["Status"] == "TRAINED"
        # The same image gets the same answer: host the model again and ask boto3.
        lv.start_model(ProjectName="polled", ModelVersion="1", MinInferenceUnits=1)
        srv.model("polled", "1").hosting_start.finish()
        boto_detect = lv.detect_anomalies(
            ProjectName="polled", ModelVersion="1", Body=PROBE, ContentType="image/png"
        )["DetectAnomalyResult"]
        assert results["detect"] == boto_detect


def test_journal_of_a_call_answered_by_an_injected_error_holds_what_was_sent() -> None:
    # What the JavaScript scenario's retried CreateModel shows, with boto3 (which retries a 500
    # with the token it made for the first attempt too).
    from mock_lookoutvision import InternalServerException

    with server(port=0) as srv:
        session = boto3.session.Session(region_name=REGION, **FAKE_KEYS)
        lv = session.client(
            "lookoutvision",
            endpoint_url=srv.endpoint_url,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        )
        lv.create_project(ProjectName=PROJECT)
        srv.inject_error("CreateModel", InternalServerException("injected"), times=1)
        with pytest.raises(ClientError, match="no training dataset"):
            # The retry reaches the service, which finds no dataset to train on; that's enough.
            lv.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT, ClientToken="retried-1")
        first, retry = srv.calls("CreateModel")
        assert (first.error, retry.error) == ("InternalServerException", "ValidationException")
        assert retry.parameters == {
            "ProjectName": PROJECT,
            "ClientToken": "retried-1",
            "OutputConfig": OUTPUT,
        }
        assert first.parameters == retry.parameters
