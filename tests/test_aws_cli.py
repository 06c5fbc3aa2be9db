"""The AWS CLI v1 against the mock's server mode, as a user runs it: ``aws`` in a process of its
own, knowing the service through ``AWS_DATA_PATH`` (``mock-lookoutvision data-path``) and pointed
at the server with ``--endpoint-url``.

Each ``aws`` run costs about half a second, so the checks are grouped into a few scenarios, and
what only arranges a scenario (a project ready to train on) goes through boto3 at the same
endpoint. Independent runs that must change nothing are started together.

Found by experiment (awscli 1.46, botocore 1.43): the CLI v1 exits 255 for an error the service
answers *and* for botocore's client-side parameter validation ("Parameter validation failed");
252 is the CLI v2's code for the latter. A command line argparse refuses (a required option
missing, a service the CLI doesn't know) exits 2. botocore checks minimum lengths and required
members, not patterns nor maximum lengths: those reach the server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from mock_lookoutvision.testing import labeled_lines, make_png, manifest_text

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account: the one requests with fake keys are in
PROJECT = "circuit-boards"
BUCKET = "lv-cli-images"  # images, manifest and training results alike
OUTPUT = {"S3Location": {"Bucket": BUCKET, "Prefix": "results/"}}
FAKE_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
TIMEOUT = 120  # seconds for one CLI run: generous for a loaded CI machine

# What the CLI v1 writes to stderr for an error the service answered.
SERVICE_ERROR = re.compile(
    r"An error occurred \((?P<code>\w+)\) when calling the (?P<operation>\w+) operation: "
    r"(?P<message>.*)"
)


def command_of(script: str, module: str) -> list[str]:
    """How to run a console script of this environment: the script installed next to this
    interpreter (where ``pip install -e '.[dev]'`` puts it in a fresh venv), run by this
    interpreter so that no shebang matters; the module if there is no such script."""
    path = Path(sys.executable).parent / script
    return [sys.executable, str(path)] if path.is_file() else [sys.executable, "-m", module]


AWS = command_of("aws", "awscli")


@dataclass(frozen=True)
class Run:
    """One finished ``aws`` run."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> Any:
        """stdout's JSON document; None for a command that prints nothing."""
        return json.loads(self.stdout) if self.stdout.strip() else None

    def service_error(self) -> dict[str, str]:
        """The service's error as the CLI reports it: code, operation and message."""
        found = SERVICE_ERROR.search(self.stderr)
        assert found is not None, f"no service error on stderr of {self.args}: {self.stderr!r}"
        return found.groupdict()


def finish(words: tuple[str, ...], process: subprocess.Popen[str]) -> Run:
    """The run of a started ``aws`` process, once it has ended."""
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return Run(words, process.returncode, stdout, stderr)


def line(*args: str, **options: str | Sequence[str]) -> tuple[str, ...]:
    """An ``aws`` command line: ``args`` as they are, then each option as ``--name value`` (the
    name's underscores as dashes; a sequence gives the option several values)."""
    words = list(args)
    for name, value in options.items():
        words.append("--" + name.replace("_", "-"))
        words.extend([value] if isinstance(value, str) else value)
    return tuple(words)


class Cli:
    """``aws ... --endpoint-url URL --output json`` in a process of its own, with an environment
    of its own: fake keys, the region, no config or credentials file of the user's (nor
    ``~/.aws/models``: HOME is the test's), no pager, no proxy."""

    def __init__(self, endpoint_url: str, env: dict[str, str]) -> None:
        self.endpoint_url = endpoint_url
        self.env = env

    def start(self, words: Sequence[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*AWS, *words, "--endpoint-url", self.endpoint_url, "--output", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def __call__(self, *args: str, **options: str | Sequence[str]) -> Run:
        words = line(*args, **options)
        return finish(words, self.start(words))

    def ok(self, *args: str, **options: str | Sequence[str]) -> Any:
        """The output of a run that must succeed."""
        run = self(*args, **options)
        assert run.code == 0, f"{run.args} exited {run.code}: {run.stderr}"
        return run.output

    def together(self, *lines: tuple[str, ...]) -> list[Run]:
        """Independent runs, started at once (each is mostly the CLI's own start-up)."""
        started = [(words, self.start(words)) for words in lines]
        return [finish(words, process) for words, process in started]

    def without(self, variable: str) -> Cli:
        """The same CLI with ``variable`` left out of its environment."""
        return Cli(self.endpoint_url, {k: v for k, v in self.env.items() if k != variable})


def cli_environment(tmp_path: Path, data_path: str) -> dict[str, str]:
    proxies = {"http_proxy", "https_proxy", "all_proxy"}
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "BOTO")) and name.lower() not in proxies
    }
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        AWS_DATA_PATH=data_path,
        AWS_ACCESS_KEY_ID=FAKE_KEYS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=FAKE_KEYS["aws_secret_access_key"],
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(tmp_path / "no-such-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-such-credentials"),
        AWS_PAGER="",
    )
    return env


@pytest.fixture(scope="module")
def data_path() -> str:
    """What ``mock-lookoutvision data-path`` prints: the folder holding the service's model."""
    done = subprocess.run(
        [*command_of("mock-lookoutvision", "mock_lookoutvision"), "data-path"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    folder = done.stdout.strip()
    assert (Path(folder) / "lookoutvision" / "2020-11-20" / "service-2.json").is_file()
    return folder


@pytest.fixture
def cli(srv: Any, tmp_path: Path, data_path: str) -> Cli:
    return Cli(srv.endpoint_url, cli_environment(tmp_path, data_path))


@pytest.fixture
def session() -> boto3.session.Session:
    # A session of its own: boto3's default one may hold another test's credentials or loader.
    return boto3.session.Session(region_name=REGION, **FAKE_KEYS)


@pytest.fixture
def boto(srv: Any, session: boto3.session.Session) -> Any:
    """A boto3 lookoutvision client at the server's endpoint, to compare with what the CLI sees."""
    return session.client("lookoutvision", endpoint_url=srv.endpoint_url)


@pytest.fixture
def s3(srv: Any, session: boto3.session.Session) -> Any:
    return session.client("s3", endpoint_url=srv.endpoint_url)


def image_lines() -> list[dict[str, Any]]:
    """Manifest lines of 20 normal and 10 anomalous images under ``images/`` in BUCKET: the
    least a single dataset trains on."""
    return labeled_lines(20, 10, bucket=BUCKET, folder="images", upload=False)


def image_key(entry: dict[str, Any]) -> str:
    """Where a manifest line's image is in BUCKET."""
    return str(entry["source-ref"]).removeprefix(f"s3://{BUCKET}/")


def ready_project(srv: Any, boto: Any, s3: Any) -> None:
    """PROJECT with its train dataset imported, arranged through boto3 at the server."""
    s3.create_bucket(Bucket=BUCKET)
    lines = image_lines()
    for shade, entry in enumerate(lines):
        s3.put_object(Bucket=BUCKET, Key=image_key(entry), Body=make_png(64, 64, shade=shade))
    s3.put_object(Bucket=BUCKET, Key="train.manifest", Body=manifest_text(lines))
    boto.create_project(ProjectName=PROJECT)
    boto.create_dataset(
        ProjectName=PROJECT,
        DatasetType="train",
        DatasetSource={
            "GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Key": "train.manifest"}}
        },
    )
    srv.dataset(PROJECT, "train").import_.finish()


def as_cli_prints(value: Any) -> Any:
    """boto3's parsed response as the CLI v1 prints it: timestamps as the epoch seconds of the
    wire (the CLI leaves them unparsed), which have milliseconds."""
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, dict):
        return {key: as_cli_prints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_cli_prints(item) for item in value]
    return value


def boto3_error(call: Any, **parameters: Any) -> dict[str, str]:
    """The error boto3 gets for the same request: code, operation and message."""
    with pytest.raises(ClientError) as raised:
        call(**parameters)
    return {
        "code": raised.value.response["Error"]["Code"],
        "operation": raised.value.operation_name,
        "message": raised.value.response["Error"]["Message"],
    }


def outcomes(calls: Sequence[Any]) -> Counter[tuple[str, str | None]]:
    """What the journal shows of some calls: each operation with its error code, in any order."""
    return Counter((call.operation, call.error) for call in calls)


def model_arn(version: str) -> str:
    return f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:model/{PROJECT}/{version}"


def test_a_model_trained_from_the_cli(srv: Any, cli: Cli, boto: Any, s3: Any, tmp_path: Path):
    """Bucket, images and manifest put with the CLI's S3 commands; project, dataset, a model
    created from a --cli-input-json file, TRAINING until the clock moves an hour, then TRAINED
    with its results in S3; list-models; what the CLI prints is what boto3 gets."""
    lines = image_lines()
    images = tmp_path / "images"
    images.mkdir()
    for shade, entry in enumerate(lines):
        (tmp_path / image_key(entry)).write_bytes(make_png(64, 64, shade=shade))
    manifest = tmp_path / "train.manifest"
    manifest.write_text(manifest_text(lines))

    assert cli.ok("s3api", "create-bucket", bucket=BUCKET) == {"Location": f"/{BUCKET}"}
    # 30 put-object runs would take 15 s: one recursive copy puts all the images.
    cli.ok("s3", "cp", "--recursive", "--quiet", str(images), f"s3://{BUCKET}/images/")
    put = cli.ok("s3api", "put-object", bucket=BUCKET, key="train.manifest", body=str(manifest))
    assert "ETag" in put
    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted([*map(image_key, lines), "train.manifest"])

    project = cli.ok("lookoutvision", "create-project", project_name=PROJECT)["ProjectMetadata"]
    assert project["ProjectArn"] == f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:project/{PROJECT}"
    assert project["ProjectName"] == PROJECT
    # Epoch seconds of the server's simulated clock (real time from the start at speed 1).
    assert abs(project["CreationTimestamp"] - srv.now().timestamp()) < 60

    source = {"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Key": "train.manifest"}}}
    dataset = cli.ok(
        "lookoutvision",
        "create-dataset",
        project_name=PROJECT,
        dataset_type="train",
        dataset_source=json.dumps(source),
    )["DatasetMetadata"]
    assert (dataset["DatasetType"], dataset["Status"]) == ("train", "CREATE_IN_PROGRESS")
    srv.advance(60)  # an import takes a simulated minute
    described = boto.describe_dataset(ProjectName=PROJECT, DatasetType="train")
    assert described["DatasetDescription"]["Status"] == "CREATE_COMPLETE"
    stats = described["DatasetDescription"]["ImageStats"]
    assert stats == {"Total": 30, "Labeled": 30, "Normal": 20, "Anomaly": 10}

    request = tmp_path / "create-model.json"
    tags = [{"Key": "team", "Value": "vision"}]
    request.write_text(
        json.dumps(
            {
                "ProjectName": PROJECT,
                "Description": "first-version",
                "OutputConfig": OUTPUT,
                "Tags": tags,
            }
        )
    )
    created = cli.ok("lookoutvision", "create-model", cli_input_json=f"file://{request}")
    metadata = created["ModelMetadata"]
    assert (metadata["ModelVersion"], metadata["ModelArn"]) == ("1", model_arn("1"))
    assert (metadata["Description"], metadata["Status"]) == ("first-version", "TRAINING")
    (journaled,) = srv.calls("CreateModel")
    assert journaled.error is None
    assert (journaled.parameters["OutputConfig"], journaled.parameters["Tags"]) == (OUTPUT, tags)
    assert journaled.parameters["ClientToken"]  # the CLI made one up, as botocore does

    describe = line("lookoutvision", "describe-model", project_name=PROJECT, model_version="1")
    training = cli.ok(*describe)["ModelDescription"]
    assert training["Status"] == "TRAINING"
    assert "Performance" not in training
    assert training["OutputConfig"] == OUTPUT

    srv.advance(3600)  # training takes a simulated hour by default

    trained = cli.ok(*describe)
    description = trained["ModelDescription"]
    assert description["Status"] == "TRAINED"
    assert set(description["Performance"]) == {"F1Score", "Precision", "Recall"}
    assert all(0 <= score <= 1 for score in description["Performance"].values())
    result = description["EvaluationResult"]
    assert result["Bucket"] == BUCKET
    assert result["Key"].startswith("results/")
    assert s3.head_object(Bucket=BUCKET, Key=result["Key"])["ContentLength"] > 0
    seen_by_boto3 = boto.describe_model(ProjectName=PROJECT, ModelVersion="1")
    assert description == as_cli_prints(seen_by_boto3["ModelDescription"])

    models = cli.ok("lookoutvision", "list-models", project_name=PROJECT)["Models"]
    assert [(m["ModelVersion"], m["Status"]) for m in models] == [("1", "TRAINED")]
    assert models[0]["Performance"] == description["Performance"]


def test_create_model_client_token_replays_and_conflicts(
    srv: Any, cli: Cli, boto: Any, s3: Any, tmp_path: Path
):
    """--client-token: the same token and input again, here from a --cli-input-json file,
    replays the first answer; the same token with another description is a ConflictException
    (exit 255, on stderr as boto3 gets it) and changes nothing; another token is a new model.
    list-models pages through both with --page-size 1."""
    ready_project(srv, boto, s3)
    token = "nightly-build-42"
    create = line("lookoutvision", "create-model", project_name=PROJECT)
    output = json.dumps(OUTPUT)
    first = cli.ok(*create, output_config=output, description="nightly", client_token=token)
    assert (first["ModelMetadata"]["ModelVersion"], first["ModelMetadata"]["Status"]) == (
        "1",
        "TRAINING",
    )

    same = tmp_path / "same-request.json"
    same.write_text(
        json.dumps(
            {
                "ProjectName": PROJECT,
                "Description": "nightly",
                "ClientToken": token,
                "OutputConfig": OUTPUT,
            }
        )
    )
    replay = cli.ok("lookoutvision", "create-model", cli_input_json=f"file://{same}")
    assert replay == first

    calls_before = len(srv.calls())
    conflict = cli(*create, output_config=output, description="other", client_token=token)
    assert (conflict.code, conflict.stdout) == (255, "")
    error = conflict.service_error()
    assert (error["code"], error["operation"]) == ("ConflictException", "CreateModel")
    assert error["message"]
    assert error == boto3_error(
        boto.create_model,
        ProjectName=PROJECT,
        Description="other",
        ClientToken=token,
        OutputConfig=OUTPUT,
    )

    # Nothing changed: the one model, as first created; the journal has the two refusals only.
    assert outcomes(srv.calls()[calls_before:]) == {("CreateModel", "ConflictException"): 2}
    assert [c.parameters["ClientToken"] for c in srv.calls("CreateModel")] == [token] * 4
    models = boto.list_models(ProjectName=PROJECT)["Models"]
    assert [(m["ModelVersion"], m["Description"]) for m in models] == [("1", "nightly")]

    # Another token with the first input is a new call: a second model (two may train at once).
    second = cli.ok(*create, output_config=output, description="nightly", client_token="rebuild-1")
    assert second["ModelMetadata"]["ModelVersion"] == "2"
    # The CLI follows NextToken itself: two pages of one model, one document.
    listed = cli.ok("lookoutvision", "list-models", project_name=PROJECT, page_size="1")
    assert "NextToken" not in listed
    assert [m["ModelVersion"] for m in listed["Models"]] == ["1", "2"]
    pages = srv.calls("ListModels")[1:]  # after boto3's
    assert [c.parameters.get("MaxResults") for c in pages] == [1, 1]
    assert "NextToken" not in pages[0].parameters
    assert pages[1].parameters["NextToken"]


def test_tags_on_a_model(srv: Any, cli: Cli, boto: Any, s3: Any):
    """tag-resource, list-tags-for-resource and untag-resource on a model's ARN (it travels in
    the URL path, its slashes encoded); a refused tag and an unknown model change no tag."""
    ready_project(srv, boto, s3)
    created = boto.create_model(
        ProjectName=PROJECT, OutputConfig=OUTPUT, Tags=[{"Key": "team", "Value": "vision"}]
    )
    arn = created["ModelMetadata"]["ModelArn"]
    assert arn == model_arn("1")
    tag = line("lookoutvision", "tag-resource", resource_arn=arn)
    list_tags = line("lookoutvision", "list-tags-for-resource", resource_arn=arn)

    # TagResource and UntagResource answer an empty document: the CLI prints nothing.
    assert cli.ok(*tag, tags=["Key=stage,Value=test", "Key=cost-center,Value=qa/42"]) is None
    listed = cli.ok(*list_tags)["Tags"]
    assert sorted(listed, key=lambda t: t["Key"]) == [
        {"Key": "cost-center", "Value": "qa/42"},
        {"Key": "stage", "Value": "test"},
        {"Key": "team", "Value": "vision"},
    ]
    assert listed == boto.list_tags_for_resource(ResourceArn=arn)["Tags"]

    untag = line("lookoutvision", "untag-resource", resource_arn=arn)
    assert cli.ok(*untag, tag_keys=["stage", "cost-center"]) is None
    assert cli.ok(*list_tags) == {"Tags": [{"Key": "team", "Value": "vision"}]}

    calls_before = len(srv.calls())
    unknown_arn = model_arn("9")
    bad_key, unknown_model = cli.together(
        line(*tag, tags="Key=team!,Value=x"),
        line("lookoutvision", "tag-resource", resource_arn=unknown_arn, tags="Key=team,Value=x"),
    )
    for run in (bad_key, unknown_model):
        assert (run.code, run.stdout) == (255, ""), run
    refused = bad_key.service_error()
    assert (refused["code"], refused["operation"]) == ("ValidationException", "TagResource")
    assert "Value 'team!' at 'tags.1.member.key' failed to satisfy constraint" in refused["message"]
    assert refused == boto3_error(
        boto.tag_resource, ResourceArn=arn, Tags=[{"Key": "team!", "Value": "x"}]
    )
    missing = unknown_model.service_error()
    assert missing["code"] == "ResourceNotFoundException"
    assert unknown_arn in missing["message"]
    assert missing == boto3_error(
        boto.tag_resource, ResourceArn=unknown_arn, Tags=[{"Key": "team", "Value": "x"}]
    )

    assert outcomes(srv.calls()[calls_before:]) == {
        ("TagResource", "ValidationException"): 2,
        ("TagResource", "ResourceNotFoundException"): 2,
    }
    remaining = boto.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert remaining == [{"Key": "team", "Value": "vision"}]


def test_errors_the_server_answers_and_errors_the_cli_refuses(
    srv: Any, cli: Cli, boto: Any, s3: Any
):
    """Patterns (a project name, a description, a client token) reach the server: exit 255, its
    ValidationException on stderr, code and message as boto3 gets them. The CLI refuses an empty
    client token itself (exit 255 as well in the CLI v1), a missing required option and, without
    the data path, the service (both exit 2): no request leaves. Nothing changes."""
    ready_project(srv, boto, s3)  # so that a model would be created, were the input right
    calls_before = len(srv.calls())
    output = json.dumps(OUTPUT)
    create = line("lookoutvision", "create-model", project_name=PROJECT)
    list_projects = line("lookoutvision", "list-projects")
    unknown_service = cli.without("AWS_DATA_PATH").start(list_projects)
    bad_name, bad_description, bad_token, empty_token, no_output = cli.together(
        line("lookoutvision", "create-project", project_name="bad name!"),
        line(*create, description="no spaces allowed", output_config=output),
        line(*create, client_token="not a token!", output_config=output),
        line(*create, client_token="", output_config=output),
        create,
    )
    unknown = finish(list_projects, unknown_service)

    for run in (bad_name, bad_description, bad_token, empty_token, no_output, unknown):
        assert run.stdout == "", run
    answered = {
        "projectName": (bad_name, boto.create_project, {"ProjectName": "bad name!"}),
        "description": (
            bad_description,
            boto.create_model,
            {"ProjectName": PROJECT, "Description": "no spaces allowed", "OutputConfig": OUTPUT},
        ),
        "clientToken": (
            bad_token,
            boto.create_model,
            {"ProjectName": PROJECT, "ClientToken": "not a token!", "OutputConfig": OUTPUT},
        ),
    }
    for member, (run, call, parameters) in answered.items():
        assert run.code == 255, run
        error = run.service_error()
        assert error["code"] == "ValidationException", run
        assert error["message"].startswith("1 validation error detected: Value "), run
        assert f"at '{member}' failed to satisfy constraint: " in error["message"], run
        assert "Member must satisfy regular expression pattern" in error["message"], run
        assert error == boto3_error(call, **parameters)

    # botocore's own check, in the CLI's process: the CLI v1 exits 255 for it too (v2: 252).
    assert empty_token.code == 255, empty_token
    assert "Parameter validation failed" in empty_token.stderr
    assert "Invalid length for parameter ClientToken, value: 0, valid min length: 1" in (
        empty_token.stderr
    )
    assert SERVICE_ERROR.search(empty_token.stderr) is None
    # argparse's refusals: exit 2.
    assert no_output.code == 2, no_output
    assert "the following arguments are required: --output-config" in no_output.stderr
    assert unknown.code == 2, unknown
    assert "argument command: Invalid choice" in unknown.stderr
    assert "lookoutvision" not in unknown.stderr.split("valid choices are:")[1]

    # Only the three requests the server refused reached it (and boto3's three), and nothing
    # changed: the one project, no model.
    assert outcomes(srv.calls()[calls_before:]) == {
        ("CreateProject", "ValidationException"): 2,
        ("CreateModel", "ValidationException"): 4,
    }
    assert [p["ProjectName"] for p in boto.list_projects()["Projects"]] == [PROJECT]
    assert boto.list_models(ProjectName=PROJECT)["Models"] == []
