"""Helpers for the tests that talk to the mock's server: signed and raw HTTP requests, clients
pointed at a running server, a project ready to train on set up over HTTP, and the error cases
every kind of client is compared on.

Nothing here starts a server or a mock: the ``lv_server`` and ``srv`` fixtures of conftest.py do
(a server per module, emptied before each test).
"""

from __future__ import annotations

import contextlib
import http.client
import json
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mock_lookoutvision import (
    LookoutVisionMock,
    ThrottlingException,
    make_png,
    mock_lookoutvision,
    testing,
)
from mock_lookoutvision.serving import ServerHandle

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account: the one an unknown access key is in
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
API = "/2020-11-20"
PROJECT = "widgets"
IMAGES_BUCKET = "lv-images"
OUTPUT_BUCKET = "lv-results"
OUTPUT = {"S3Location": {"Bucket": OUTPUT_BUCKET, "Prefix": "training/"}}
JSON = {"Content-Type": "application/json"}
# Retries off: throttling and 5xx answers are seen as they are sent, by every client.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
# The headers of an error answer a test compares between clients (names as botocore lowers them).
ERROR_HEADERS = ("content-type", "x-amzn-errortype", "retry-after")


def client_options(endpoint_url: str, config: Config | None = None) -> dict[str, Any]:
    """What boto3 and aiobotocore take to talk to the server as the test account."""
    options: dict[str, Any] = {
        "endpoint_url": endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
    }
    if config is not None:
        options["config"] = config
    return options


def boto3_client(srv: ServerHandle, service: str = "lookoutvision", **extra: Any) -> Any:
    return boto3.client(service, **client_options(srv.endpoint_url), **extra)


def model_arn(version: str, project: str = PROJECT) -> str:
    return f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}:model/{project}/{version}"


def tags_path(arn: str) -> str:
    """The tags path of a resource: the ARN as one label, ``:`` and ``/`` percent-encoded."""
    return f"{API}/tags/{quote(arn, safe='')}"


# Requests ----------------------------------------------------------------------------------------


def _body_and_headers(
    body: bytes | str | Mapping[str, Any] | list[Any] | None, headers: Mapping[str, str] | None
) -> tuple[bytes | str | None, dict[str, str]]:
    all_headers = dict(headers or {})
    if isinstance(body, Mapping | list):
        all_headers.setdefault("Content-Type", "application/json")
        return json.dumps(body), all_headers
    return body, all_headers


def sign(
    method: str,
    url: str,
    body: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    region: str = REGION,
    service: str = "lookoutvision",
) -> dict[str, str]:
    """The headers of ``method url`` signed with SigV4 (fake credentials), as botocore signs."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(CREDENTIALS, service, region).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def signed(
    srv: ServerHandle,
    method: str,
    path: str,
    body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    region: str = REGION,
) -> requests.Response:
    """A request signed for ``lookoutvision`` in ``region``, sent with requests. A mapping or list
    body is sent as JSON (``Content-Type: application/json`` unless ``headers`` say otherwise)."""
    data, all_headers = _body_and_headers(body, headers)
    url = srv.endpoint_url + path
    all_headers = sign(method, url, data, all_headers, region=region)
    return requests.request(method, url, data=data, headers=all_headers, timeout=30)


def unsigned(
    srv: ServerHandle,
    method: str,
    path: str,
    body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> requests.Response:
    data, all_headers = _body_and_headers(body, headers)
    return requests.request(
        method, srv.endpoint_url + path, data=data, headers=all_headers, timeout=30
    )


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]  # names lowered
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw(
    srv: ServerHandle,
    method: str,
    path: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    sign_it: bool = True,
    extra_headers: Iterable[tuple[str, str]] = (),
) -> RawResponse:
    """A request sent byte for byte as given, path included (requests would re-encode a bad
    percent-escape), over http.client; signed unless ``sign_it`` is false. ``extra_headers`` are
    sent after the signed ones, unsigned (a signature over them changes nothing)."""
    endpoint = urlsplit(srv.endpoint_url)
    all_headers = dict(headers or {})
    if sign_it:
        # Signed as if the path were what botocore would send: the server checks no signature.
        all_headers = sign(method, srv.endpoint_url + path, body or None, all_headers)
    connection = http.client.HTTPConnection(endpoint.netloc, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        all_headers.setdefault("Host", endpoint.netloc)
        for name, value in [*all_headers.items(), *extra_headers]:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        # The server may answer and close before a long request is all sent (a 414 for a
        # request line too long): its answer is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.endheaders(body or None)
        response = connection.getresponse()
        return RawResponse(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


# State -------------------------------------------------------------------------------------------


def training_objects(project: str = PROJECT) -> tuple[list[tuple[str, bytes]], str, bytes]:
    """The images of a train dataset of 20 normal and 10 anomalous images (keys in
    IMAGES_BUCKET, real PNGs), the manifest's key and the manifest."""
    lines = testing.labeled_lines(
        20, 10, bucket=IMAGES_BUCKET, folder=f"{project}/train", upload=False
    )
    images = []
    for number, line in enumerate(lines):
        key = line["source-ref"].removeprefix(f"s3://{IMAGES_BUCKET}/")
        images.append((key, make_png(64, 64, shade=number)))
    return images, f"{project}/train.manifest", testing.manifest_text(lines).encode()


def dataset_source(manifest_key: str) -> dict[str, Any]:
    return {"GroundTruthManifest": {"S3Object": {"Bucket": IMAGES_BUCKET, "Key": manifest_key}}}


def ready_project(srv: ServerHandle, project: str = PROJECT) -> None:
    """Over the server: the buckets, the images and manifest, the project and its train dataset,
    imported now."""
    s3 = boto3_client(srv, "s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
    for bucket in (IMAGES_BUCKET, OUTPUT_BUCKET):
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket)
    images, manifest_key, manifest = training_objects(project)
    # The server answers on a thread per connection: the uploads go in parallel.
    with ThreadPoolExecutor(max_workers=8) as uploads:
        done = uploads.map(
            lambda item: s3.put_object(Bucket=IMAGES_BUCKET, Key=item[0], Body=item[1]),
            [*images, (manifest_key, manifest)],
        )
        assert all(put["ResponseMetadata"]["HTTPStatusCode"] == 200 for put in done)
    client = boto3_client(srv)
    client.create_project(ProjectName=project)
    client.create_dataset(
        ProjectName=project, DatasetType="train", DatasetSource=dataset_source(manifest_key)
    )
    srv.dataset(project, "train").import_.finish()


def snapshot(client: Any) -> dict[str, Any]:
    """The projects, each one's models and each model's tags: what a refused call must leave."""
    state: dict[str, Any] = {}
    for project in client.list_projects()["Projects"]:
        name = project["ProjectName"]
        models = {}
        for model in client.list_models(ProjectName=name)["Models"]:
            tags = client.list_tags_for_resource(ResourceArn=model["ModelArn"])["Tags"]
            models[model["ModelVersion"]] = (model["Status"], tags)
        state[name] = models
    return state


# Errors, as each kind of client sees them --------------------------------------------------------


@dataclass(frozen=True)
class SeenError:
    """An error answer as a client saw it: what every client must agree on."""

    code: str
    message: str
    members: dict[str, Any]  # the error shape's members other than Message
    status: int
    headers: dict[str, str]  # ERROR_HEADERS that were sent, names lowered


def seen_by_botocore(error: ClientError) -> SeenError:
    """A boto3 or aiobotocore ClientError."""
    response = error.response
    metadata = response["ResponseMetadata"]
    sent = metadata["HTTPHeaders"]
    # The request id is in the header and in the metadata; it differs per call, so it is not
    # compared but must be there.
    assert sent["x-amzn-requestid"] == metadata["RequestId"]
    members = {
        name: value
        for name, value in response.items()
        if name not in ("Error", "ResponseMetadata", "Message")
    }
    return SeenError(
        code=response["Error"]["Code"],
        message=response["Error"]["Message"],
        members=members,
        status=metadata["HTTPStatusCode"],
        headers={name: sent[name] for name in ERROR_HEADERS if name in sent},
    )


def seen_on_the_wire(response: requests.Response) -> SeenError:
    """A raw REST answer: the code is the ``x-amzn-ErrorType`` header, the members the JSON body
    beside Message and the header members (``Retry-After`` is ``RetryAfterSeconds``)."""
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    assert isinstance(body, dict)
    members = {name: value for name, value in body.items() if name != "Message"}
    if "Retry-After" in response.headers:
        members["RetryAfterSeconds"] = int(response.headers["Retry-After"])
    headers = {name.lower(): value for name, value in response.headers.items()}
    return SeenError(
        code=response.headers["x-amzn-ErrorType"],
        message=body["Message"],
        members=members,
        status=response.status_code,
        headers={name: headers[name] for name in ERROR_HEADERS if name in headers},
    )


@dataclass(frozen=True)
class ErrorCase:
    """One error every client is made to meet: the state that provokes it (made with a handle and
    a boto3 client of the same place), the call, and the same call as REST."""

    name: str
    prepare: Callable[[LookoutVisionMock, Any], None]
    operation: str  # as the client method's name
    params: dict[str, Any]
    method: str
    path: str
    body: dict[str, Any] | None
    code: str
    status: int
    members: dict[str, Any]

    def call(self, client: Any) -> SeenError:
        with pytest.raises(ClientError) as failure:
            getattr(client, self.operation)(**self.params)
        return seen_by_botocore(failure.value)

    def rest(self, srv: ServerHandle) -> SeenError:
        return seen_on_the_wire(signed(srv, self.method, self.path, self.body))


def _nothing(lv: LookoutVisionMock, client: Any) -> None:
    pass


def _existing_project(lv: LookoutVisionMock, client: Any) -> None:
    client.create_project(ProjectName=PROJECT)


def _throttled(lv: LookoutVisionMock, client: Any) -> None:
    lv.inject_error("ListProjects", ThrottlingException("Rate exceeded", retry_after_seconds=5))


def _project_quota_reached(lv: LookoutVisionMock, client: Any) -> None:
    lv.set_quota("L-64685F61", 1)  # Maximum number of projects
    client.create_project(ProjectName=PROJECT)


ERROR_CASES = [
    ErrorCase(
        "ResourceNotFoundException",
        _nothing,
        "describe_project",
        {"ProjectName": "absent"},
        "GET",
        f"{API}/projects/absent",
        None,
        "ResourceNotFoundException",
        404,
        {"ResourceId": "absent", "ResourceType": "PROJECT"},
    ),
    ErrorCase(
        "ConflictException",
        _existing_project,
        "create_project",
        {"ProjectName": PROJECT},
        "POST",
        f"{API}/projects",
        {"ProjectName": PROJECT},
        "ConflictException",
        409,
        {"ResourceId": PROJECT, "ResourceType": "PROJECT"},
    ),
    ErrorCase(
        "ValidationException",
        _nothing,
        # botocore checks no pattern: the name reaches the service.
        "create_project",
        {"ProjectName": "not a name!"},
        "POST",
        f"{API}/projects",
        {"ProjectName": "not a name!"},
        "ValidationException",
        400,
        {},
    ),
    ErrorCase(
        "ThrottlingException",
        _throttled,
        "list_projects",
        {},
        "GET",
        f"{API}/projects",
        None,
        "ThrottlingException",
        429,
        {"RetryAfterSeconds": 5},
    ),
    ErrorCase(
        "ServiceQuotaExceededException",
        _project_quota_reached,
        "create_project",
        {"ProjectName": "one-too-many"},
        "POST",
        f"{API}/projects",
        {"ProjectName": "one-too-many"},
        "ServiceQuotaExceededException",
        402,
        {"QuotaCode": "L-64685F61", "ServiceCode": "lookoutvision"},
    ),
]


def seen_in_process(case: ErrorCase) -> SeenError:
    """The error as boto3 sees it from the in-process mock (no server involved)."""
    with mock_lookoutvision() as lv:
        client = boto3.client("lookoutvision", region_name=REGION, config=NO_RETRIES)
        case.prepare(lv, client)
        return case.call(client)


def expected_headers(case: ErrorCase) -> dict[str, str]:
    headers = {"content-type": "application/json", "x-amzn-errortype": case.code}
    if "RetryAfterSeconds" in case.members:
        headers["retry-after"] = str(case.members["RetryAfterSeconds"])
    return headers
