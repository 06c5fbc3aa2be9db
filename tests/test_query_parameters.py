"""Query parameters are read as the service reads them: a value that is not of the member's type
is a SerializationException before anything runs (probe findings R3 and the number forms)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

ENDPOINT = "https://lookoutvision.us-east-1.amazonaws.com/2020-11-20"
ENTRIES = f"{ENDPOINT}/projects/widgets/datasets/train/entries"


@pytest.mark.parametrize(
    ("url", "member"),
    [
        (f"{ENTRIES}?createdBefore=1e300", "createdBefore"),
        (f"{ENTRIES}?createdBefore=inf", "createdBefore"),
        (f"{ENTRIES}?createdAfter=-1e300", "createdAfter"),
        (f"{ENTRIES}?createdBefore=99999999999999999999", "createdBefore"),
        (f"{ENDPOINT}/projects?maxResults=\u0661", "maxResults"),  # an Arabic-Indic one
        (f"{ENDPOINT}/projects?maxResults=1_0", "maxResults"),
        (f"{ENDPOINT}/projects?maxResults=%205", "maxResults"),
    ],
)
def test_a_query_value_of_the_wrong_form_is_a_serialization_exception(
    lookoutvision_mock: Any, lookoutvision_client: Any, url: str, member: str
) -> None:
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"].startswith("SerializationException")
    assert f"query parameter '{member}'" in answer.json()["Message"]
    assert [c.error for c in lookoutvision_mock.calls()] == ["SerializationException"]
    assert lookoutvision_client.list_projects()["Projects"] == []


@pytest.mark.parametrize("query", ["maxResults=5", "maxResults=05", "maxResults=%2B5"])
def test_ascii_integers_are_read(lookoutvision_mock: Any, query: str) -> None:
    answer = requests.get(f"{ENDPOINT}/projects?{query}", timeout=10)
    assert (answer.status_code, answer.json()["Projects"]) == (200, [])
    assert lookoutvision_mock.calls()[0].parameters["MaxResults"] == 5


def test_a_timestamp_in_range_is_read(lookoutvision_mock: Any) -> None:
    answer = requests.get(f"{ENTRIES}?createdBefore=1700000000", timeout=10)
    # Read, then answered by the service: the project does not exist.
    assert answer.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
    assert lookoutvision_mock.calls()[0].parameters["BeforeCreationDate"] == 1700000000
