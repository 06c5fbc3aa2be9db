"""Generated malformed requests (issue 11, part 1): across all 22 operations, as raw HTTP in-process
(requests, answered by the active mock), as raw HTTP to the server (http.client, byte for byte) and
through boto3 with its parameter validation off. See tests/fuzz_requests.py for what is generated.

The property, for every request: the answer is no 5xx and no Python exception; a refusal is a
well-formed AWS JSON error whose status is its code's, journaled as that code (or not journaled,
where no operation was named); and a snapshot of all state (every project, dataset and its
entries, model and its tags, packaging job, the backend's counters and remembered ClientTokens,
every S3 object) is what it was before. A request that is accepted is checked as well-formed; a
read changes nothing either, any other success rebuilds the state for the next example.

Profiles: Hypothesis' default keeps the normal suite fast (this file in seconds); ``ci``
(registered in tests/conftest.py: fixed seed, no deadline per example) runs at least 10,000
examples in all within a time bound and prints what it saw:

    .venv/bin/python -m pytest tests/test_fuzz.py --hypothesis-profile=fuzz-ci -p no:randomly -p no:xdist
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import boto3
import pytest
import requests
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from moto.s3.models import s3_backends

from mock_lookoutvision import LookoutVisionMock, mock_lookoutvision, testing
from mock_lookoutvision.journal import Call, journal
from mock_lookoutvision.mock import reset_state
from mock_lookoutvision.models import LookoutVisionBackend, backend_of, lookoutvision_backends
from mock_lookoutvision.pipeline import handle
from mock_lookoutvision.serving import ServerHandle

from . import fuzz_requests as fuzz
from .server_helpers import NO_RETRIES, boto3_client, raw
from .server_helpers import ready_project as ready_project_over_http

ENDPOINT = f"https://lookoutvision.{fuzz.REGION}.amazonaws.com"
PROFILE = settings.get_current_profile_name()
IN_CI = PROFILE == "fuzz-ci"
# Examples per test: a share of the profile's max_examples (fuzz-ci: 3,000, so 12,000 in all).
SHARES = {"in process": 1.5, "server": 1.5, "boto3": 1.0}
TIME_BOUND_SECONDS = 1200.0 if IN_CI else None
# The server checks no signature, only the credential scope that names service and region.
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lookoutvision/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
# What the server's HTTP layer answers itself, before the endpoint sees the request (a request
# line or a header longer than http.server reads): JSON, its status's phrase as the code, no
# request id.
HTTP_LAYER: dict[str, int] = {
    "BadRequest": 400,
    "RequestUriTooLong": 414,
    "RequestHeaderFieldsTooLarge": 431,
}
# Codes answered without an operation (nothing is journaled): unrouted, or refused before routing
# (the server's front end: no signature, a signature for no region).
UNROUTED = frozenset(
    {
        "UnknownOperationException",
        "UnrecognizedClientException",
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        *HTTP_LAYER,
    }
)
STATUS_OF_CODE: dict[str, int] = (
    HTTP_LAYER
    | {shape.name: shape.metadata["error"]["httpStatusCode"] for shape in fuzz.MODEL.error_shapes}
    | {
        "SerializationException": 400,
        "UnknownOperationException": 404,
        "UnrecognizedClientException": 403,
        "MissingAuthenticationTokenException": 403,
        "IncompleteSignatureException": 400,
        "InvalidSignatureException": 403,
        "RequestEntityTooLargeException": 413,
        "UnsupportedMediaTypeException": 415,
    }
)

seen: Counter[str] = Counter()
statuses: Counter[int] = Counter()
codes: Counter[str] = Counter()
started = time.monotonic()


def fuzz_settings(share: str) -> settings:
    return settings(
        max_examples=max(1, int(settings.default.max_examples * SHARES[share])),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def out_of_time() -> bool:
    """Past the time bound: the remaining examples are skipped (and the summary fails)."""
    over = TIME_BOUND_SECONDS is not None and time.monotonic() - started > TIME_BOUND_SECONDS
    if over:
        seen["skipped for time"] += 1
    return over


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """Prints what the run saw; in the fuzz-ci profile, fails unless it ran its 10,000 examples."""
    yield
    line = (
        f"fuzz ({PROFILE} profile): {seen['examples']} examples in "
        f"{time.monotonic() - started:.0f} s, statuses seen {dict(sorted(statuses.items()))}, "
        f"{sum(n for s, n in statuses.items() if s >= 500)} 5xx, {seen['state changes']} state "
        f"changes in {seen['refusals checked']} refusals checked; {seen['rebuilt']} rebuilds, "
        f"{seen['client-side']} calls botocore refused to serialize, codes {dict(codes)}"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:  # none on an xdist worker
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)
    if IN_CI and request.session.testsfailed == 0:
        assert seen["examples"] >= 10_000, line
        assert seen["skipped for time"] == 0, line


# State ------------------------------------------------------------------------------------------


def _read(path: str) -> tuple[int, Any]:
    """A GET through the pipeline itself: the server, in this process, serves the same state."""
    status, _, body = handle("GET", ENDPOINT + path, {}, None)
    return status, json.loads(body)


def _pages(path: str, key: str) -> Any:
    items: list[Any] = []
    token = None
    while True:
        separator = "&" if "?" in path else "?"
        page_path = f"{path}{separator}nextToken={quote(token, safe='')}" if token else path
        status, page = _read(page_path)
        if status != 200:
            return status, page
        items.extend(page[key])
        token = page.get("NextToken")
        if not token:
            return items


def snapshot() -> dict[str, Any]:
    """All state a request could change, as the API shows it and as the backend counts it."""
    api = fuzz.API
    state: dict[str, Any] = {}
    projects = _pages(f"{api}/projects?maxResults=100", "Projects")
    state["projects"] = projects
    for project in projects:
        name = quote(project["ProjectName"], safe="")
        base = f"{api}/projects/{name}"
        state[f"{name} described"] = _read(base)
        for dataset_type in ("train", "test"):
            state[f"{name} {dataset_type}"] = _read(f"{base}/datasets/{dataset_type}")
            state[f"{name} {dataset_type} entries"] = _pages(
                f"{base}/datasets/{dataset_type}/entries?maxResults=100", "DatasetEntries"
            )
        models = _pages(f"{base}/models?maxResults=100", "Models")
        state[f"{name} models"] = models
        for model in models:
            version = model["ModelVersion"]
            state[f"{name} model {version}"] = _read(f"{base}/models/{version}")
            state[f"{name} model {version} tags"] = _read(
                f"{api}/tags/{quote(model['ModelArn'], safe='')}"
            )
        jobs = _pages(f"{base}/modelpackagingjobs?maxResults=100", "ModelPackagingJobs")
        state[f"{name} jobs"] = jobs
        for job in jobs:
            job_name = quote(job["JobName"], safe="")
            state[f"{name} job {job_name}"] = _read(f"{base}/modelpackagingjobs/{job_name}")
    backend = backend_of(fuzz.ACCOUNT, fuzz.REGION)
    state["tokens"] = _tokens(backend)
    state["project numbers"] = repr(backend.project_numbers)
    state["internals"] = {
        name: (
            project.last_version,
            list(project.models),
            list(project.datasets),
            list(project.packaging_jobs),
            sorted(project.deleting),
        )
        for name, project in backend.projects.items()
    }
    # Other accounts and regions (a request may name another account): what they hold. A
    # backend made empty for a refused call is no state the API can show.
    state["elsewhere"] = {
        f"{account}/{region}": (list(regional.projects), _tokens(regional))
        for account, regions in dict.items(lookoutvision_backends)
        for region, regional in dict.items(regions)
        if regional is not backend and (regional.projects or _tokens(regional))
    }
    state["s3"] = {
        bucket_name: sorted((key, item.size, item.etag) for key, item in bucket.keys.items())
        for bucket_name, bucket in s3_backends[fuzz.ACCOUNT]["aws"].buckets.items()
    }
    return state


def _tokens(backend: LookoutVisionBackend) -> int:
    return sum(backend.tokens.active(operation) for operation in fuzz.OPERATIONS)


def _differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    keys = before.keys() | after.keys()
    return {k: (before.get(k), after.get(k)) for k in sorted(keys) if before.get(k) != after.get(k)}


def _models_and_job(client: Any, lv: LookoutVisionMock, s3: Any) -> None:
    """On a ready project: model 1 trained with tags and packaged, model 2 trained and hosted."""
    tags = [{"Key": "stage", "Value": "dev"}, {"Key": "owner", "Value": "qa"}]
    client.create_model(ProjectName=fuzz.PROJECT, OutputConfig=fuzz.OUTPUT, Tags=tags)
    lv.model(fuzz.PROJECT, fuzz.TRAINED).training.finish()
    client.create_model(ProjectName=fuzz.PROJECT, OutputConfig=fuzz.OUTPUT)
    lv.model(fuzz.PROJECT, fuzz.HOSTED).training.finish()
    client.start_model(ProjectName=fuzz.PROJECT, ModelVersion=fuzz.HOSTED, MinInferenceUnits=1)
    lv.model(fuzz.PROJECT, fuzz.HOSTED).hosting_start.finish()
    if not any(b["Name"] == fuzz.COMPONENTS_BUCKET for b in s3.list_buckets()["Buckets"]):
        s3.create_bucket(Bucket=fuzz.COMPONENTS_BUCKET)
    client.start_model_packaging_job(
        ProjectName=fuzz.PROJECT,
        ModelVersion=fuzz.TRAINED,
        JobName=fuzz.JOB,
        Configuration=fuzz.GREENGRASS,
    )


def _has_manifest(s3: Any) -> bool:
    listed = s3.list_objects_v2(Bucket=fuzz.IMAGES_BUCKET, Prefix=f"{fuzz.PROJECT}/train.manifest")
    return bool(listed.get("KeyCount"))


def _build(client: Any, s3: Any, lv: LookoutVisionMock, upload: Callable[[], None]) -> None:
    """The fuzz state, from nothing but the images and the manifest in S3 (put there by
    ``upload``, which may make a project too, the first time): a rebuild takes a few calls."""
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    if fuzz.IMAGES_BUCKET not in buckets or not _has_manifest(s3):
        upload()
    # The service's state only (the server's too: one state per process); S3 is kept.
    reset_state()
    client.create_project(ProjectName=fuzz.PROJECT)
    client.create_dataset(
        ProjectName=fuzz.PROJECT,
        DatasetType="train",
        DatasetSource=fuzz.VALID["CreateDataset"]["DatasetSource"],
    )
    lv.dataset(fuzz.PROJECT, "train").import_.finish()
    _models_and_job(client, lv, s3)


def build_in_process(lv: LookoutVisionMock) -> Callable[[], None]:
    client = boto3.client("lookoutvision", region_name=fuzz.REGION)
    s3 = boto3.client("s3", region_name=fuzz.REGION)
    return lambda: _build(client, s3, lv, lambda: testing.ready_project(lv, fuzz.PROJECT))


def build_on_server(srv: ServerHandle) -> Callable[[], None]:
    srv.reset()
    client, s3 = boto3_client(srv), boto3_client(srv, "s3")
    return lambda: _build(client, s3, srv, lambda: ready_project_over_http(srv, fuzz.PROJECT))


# The property -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lowered
    body: bytes


class World:
    """The fuzz state, its snapshot, and the check of one answer against it."""

    def __init__(self, build: Callable[[], None]) -> None:
        self.build = build
        self.rebuild()

    def rebuild(self) -> None:
        self.build()
        self.before = snapshot()

    def check(self, method: str, answer: Answer, described: str) -> None:
        """``answer`` to a request sent since ``journal.clear()``; ``described`` for messages."""
        statuses[answer.status] += 1
        assert answer.status < 500, f"{answer.status} for {described}: {answer.body[:500]!r}"
        assert answer.headers.get("content-type", "").startswith("application/json"), described
        calls = journal.calls()
        if answer.status >= 400:
            code = _error_code(method, answer, described)
            codes[code] += 1
            if code in UNROUTED:
                assert calls == [], described
            else:
                assert [c.error for c in calls] == [code], described
            self.require_unchanged(described)
        else:
            assert 200 <= answer.status < 300, described
            if method != "HEAD":
                assert isinstance(json.loads(answer.body), dict), described
            self.after_success(calls, described)

    def require_unchanged(self, described: str) -> None:
        after = snapshot()
        seen["state changes"] += after != self.before
        assert after == self.before, f"{described} changed {_differences(self.before, after)}"
        seen["refusals checked"] += 1

    def after_success(self, calls: list[Call], described: str) -> None:
        assert [call.error for call in calls] == [None], described
        if calls[0].operation in fuzz.READ_ONLY:
            after = snapshot()
            seen["state changes"] += after != self.before
            assert after == self.before, f"{described} changed {_differences(self.before, after)}"
        else:
            seen["rebuilt"] += 1
            self.rebuild()


def _error_code(method: str, answer: Answer, described: str) -> str:
    """The code of a well-formed AWS JSON error, checked against its status."""
    error_type = answer.headers.get("x-amzn-errortype")
    assert error_type, f"no x-amzn-ErrorType for {described}"
    code = error_type.split(":")[0]
    assert STATUS_OF_CODE.get(code) == answer.status, f"{code} as {answer.status}: {described}"
    assert code in HTTP_LAYER or answer.headers.get("x-amzn-requestid"), described
    if method != "HEAD":
        body = json.loads(answer.body)
        message = body.get("Message", body.get("message")) if isinstance(body, dict) else None
        assert isinstance(message, str), f"{answer.body[:300]!r} for {described}"
    return code


def _described(request: fuzz.Request) -> str:
    headers = {name: value[:100] for name, value in request.headers.items()}
    return (
        f"{request.method} {request.target[:300]} {request.mutations} "
        f"headers={headers} body={request.body[:300]!r}"
    )


def send_in_process(request: fuzz.Request) -> Answer:
    journal.clear()
    response = requests.request(
        request.method,
        ENDPOINT + request.target,
        data=request.body or None,
        headers=request.headers,
        timeout=30,
    )
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Answer(response.status_code, headers, response.content)


def send_to_server(srv: ServerHandle, request: fuzz.Request) -> Answer:
    journal.clear()
    headers = {"Authorization": AUTHORIZATION, **request.headers}
    answer = raw(srv, request.method, request.target, request.body, headers, sign_it=False)
    return Answer(answer.status, answer.headers, answer.body)


# Positive controls: each operation's valid request is accepted, by every way in ------------------


def _valid_calls() -> list[tuple[str, dict[str, Any]]]:
    """Each operation's valid members, but DeleteProject's (refused while the project has models:
    it is checked on an empty project)."""
    return [
        (name, params) for name, params in sorted(fuzz.VALID.items()) if name != "DeleteProject"
    ]


def _valid_requests() -> list[fuzz.Request]:
    return [fuzz.encode(name, params) for name, params in _valid_calls()]


def test_every_operation_has_a_valid_request() -> None:
    assert sorted(fuzz.VALID) == sorted(fuzz.OPERATIONS)
    assert len(fuzz.OPERATIONS) == 22


def test_each_valid_request_is_accepted_in_process() -> None:
    with mock_lookoutvision() as lv:
        world = World(build_in_process(lv))
        for request in _valid_requests():
            answer = send_in_process(request)
            assert answer.status == _success_status(request), (request.operation, answer.body)
            world.check(request.method, answer, _described(request))
        _delete_project_is_accepted(lambda r: send_in_process(r))


def test_each_valid_request_is_accepted_by_the_server(srv: ServerHandle) -> None:
    world = World(build_on_server(srv))
    for request in _valid_requests():
        answer = send_to_server(srv, request)
        assert answer.status == _success_status(request), (request.operation, answer.body)
        world.check(request.method, answer, _described(request))
    _delete_project_is_accepted(lambda r: send_to_server(srv, r))


def _success_status(request: fuzz.Request) -> int:
    assert request.operation is not None
    return int(fuzz.OPERATIONS[request.operation].http.get("responseCode", 200))


def _delete_project_is_accepted(send: Callable[[fuzz.Request], Answer]) -> None:
    created = send(fuzz.encode("CreateProject", {"ProjectName": "empty"}))
    deleted = send(fuzz.encode("DeleteProject", {"ProjectName": "empty"}))
    assert (created.status, deleted.status) == (200, 200), (created.body, deleted.body)


def test_each_valid_call_is_accepted_through_boto3() -> None:
    with mock_lookoutvision() as lv:
        client = _unchecked_client()
        build = build_in_process(lv)
        for name, params in _valid_calls():
            build()
            getattr(client, xform_name(name))(**params)
        client.create_project(ProjectName="empty")
        client.delete_project(ProjectName="empty")


# The fuzz ---------------------------------------------------------------------------------------


def test_malformed_requests_in_process() -> None:
    with mock_lookoutvision() as lv:
        world = World(build_in_process(lv))

        @fuzz_settings("in process")
        @given(fuzz.requests_())
        def check(request: fuzz.Request) -> None:
            seen["examples"] += 1
            if not out_of_time():
                world.check(request.method, send_in_process(request), _described(request))

        check()


def test_malformed_requests_to_the_server(srv: ServerHandle) -> None:
    world = World(build_on_server(srv))

    @fuzz_settings("server")
    @given(fuzz.requests_())
    def check(request: fuzz.Request) -> None:
        seen["examples"] += 1
        if not out_of_time():
            world.check(request.method, send_to_server(srv, request), _described(request))

    check()


def _unchecked_client() -> Any:
    config = NO_RETRIES.merge(Config(parameter_validation=False))
    return boto3.client("lookoutvision", region_name=fuzz.REGION, config=config)


def _unsendable_body(error: Exception) -> bool:
    return isinstance(error, TypeError) and "an HTTP client sends bytes" in str(error)


def test_malformed_calls_through_boto3() -> None:
    with mock_lookoutvision() as lv:
        world = World(build_in_process(lv))
        client = _unchecked_client()
        sent: list[bool] = []
        client.meta.events.register("before-send.lookoutvision", lambda **_: sent.append(True))

        @fuzz_settings("boto3")
        @given(fuzz.boto3_calls())
        def check(call: tuple[str, dict[str, Any], tuple[str, ...]]) -> None:
            seen["examples"] += 1
            if out_of_time():
                return
            method_name, drawn, mutations = call
            described = f"{method_name}({drawn!r:.500}) {mutations}"
            params = fuzz.python_value(drawn)
            journal.clear()
            sent.clear()
            try:
                getattr(client, method_name)(**params)
            except ClientError as error:
                response = error.response
                metadata = response["ResponseMetadata"]
                headers = {k.lower(): v for k, v in metadata["HTTPHeaders"].items()}
                body = json.dumps({"Message": response["Error"]["Message"]}).encode()
                world.check("POST", Answer(metadata["HTTPStatusCode"], headers, body), described)
            except Exception as error:
                # botocore could not serialize what it was given (a dict for a URI label, a
                # lone surrogate in a header, 5,000 levels of nesting): nothing was sent, so
                # nothing is the mock's to answer. Anything raised after sending would be, but
                # the body no HTTP client can send (a bool as DetectAnomalies' Body: over a
                # socket botocore's HTTP client fails on it), which the mock refuses as that
                # client would, with its TypeError (protocol.wire_body).
                if sent and not _unsendable_body(error):
                    raise
                seen["client-side"] += 1
                assert journal.calls() == [], described
                world.require_unchanged(described)
            else:
                headers = {"content-type": "application/json"}
                world.check("POST", Answer(200, headers, b"{}"), described)

        check()
