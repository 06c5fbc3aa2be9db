"""The hook into moto's internals holds for the installed moto (see pyproject's range)."""

from __future__ import annotations

from typing import Any

import boto3
import moto.backend_index
import moto.backends
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError
from moto import mock_aws

from mock_lookoutvision import DroppedConnection, LookoutVisionMock, moto_hook, urls
from mock_lookoutvision.models import LookoutVisionBackend, lookoutvision_backends

from .conftest import OUTPUT, PROJECT, role_keys


def test_attached_on_import() -> None:
    assert moto_hook.is_attached()
    assert moto.backend_index.backend_url_patterns[0][0] == "lookoutvision"
    assert moto.backends.get_backend("lookoutvision") is lookoutvision_backends  # type: ignore[call-overload]


def test_attach_is_idempotent() -> None:
    before = list(moto.backend_index.backend_url_patterns)
    moto_hook.attach()
    assert moto.backend_index.backend_url_patterns == before
    assert moto_hook.is_attached()


def test_each_call_runs_exactly_once(
    lookoutvision_client: Any, project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = LookoutVisionBackend.tag_resource

    def counting(self: LookoutVisionBackend, **kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs["resource_arn"])
        return original(self, **kwargs)

    monkeypatch.setattr(LookoutVisionBackend, "tag_resource", counting)
    arn = lookoutvision_client.create_model(ProjectName=PROJECT, OutputConfig=OUTPUT)[
        "ModelMetadata"
    ]["ModelArn"]
    lookoutvision_client.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    assert calls == [arn]


def test_mocks_off_means_no_answer() -> None:
    request = AWSRequest(
        method="GET", url="https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
    ).prepare()
    from moto.core.models import botocore_stubber

    assert botocore_stubber("before-send.lookoutvision.ListProjects", request) is None


def test_mocks_generic_backend_lookup_reaches_the_same_backend(lookoutvision_mock: Any) -> None:
    # The path a client patched with moto.core.patch_client before our import would take.
    boto3.client("lookoutvision", region_name="us-east-1").create_project(ProjectName=PROJECT)
    request = AWSRequest(
        method="GET", url="https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
    ).prepare()
    assert moto_hook.is_attached()
    status, _, body = moto_hook.moto_process_request(request)
    assert status == 200
    assert f'"ProjectName": "{PROJECT}"' in body


def _projects_url(region: str) -> str:
    return f"https://lookoutvision.{region}.amazonaws.com/2020-11-20/projects"


def _botocore_request(region: str) -> Any:
    return AWSRequest(method="GET", url=_projects_url(region)).prepare()


def _requests_request(region: str) -> Any:
    return requests.Request("GET", _projects_url(region)).prepare()


# Each kind of request moto may hand on, with what its client's HTTP layer raises when the server
# hangs up, and when the endpoint's host does not resolve.
CLIENT_KINDS = pytest.mark.parametrize(
    ("prepare", "hung_up", "unreachable"),
    [
        (_botocore_request, ConnectionClosedError, EndpointConnectionError),
        (
            _requests_request,
            requests.exceptions.ConnectionError,
            requests.exceptions.ConnectionError,
        ),
    ],
    ids=["botocore", "requests"],
)


@CLIENT_KINDS
def test_generic_dispatch_hangs_up_as_the_clients_http_layer_would(
    lookoutvision_mock: LookoutVisionMock, prepare: Any, hung_up: type[Exception], unreachable: Any
) -> None:
    lookoutvision_mock.inject_error("ListProjects", DroppedConnection())
    request = prepare("us-east-1")
    with pytest.raises(hung_up) as raised:
        urls.dispatch(request, request.url, request.headers)
    assert not isinstance(raised.value, DroppedConnection)
    assert [call.error for call in lookoutvision_mock.calls("ListProjects")] == [
        "DroppedConnection"
    ]
    status, _, _ = urls.dispatch(request, request.url, request.headers)  # used up
    assert status == 200


@CLIENT_KINDS
def test_generic_dispatch_finds_no_endpoint_where_the_service_never_was(
    lookoutvision_mock: LookoutVisionMock, prepare: Any, hung_up: Any, unreachable: type[Exception]
) -> None:
    request = prepare("ap-south-1")
    with pytest.raises(unreachable, match="ap-south-1"):
        urls.dispatch(request, request.url, request.headers)
    assert lookoutvision_mock.calls() == []


def test_moto_s_own_generic_path_raises_no_raw_fault(lookoutvision_mock: LookoutVisionMock) -> None:
    # Recent moto rebuilds the request as a werkzeug request before its URL map is consulted, so
    # which kind of client sent it is lost there (answered as a plain HTTP client's); either way
    # the client's HTTP layer's error comes out, never the mock's own.
    client_errors = (ConnectionClosedError, requests.exceptions.ConnectionError)
    lookoutvision_mock.inject_error("ListProjects", DroppedConnection())
    with pytest.raises(client_errors):
        moto_hook.moto_process_request(_botocore_request("us-east-1"))
    with pytest.raises((EndpointConnectionError, requests.exceptions.ConnectionError)):
        moto_hook.moto_process_request(_botocore_request("ap-south-1"))


def test_account_comes_from_the_access_key_of_an_assumed_role() -> None:
    with mock_aws():
        keys = role_keys("arn:aws:iam::210987654321:role/cross-account")
        client = boto3.client("lookoutvision", region_name="us-east-1", **keys)
        arn = client.create_project(ProjectName=PROJECT)["ProjectMetadata"]["ProjectArn"]
        assert ":210987654321:project/" in arn


def test_every_operation_of_the_model_has_a_backend_method() -> None:
    from botocore import xform_name

    from mock_lookoutvision.api_model import service_model

    missing = [
        name
        for name in service_model().operation_names
        if not callable(getattr(LookoutVisionBackend, xform_name(name), None))
    ]
    assert missing == []


@pytest.mark.parametrize("method", ["TRACE", "FOO", "PROPFIND"])
def test_any_method_on_a_service_url_is_answered_in_process(
    lookoutvision_mock: Any, method: str
) -> None:
    # moto registers seven methods and lets others through to the network (R4); the guard on
    # sockets (pytest-socket) would fail this test if one got out.
    url = "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"
    answer = requests.request(method, url, timeout=5)
    assert answer.status_code == 404
    assert answer.headers["x-amzn-ErrorType"].startswith("UnknownOperationException")
    assert answer.json() == {"Message": f"No operation matches {method} /2020-11-20/projects"}
    # The same URL with its own method is still the operation.
    assert requests.get(url, timeout=5).json() == {"Projects": []}
    assert [call.operation for call in lookoutvision_mock.calls()] == ["ListProjects"]


def test_any_method_in_a_region_never_offered_fails_to_connect(lookoutvision_mock: Any) -> None:
    with pytest.raises(requests.ConnectionError, match="not offered in xx-nowhere-1"):
        requests.request(
            "TRACE",
            "https://lookoutvision.xx-nowhere-1.amazonaws.com/2020-11-20/projects",
            timeout=5,
        )


def test_other_hosts_keep_moto_s_answer_for_unregistered_methods(lookoutvision_mock: Any) -> None:
    # Only lookoutvision URLs are taken over: moto's own lookup still decides for the rest.
    found, _ = moto_hook._find_match(
        requests.Request("TRACE", "https://s3.us-east-1.amazonaws.com/bucket").prepare()
    )
    assert found is None
