"""Tags on models: given at creation, or through Tag/Untag/ListTagsForResource."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import requests

from .conftest import OUTPUT, PROJECT


def _tags(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"Key": f"{prefix}{i}", "Value": f"v{i}"} for i in range(count)]


@pytest.fixture
def model_arn(lookoutvision_client: Any, project: str) -> str:
    arn: str = lookoutvision_client.create_model(
        ProjectName=PROJECT, OutputConfig=OUTPUT, Tags=[{"Key": "team", "Value": "vision"}]
    )["ModelMetadata"]["ModelArn"]
    return arn


def _listed(client: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def test_tags_given_at_creation_are_on_the_model(lookoutvision_client: Any, model_arn: str) -> None:
    assert _listed(lookoutvision_client, model_arn) == {"team": "vision"}


def test_tag_merges_and_overwrites(lookoutvision_client: Any, model_arn: str) -> None:
    lookoutvision_client.tag_resource(
        ResourceArn=model_arn,
        Tags=[{"Key": "team", "Value": "qa"}, {"Key": "stage", "Value": "dev"}],
    )
    assert _listed(lookoutvision_client, model_arn) == {"team": "qa", "stage": "dev"}


def test_untag_removes_only_named_keys(lookoutvision_client: Any, model_arn: str) -> None:
    lookoutvision_client.tag_resource(ResourceArn=model_arn, Tags=_tags(3))
    lookoutvision_client.untag_resource(ResourceArn=model_arn, TagKeys=["k0", "team", "absent"])
    assert _listed(lookoutvision_client, model_arn) == {"k1": "v1", "k2": "v2"}


def test_tagging_up_to_the_limit_works(lookoutvision_client: Any, model_arn: str) -> None:
    lookoutvision_client.tag_resource(ResourceArn=model_arn, Tags=_tags(199))
    assert len(_listed(lookoutvision_client, model_arn)) == 200


def test_going_over_200_tags_is_a_quota_error_and_changes_nothing(
    lookoutvision_client: Any, model_arn: str
) -> None:
    lookoutvision_client.tag_resource(ResourceArn=model_arn, Tags=_tags(150))
    before = _listed(lookoutvision_client, model_arn)
    with pytest.raises(lookoutvision_client.exceptions.ServiceQuotaExceededException) as excinfo:
        lookoutvision_client.tag_resource(ResourceArn=model_arn, Tags=_tags(50, prefix="x"))
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 402
    # The 1 tag from creation, 150 more and 50 new ones: one over the limit of 200.
    message = f"The resource {model_arn} would have 201 tags; the limit is 200."
    assert {k: v for k, v in error.items() if k != "ResponseMetadata"} == {
        "Error": {"Code": "ServiceQuotaExceededException", "Message": message},
        "Message": message,
        # No quota code is documented for this limit: the mock names it.
        "QuotaCode": "tags-per-resource",
        "ServiceCode": "lookoutvision",
        "ResourceId": model_arn,
        "ResourceType": "MODEL",
    }
    assert _listed(lookoutvision_client, model_arn) == before


@pytest.mark.parametrize(
    ("tags", "path"),
    [
        ([{"Key": "", "Value": "v"}], "tags.1.member.key"),
        ([{"Key": "k" * 129, "Value": "v"}], "tags.1.member.key"),
        ([{"Key": "ok", "Value": "v" * 257}], "tags.1.member.value"),
        ([{"Key": "bad!", "Value": "v"}], "tags.1.member.key"),
        (_tags(201), "tags"),
    ],
    ids=["key-empty", "key-too-long", "value-too-long", "key-pattern", "too-many"],
)
def test_tag_resource_validates_like_create_model(
    unchecked_client: Any, model_arn: str, tags: list[dict[str, str]], path: str
) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.tag_resource(ResourceArn=model_arn, Tags=tags)
    assert f"'{path}'" in excinfo.value.response["Error"]["Message"]
    assert _listed(unchecked_client, model_arn) == {"team": "vision"}


def test_duplicate_keys_and_reserved_prefix_are_refused(
    unchecked_client: Any, model_arn: str
) -> None:
    for tags in (
        [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
        [{"Key": "aws:created-by", "Value": "me"}],
    ):
        with pytest.raises(unchecked_client.exceptions.ValidationException):
            unchecked_client.tag_resource(ResourceArn=model_arn, Tags=tags)
    assert _listed(unchecked_client, model_arn) == {"team": "vision"}


def test_untag_key_list_is_bounded(unchecked_client: Any, model_arn: str) -> None:
    with pytest.raises(unchecked_client.exceptions.ValidationException) as excinfo:
        unchecked_client.untag_resource(
            ResourceArn=model_arn, TagKeys=[f"k{i}" for i in range(201)]
        )
    assert "'tagKeys'" in excinfo.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:lookoutvision:us-east-1:123456789012:model/widgets/9",
        "arn:aws:lookoutvision:us-east-1:123456789012:model/nothing/1",
        "arn:aws:lookoutvision:eu-west-1:123456789012:model/widgets/1",
        "arn:aws:lookoutvision:us-east-1:123456789012:project/widgets",
        "not-an-arn",
    ],
    ids=["unknown-version", "unknown-project", "other-region", "project", "garbage"],
)
def test_unknown_resources_are_not_found(
    lookoutvision_client: Any, model_arn: str, arn: str
) -> None:
    for call in (
        lambda: lookoutvision_client.list_tags_for_resource(ResourceArn=arn),
        lambda: lookoutvision_client.tag_resource(ResourceArn=arn, Tags=_tags(1)),
        lambda: lookoutvision_client.untag_resource(ResourceArn=arn, TagKeys=["team"]),
    ):
        with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException) as excinfo:
            call()
        assert excinfo.value.response["ResourceId"] == arn


def test_tags_go_with_a_deleted_model(
    lookoutvision_client: Any, lookoutvision_mock: Any, model_arn: str
) -> None:
    lookoutvision_mock.model(PROJECT, "1").training.finish()
    lookoutvision_client.delete_model(ProjectName=PROJECT, ModelVersion="1")
    lookoutvision_mock.advance(5)
    with pytest.raises(lookoutvision_client.exceptions.ResourceNotFoundException):
        lookoutvision_client.list_tags_for_resource(ResourceArn=model_arn)


def test_raw_http_with_an_encoded_arn(lookoutvision_client: Any, model_arn: str) -> None:
    url = (
        f"https://lookoutvision.us-east-1.amazonaws.com/2020-11-20/tags/{quote(model_arn, safe='')}"
    )
    assert "%2F" in url
    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert response.json() == {"Tags": [{"Key": "team", "Value": "vision"}]}
