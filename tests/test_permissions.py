"""Opt-in IAM enforcement through moto's switch: moto IAM users, roles and policies decide; a
caller without a permission gets AccessDeniedException (403) and nothing changes."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore import xform_name
from botocore.exceptions import ClientError
from moto import settings as moto_settings
from moto.core import enable_iam_authentication, set_initial_no_auth_action_count
from moto.core.authorization import ActionAuthenticatorMixin

from mock_lookoutvision import testing
from mock_lookoutvision.serving import ServerHandle

from .conftest import role_keys
from .server_helpers import OUTPUT, boto3_client
from .server_helpers import PROJECT as SERVER_PROJECT
from .server_helpers import ready_project as ready_project_over

REGION = "us-east-1"
ACCOUNT = "123456789012"
PROJECT = "gears"
TAGS = [{"Key": "line", "Value": "3"}]
LV = f"arn:aws:lookoutvision:{REGION}:{ACCOUNT}"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **s} for s in statements]}
    )


def user_keys(
    name: str, *statements: dict[str, Any], managed: bool = False, **iam_options: Any
) -> dict[str, str]:
    """A moto IAM user with these statements (an inline policy, or a managed one attached), and
    its access key as client options."""
    iam = boto3.client("iam", region_name=REGION, **iam_options)
    iam.create_user(UserName=name)
    if managed:
        arn = iam.create_policy(PolicyName=f"{name}-policy", PolicyDocument=policy(*statements))
        iam.attach_user_policy(UserName=name, PolicyArn=arn["Policy"]["Arn"])
    else:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {
        "aws_access_key_id": key["AccessKeyId"],
        "aws_secret_access_key": key["SecretAccessKey"],
    }


def client_of(keys: dict[str, str], service: str = "lookoutvision") -> Any:
    return boto3.client(service, region_name=REGION, **keys)


def denial(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def model_versions(lv: Any) -> list[str]:
    client = boto3.client("lookoutvision", region_name=REGION)
    return [m["ModelVersion"] for m in client.list_models(ProjectName=PROJECT)["Models"]]


# CreateModel ------------------------------------------------------------------------------------


@pytest.fixture
def training(lookoutvision_mock: Any) -> dict[str, Any]:
    """A ready project, a KMS key, and the statement each permission of a CreateModel call with
    Tags and that key needs (by a short name)."""
    output = testing.ready_project(lookoutvision_mock, PROJECT)
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]
    entries = boto3.client("lookoutvision", region_name=REGION).list_dataset_entries(
        ProjectName=PROJECT, DatasetType="train"
    )["DatasetEntries"]
    images = [
        "arn:aws:s3:::" + json.loads(line)["source-ref"].removeprefix("s3://") for line in entries
    ]
    assert len(images) == 30
    bucket, prefix = output["S3Location"]["Bucket"], output["S3Location"]["Prefix"]
    needs = {
        "CreateModel": {
            "Action": "lookoutvision:CreateModel",
            "Resource": f"{LV}:model/{PROJECT}/*",
        },
        "TagResource": {
            "Action": "lookoutvision:TagResource",
            "Resource": f"{LV}:model/{PROJECT}/*",
        },
        "GetObject": {"Action": "s3:GetObject", "Resource": images},
        "GetBucketLocation": {
            "Action": "s3:GetBucketLocation",
            "Resource": f"arn:aws:s3:::{bucket}",
        },
        "PutObject": {"Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{prefix}*"},
        # The policy names the key's ARN; the call names only its id.
        "CreateGrant": {"Action": "kms:CreateGrant", "Resource": key["Arn"]},
        "GenerateDataKey": {"Action": "kms:GenerateDataKey", "Resource": key["Arn"]},
    }
    call = {
        "ProjectName": PROJECT,
        "OutputConfig": output,
        "KmsKeyId": key["KeyId"],
        "Tags": TAGS,
        "ClientToken": "the-first-try",
    }
    return {"needs": needs, "call": call, "images": images, "key_arn": key["Arn"]}


def test_create_model_with_exactly_the_permissions_it_needs(
    lookoutvision_mock: Any, training: dict[str, Any]
) -> None:
    allowed = client_of(user_keys("trainer", *training["needs"].values(), managed=True))
    with enable_iam_authentication():
        model = allowed.create_model(**training["call"])["ModelMetadata"]
    assert model["ModelArn"] == f"{LV}:model/{PROJECT}/1"
    assert model_versions(lookoutvision_mock) == ["1"]


# What each missing permission is refused on: the action and the resource in the message.
MISSING = {
    "CreateModel": ("lookoutvision:CreateModel", f"{LV}:model/{PROJECT}/1"),
    "TagResource": ("lookoutvision:TagResource", f"{LV}:model/{PROJECT}/1"),
    "GetObject": ("s3:GetObject", None),  # the one image left out
    "GetBucketLocation": ("s3:GetBucketLocation", f"arn:aws:s3:::{testing.OUTPUT_BUCKET}"),
    "PutObject": ("s3:PutObject", f"arn:aws:s3:::{testing.OUTPUT_BUCKET}/{testing.OUTPUT_PREFIX}*"),
    "CreateGrant": ("kms:CreateGrant", None),  # the key's ARN
    "GenerateDataKey": ("kms:GenerateDataKey", None),
}


@pytest.mark.parametrize("missing", MISSING)
def test_create_model_without_one_permission_is_denied_and_changes_nothing(
    lookoutvision_mock: Any, training: dict[str, Any], missing: str
) -> None:
    needs = dict(training["needs"])
    action, resource = MISSING[missing]
    if missing == "GetObject":  # every image but one
        resource = training["images"][7]
        needs["GetObject"] = {
            "Action": "s3:GetObject",
            "Resource": [image for image in training["images"] if image != resource],
        }
    else:
        del needs[missing]
    resource = resource or training["key_arn"]
    denied = client_of(user_keys("short", *needs.values()))
    allowed = client_of(user_keys("trainer", *training["needs"].values()))

    with enable_iam_authentication(), pytest.raises(ClientError) as refused:
        denied.create_model(**training["call"])
    code, status, message = denial(refused)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/short is not authorized to perform: {action} "
        f"on resource: {resource}"
    )
    # Journaled as any failed call, and nothing else: no model, no tag, no remembered token.
    assert lookoutvision_mock.calls("CreateModel")[-1].error == "AccessDeniedException"
    assert model_versions(lookoutvision_mock) == []

    with enable_iam_authentication():
        model = allowed.create_model(**training["call"])["ModelMetadata"]
        again = allowed.create_model(**training["call"])["ModelMetadata"]  # now a replay
    assert model["ModelVersion"] == again["ModelVersion"] == "1"
    assert model_versions(lookoutvision_mock) == ["1"]
    tags = boto3.client("lookoutvision", region_name=REGION).list_tags_for_resource(
        ResourceArn=model["ModelArn"]
    )
    assert tags["Tags"] == TAGS


def test_create_model_without_tags_needs_no_tag_permission(
    lookoutvision_mock: Any, training: dict[str, Any]
) -> None:
    needs = {name: s for name, s in training["needs"].items() if name != "TagResource"}
    client = client_of(user_keys("untagged", *needs.values()))
    call = {name: value for name, value in training["call"].items() if name != "Tags"}
    with enable_iam_authentication():
        assert client.create_model(**call)["ModelMetadata"]["ModelVersion"] == "1"


def test_a_repeat_is_checked_on_the_model_its_token_made(
    lookoutvision_mock: Any, training: dict[str, Any]
) -> None:
    # Permissions on model 1 only: the first call makes it, a retry with its token concerns it
    # too (not the next version), and a new call would make model 2, which is not allowed.
    pinned = {
        name: {**need, "Resource": f"{LV}:model/{PROJECT}/1"}
        if need["Action"].startswith("lookoutvision:")
        else need
        for name, need in training["needs"].items()
    }
    client = client_of(user_keys("pinned", *pinned.values()))
    with enable_iam_authentication():
        first = client.create_model(**training["call"])["ModelMetadata"]
        again = client.create_model(**training["call"])["ModelMetadata"]
        with pytest.raises(ClientError) as refused:
            client.create_model(**{**training["call"], "ClientToken": "another-try"})
    assert first["ModelArn"] == again["ModelArn"] == f"{LV}:model/{PROJECT}/1"
    assert denial(refused)[:2] == ("AccessDeniedException", 403)
    assert f"on resource: {LV}:model/{PROJECT}/2" in denial(refused)[2]
    assert model_versions(lookoutvision_mock) == ["1"]


def test_an_explicit_deny_wins_over_an_allow(
    lookoutvision_mock: Any, training: dict[str, Any]
) -> None:
    keys = user_keys(
        "denied",
        *training["needs"].values(),
        {"Action": "lookoutvision:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::*"},
    )
    with enable_iam_authentication(), pytest.raises(ClientError) as refused:
        client_of(keys).create_model(**training["call"])
    code, status, message = denial(refused)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "perform: s3:PutObject on resource:" in message
    assert model_versions(lookoutvision_mock) == []


def test_a_key_alias_is_checked_in_the_callers_account_and_region(
    lookoutvision_mock: Any, training: dict[str, Any]
) -> None:
    alias = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/training"
    needs = {**training["needs"]}
    for name in ("CreateGrant", "GenerateDataKey"):
        needs[name] = {**needs[name], "Resource": alias}
    client = client_of(user_keys("aliased", *needs.values()))
    with enable_iam_authentication():
        call = {**training["call"], "KmsKeyId": "alias/training"}
        assert client.create_model(**call)["ModelMetadata"]["ModelVersion"] == "1"
        with pytest.raises(ClientError) as refused:  # the key's own ARN is not the alias's
            client.create_model(**{**training["call"], "ClientToken": "another"})
    assert denial(refused)[2].endswith(f"kms:CreateGrant on resource: {training['key_arn']}")


# Every other operation --------------------------------------------------------------------------

MODEL = f"{LV}:model/{PROJECT}/1"
PROJECT_ARN = f"{LV}:project/{PROJECT}"
# Each operation, a call that passes validation, and the resource its action is checked on.
OTHER_OPERATIONS: dict[str, tuple[dict[str, Any], str]] = {
    "CreateDataset": ({"ProjectName": PROJECT, "DatasetType": "train"}, "*"),
    "CreateProject": ({"ProjectName": PROJECT}, PROJECT_ARN),
    "DeleteDataset": ({"ProjectName": PROJECT, "DatasetType": "train"}, "*"),
    "DeleteModel": ({"ProjectName": PROJECT, "ModelVersion": "1"}, MODEL),
    "DeleteProject": ({"ProjectName": PROJECT}, PROJECT_ARN),
    "DescribeDataset": ({"ProjectName": PROJECT, "DatasetType": "train"}, "*"),
    "DescribeModel": ({"ProjectName": PROJECT, "ModelVersion": "1"}, MODEL),
    "DescribeModelPackagingJob": ({"ProjectName": PROJECT, "JobName": "job"}, "*"),
    "DescribeProject": ({"ProjectName": PROJECT}, PROJECT_ARN),
    "DetectAnomalies": (
        {"ProjectName": PROJECT, "ModelVersion": "1", "Body": b"x", "ContentType": "image/png"},
        MODEL,
    ),
    "ListDatasetEntries": ({"ProjectName": PROJECT, "DatasetType": "train"}, "*"),
    "ListModelPackagingJobs": ({"ProjectName": PROJECT}, "*"),
    "ListModels": ({"ProjectName": PROJECT}, PROJECT_ARN),
    "ListProjects": ({}, "*"),
    "ListTagsForResource": ({"ResourceArn": MODEL}, MODEL),
    "StartModel": ({"ProjectName": PROJECT, "ModelVersion": "1", "MinInferenceUnits": 1}, MODEL),
    "StartModelPackagingJob": (
        {
            "ProjectName": PROJECT,
            "ModelVersion": "1",
            "Configuration": {
                "Greengrass": {
                    "ComponentName": "gears",
                    "S3OutputLocation": {"Bucket": "components"},
                    "TargetDevice": "jetson_xavier",
                }
            },
        },
        MODEL,
    ),
    "StopModel": ({"ProjectName": PROJECT, "ModelVersion": "1"}, MODEL),
    "TagResource": ({"ResourceArn": MODEL, "Tags": TAGS}, MODEL),
    "UntagResource": ({"ResourceArn": MODEL, "TagKeys": ["line"]}, MODEL),
    "UpdateDatasetEntries": (
        {
            "ProjectName": PROJECT,
            "DatasetType": "train",
            "Changes": b'{"source-ref": "s3://lv-images/a.png"}',
        },
        "*",
    ),
}


def test_the_table_covers_every_operation_of_the_api() -> None:
    from mock_lookoutvision.api_model import service_model

    assert {*OTHER_OPERATIONS, "CreateModel"} == set(service_model().operation_names)


@pytest.mark.parametrize("operation", OTHER_OPERATIONS)
def test_every_other_operation_needs_its_own_action(
    lookoutvision_mock: Any, operation: str
) -> None:
    arguments, resource = OTHER_OPERATIONS[operation]
    action = f"lookoutvision:{operation}"
    everything_else = client_of(user_keys("others", {"NotAction": action, "Resource": "*"}))
    only_this = client_of(user_keys("only", {"Action": action, "Resource": resource}))
    method = xform_name(operation)
    with enable_iam_authentication():
        with pytest.raises(ClientError) as refused:
            getattr(everything_else, method)(**arguments)
        try:  # past the permission check: a success, or the service's own answer
            getattr(only_this, method)(**arguments)
            answered = "success"
        except ClientError as error:
            answered = error.response["Error"]["Code"]
    code, status, message = denial(refused)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message.endswith(f"perform: {action} on resource: {resource}")
    assert answered != "AccessDeniedException"
    assert lookoutvision_mock.calls(operation)[0].error == "AccessDeniedException"


# The switch and who is asking -------------------------------------------------------------------


def test_enforcement_is_off_by_default(lookoutvision_mock: Any) -> None:
    assert math.isinf(moto_settings.INITIAL_NO_AUTH_ACTION_COUNT)
    nobody = client_of({"aws_access_key_id": "AKIANOBODY", "aws_secret_access_key": "made-up"})
    nobody.create_project(ProjectName=PROJECT)
    assert [p["ProjectName"] for p in nobody.list_projects()["Projects"]] == [PROJECT]


def test_the_first_n_requests_are_unchecked_counted_with_motos_own(
    lookoutvision_mock: Any,
) -> None:
    nobody = client_of({"aws_access_key_id": "AKIANOBODY", "aws_secret_access_key": "made-up"})

    @set_initial_no_auth_action_count(4)
    def scenario() -> None:
        # Three of moto's IAM requests and one of this service's go unchecked.
        keys = user_keys("lister", {"Action": "lookoutvision:ListProjects", "Resource": "*"})
        nobody.create_project(ProjectName=PROJECT)
        assert ActionAuthenticatorMixin.request_count == 4
        # From here on every request is checked.
        assert client_of(keys).list_projects()["Projects"][0]["ProjectName"] == PROJECT
        with pytest.raises(ClientError) as unknown:
            nobody.list_projects()
        assert denial(unknown)[:2] == ("UnrecognizedClientException", 403)
        with pytest.raises(ClientError) as not_allowed:
            client_of(keys).create_project(ProjectName="valves")
        assert denial(not_allowed)[:2] == ("AccessDeniedException", 403)

    scenario()
    assert [p["ProjectName"] for p in nobody.list_projects()["Projects"]] == [PROJECT]


def test_a_request_refused_before_the_check_still_counts(
    lookoutvision_mock: Any, unchecked_client: Any
) -> None:
    nobody = client_of({"aws_access_key_id": "AKIANOBODY", "aws_secret_access_key": "made-up"})

    @set_initial_no_auth_action_count(2)
    def scenario() -> None:
        # Both free requests are used up by calls the service refuses on their own, as moto
        # counts each request it routes before its handler validates it.
        for _ in range(2):
            with pytest.raises(ClientError) as invalid:
                unchecked_client.create_project(ProjectName="not a name!")
            assert denial(invalid)[:2] == ("ValidationException", 400)
        assert ActionAuthenticatorMixin.request_count == 2
        with pytest.raises(ClientError) as unknown:
            nobody.list_projects()
        assert denial(unknown)[:2] == ("UnrecognizedClientException", 403)

    scenario()


def test_callers_that_are_not_who_they_say(lookoutvision_mock: Any) -> None:
    keys = user_keys("lister", {"Action": "lookoutvision:*", "Resource": "*"})
    wrong_secret = client_of({**keys, "aws_secret_access_key": "not-the-secret"})
    url = f"https://lookoutvision.{REGION}.amazonaws.com/2020-11-20/projects"
    with enable_iam_authentication():
        with pytest.raises(ClientError) as forged:
            wrong_secret.list_projects()
        unsigned = requests.get(url, timeout=10)
        not_sigv4 = requests.get(url, headers={"Authorization": "Basic eDp5"}, timeout=10)
        assert client_of(keys).list_projects()["Projects"] == []
    assert denial(forged)[:2] == ("InvalidSignatureException", 403)
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert not_sigv4.status_code == 400
    assert not_sigv4.headers["x-amzn-ErrorType"] == "IncompleteSignatureException"


def test_an_assumed_role_has_its_roles_permissions(lookoutvision_mock: Any) -> None:
    iam = boto3.client("iam", region_name=REGION)
    trust = policy(
        {"Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    )
    iam.create_role(RoleName="lister", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="lister",
        PolicyName="inline",
        PolicyDocument=policy({"Action": "lookoutvision:List*", "Resource": "*"}),
    )
    session = client_of(role_keys(f"arn:aws:iam::{ACCOUNT}:role/lister", "nightly"))
    with enable_iam_authentication():
        assert session.list_projects()["Projects"] == []
        with pytest.raises(ClientError) as refused:
            session.create_project(ProjectName=PROJECT)
    assert denial(refused)[2].startswith(
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/lister/nightly is not authorized to perform: "
        "lookoutvision:CreateProject"
    )


# Over the server --------------------------------------------------------------------------------


@pytest.fixture
def server_auth(srv: ServerHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Switches enforcement on the way a client of the server does (moto's reset-auth route);
    puts moto's setting and count back afterwards."""
    monkeypatch.setattr(
        moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
    )
    monkeypatch.setattr(
        ActionAuthenticatorMixin, "request_count", ActionAuthenticatorMixin.request_count
    )

    def reset_auth(count: float) -> None:
        answer = requests.post(
            f"{srv.endpoint_url}/moto-api/reset-auth", data=str(count), timeout=10
        )
        assert answer.status_code == 200

    yield reset_auth
    reset_auth(float("inf"))


def server_user(srv: ServerHandle, name: str, *statements: dict[str, Any]) -> Any:
    keys = user_keys(
        name,
        *statements,
        endpoint_url=srv.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return boto3.client("lookoutvision", endpoint_url=srv.endpoint_url, region_name=REGION, **keys)


def test_the_server_enforces_permissions_once_switched_on(
    srv: ServerHandle, server_auth: Any
) -> None:
    lister = server_user(srv, "lister", {"Action": "lookoutvision:ListProjects", "Resource": "*"})
    lister.list_projects()  # unchecked yet
    server_auth(0)
    assert lister.list_projects()["Projects"] == []
    with pytest.raises(ClientError) as refused:
        lister.create_project(ProjectName=PROJECT)
    code, status, message = denial(refused)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/lister is not authorized to perform: "
        f"lookoutvision:CreateProject on resource: {LV}:project/{PROJECT}"
    )
    with pytest.raises(ClientError) as unknown:
        boto3_client(srv).list_projects()  # moto's fake key: no such user
    assert denial(unknown)[:2] == ("UnrecognizedClientException", 403)
    server_auth(float("inf"))
    assert boto3_client(srv).list_projects()["Projects"] == []


def test_create_model_over_the_server_needs_the_output_permissions(
    srv: ServerHandle, server_auth: Any
) -> None:
    ready_project_over(srv)
    statements = [
        {"Action": "lookoutvision:CreateModel", "Resource": "*"},
        {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::lv-images/*"},
        {"Action": "s3:GetBucketLocation", "Resource": "*"},
    ]
    short = server_user(srv, "short", *statements)
    trainer = server_user(srv, "trainer", *statements, {"Action": "s3:PutObject", "Resource": "*"})
    server_auth(0)
    with pytest.raises(ClientError) as refused:
        short.create_model(ProjectName=SERVER_PROJECT, OutputConfig=OUTPUT, ClientToken="once")
    assert denial(refused)[2].endswith(
        "perform: s3:PutObject on resource: arn:aws:s3:::lv-results/training/*"
    )
    made = trainer.create_model(ProjectName=SERVER_PROJECT, OutputConfig=OUTPUT, ClientToken="once")
    assert made["ModelMetadata"]["ModelVersion"] == "1"
    server_auth(float("inf"))
    models = boto3_client(srv).list_models(ProjectName=SERVER_PROJECT)["Models"]
    assert [m["ModelVersion"] for m in models] == ["1"]
