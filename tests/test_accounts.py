"""Account ids are 12 digits wherever a request or a control names one; accounts stay apart."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mock_lookoutvision import ControlError
from mock_lookoutvision.models import lookoutvision_backends

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
