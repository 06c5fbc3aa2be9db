"""Account ids are 12 digits wherever a request or a control names one; accounts stay apart."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from mock_lookoutvision import ControlError
from mock_lookoutvision.models import lookoutvision_backends
from mock_lookoutvision.serving import ServerHandle

from .conftest import PROJECT, model_versions, ready_project, role_keys

PROJECTS = "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/projects"


@pytest.mark.parametrize(
    "account", ["../x", "12345", "1234567890123", "12345678901a", "0x1234567890"]
)
def test_a_request_naming_no_account_id_is_refused_and_changes_nothing(
    lookoutvision_mock: Any, lookoutvision_client: Any, account: str
) -> None:
    answer = requests.post(
        PROJECTS,
        json={"ProjectName": "widgets"},
        headers={"x-moto-account-id": account},
        timeout=10,
    )
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"].startswith("UnrecognizedClientException")
    assert "12-digit" in answer.json()["Message"]
    assert account not in lookoutvision_backends
    assert lookoutvision_client.list_projects()["Projects"] == []


def test_a_twelve_digit_account_is_its_own(
    lookoutvision_mock: Any, lookoutvision_client: Any
) -> None:
    answer = requests.post(
        PROJECTS,
        json={"ProjectName": "widgets"},
        headers={"x-moto-account-id": "111122223333"},
        timeout=10,
    )
    assert answer.status_code == 200
    arn = answer.json()["ProjectMetadata"]["ProjectArn"]
    assert arn == "arn:aws:lookoutvision:us-east-1:111122223333:project/widgets"
    assert lookoutvision_client.list_projects()["Projects"] == []  # the default account's
    elsewhere = lookoutvision_mock.scoped(account_id="111122223333")
    elsewhere.set_quota("L-64685F61", 1)  # acts there, not on the default account
    lookoutvision_client.create_project(ProjectName="gaskets")
    lookoutvision_client.create_project(ProjectName="valves")


@pytest.mark.parametrize("account", ["../x", "12345", "abcdefghijkl"])
def test_a_control_naming_no_account_id_is_a_control_error(
    lookoutvision_mock: Any, account: str
) -> None:
    with pytest.raises(ControlError, match="12-digit"):
        lookoutvision_mock.scoped(account_id=account)


# Isolation: projects, models and ClientTokens belong to one account and region -----------------

PLACES = [
    ("123456789012", "us-east-1"),
    ("111122223333", "us-east-1"),
    ("123456789012", "eu-west-1"),
]


def test_one_client_token_makes_one_model_in_each_account_and_region(
    lookoutvision_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = {}
    for account, region in PLACES:
        monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
        client = boto3.client("lookoutvision", region_name=region)
        output = ready_project(client, lookoutvision_mock)
        for _ in range(2):  # the second is a replay, in this place only
            model = client.create_model(
                ProjectName=PROJECT, OutputConfig=output, ClientToken="shared-token"
            )["ModelMetadata"]
            assert model["ModelArn"] == made.setdefault(
                (account, region), f"arn:aws:lookoutvision:{region}:{account}:model/{PROJECT}/1"
            )
    for account, region in PLACES:
        monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
        client = boto3.client("lookoutvision", region_name=region)
        assert model_versions(client) == ["1"]
        assert [p["ProjectArn"] for p in client.list_projects()["Projects"]] == [
            f"arn:aws:lookoutvision:{region}:{account}:project/{PROJECT}"
        ]
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
    assert boto3.client("lookoutvision", region_name="us-east-1").list_projects()["Projects"] == []


def test_credentials_of_a_role_in_another_account_act_in_that_account(
    lookoutvision_mock: Any, lookoutvision_client: Any
) -> None:
    keys = role_keys("arn:aws:iam::222233334444:role/builder")
    elsewhere = boto3.client("lookoutvision", region_name="us-east-1", **keys)
    arn = elsewhere.create_project(ProjectName=PROJECT)["ProjectMetadata"]["ProjectArn"]
    assert arn == f"arn:aws:lookoutvision:us-east-1:222233334444:project/{PROJECT}"
    assert lookoutvision_client.list_projects()["Projects"] == []
    assert [p["ProjectName"] for p in elsewhere.list_projects()["Projects"]] == [PROJECT]


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:lookoutvision:us-east-1:12345:model/{PROJECT}/1",  # no account id
        f"arn:aws:lookoutvision:us-east-1:../x:model/{PROJECT}/1",
        f"arn:aws:lookoutvision:us-east-1:111122223333:model/{PROJECT}/1",  # another account's
        f"arn:aws:lookoutvision:eu-west-1:123456789012:model/{PROJECT}/1",  # another region's
    ],
)
def test_a_tags_arn_outside_the_callers_account_and_region_names_no_model(
    lookoutvision_mock: Any, lookoutvision_client: Any, arn: str
) -> None:
    ready_project(lookoutvision_client, lookoutvision_mock)
    output = {"S3Location": {"Bucket": "lv-results", "Prefix": "training/"}}
    model = lookoutvision_client.create_model(ProjectName=PROJECT, OutputConfig=output)
    before = set(lookoutvision_backends)
    for call in (
        lambda: lookoutvision_client.tag_resource(
            ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]
        ),
        lambda: lookoutvision_client.list_tags_for_resource(ResourceArn=arn),
        lambda: lookoutvision_client.untag_resource(ResourceArn=arn, TagKeys=["k"]),
    ):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert set(lookoutvision_backends) == before  # nothing made for the ARN's account
    own = model["ModelMetadata"]["ModelArn"]
    assert lookoutvision_client.list_tags_for_resource(ResourceArn=own)["Tags"] == []


@pytest.mark.parametrize("account", ["12345", "../x", "1234567890123"])
def test_a_control_route_naming_no_account_id_is_refused(srv: ServerHandle, account: str) -> None:
    answer = requests.post(
        f"{srv.endpoint_url}/_mock_lookoutvision/quotas",
        json={"quota_code": "L-64685F61", "value": 1, "account_id": account},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "12-digit" in answer.json()["message"]
    assert account not in lookoutvision_backends
