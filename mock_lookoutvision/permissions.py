"""Opt-in IAM enforcement: what each operation needs, decided by moto's own IAM.

*When* is moto's switch: ``moto.settings.INITIAL_NO_AUTH_ACTION_COUNT`` (the environment
variable of that name, ``moto.core.set_initial_no_auth_action_count(n)``, ``POST
/moto-api/reset-auth`` on a server). The first n requests go unchecked and every later one is
checked; by default (infinity) none is. The count is moto's own, shared with its services, and a
request of this service counts as one of theirs does (``ActionAuthenticatorMixin``).

*Whether* is moto's IAM (``moto.iam.access_control``): the signature is checked against the
access key's secret, and the actions are evaluated against the policies of the key's user
(inline, managed, its groups') or assumed role, an explicit Deny winning over any Allow.

*What* is this module's table: each operation needs ``lookoutvision:<Operation>`` on the resource
it names (the resource types of the Service Authorization Reference: a project, a model, a tagged
ARN; ``*`` for the operations it lists no resource type for). CreateModel also needs what the
service itself would do with the caller's data (the API reference lists them):

- ``lookoutvision:TagResource`` on the new model when it is given Tags;
- ``s3:GetObject`` on every image of the project's train and test datasets;
- ``s3:GetBucketLocation`` on the output bucket and ``s3:PutObject`` under its prefix;
- ``kms:CreateGrant`` and ``kms:GenerateDataKey`` on the KmsKeyId when one is given (an ARN as
  given; a key id or an alias in the caller's account and region).

The check runs after validation and before idempotency: a refused call changes nothing (no
model, no remembered ClientToken, no tag).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin

from .api_model import SERVICE_NAME
from .errors import (
    AccessDeniedException,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from .protocol import header_text
from .service.base import ServiceState

# The operations whose resource is the project they name, and those whose resource is the model.
_PROJECT_RESOURCE = frozenset({"CreateProject", "DeleteProject", "DescribeProject", "ListModels"})
_MODEL_RESOURCE = frozenset(
    {
        "DeleteModel",
        "DescribeModel",
        "DetectAnomalies",
        "StartModel",
        "StartModelPackagingJob",
        "StopModel",
    }
)
_TAGGED_RESOURCE = frozenset({"ListTagsForResource", "TagResource", "UntagResource"})

# A SigV4 Authorization header, as far as moto's IAM reads it.
_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=[^/,\s]+/\d{8}/[^/,\s]+/[^/,\s]+/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=[0-9a-f]+"
)
# moto's IAM looks these headers up by these spellings.
_CANONICAL_NAMES = {
    name.lower(): name for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")
}

Need = tuple[str, str]  # an action and the resource ARN it is needed on


def enforced() -> bool:
    """Whether this request is checked, counted as moto counts its own: the first
    ``INITIAL_NO_AUTH_ACTION_COUNT`` requests are not. Asked once a request is routed to an
    operation, as moto asks before its handlers validate anything: a call refused later still
    counts."""
    if ActionAuthenticatorMixin.request_count >= moto_settings.INITIAL_NO_AUTH_ACTION_COUNT:
        return True
    ActionAuthenticatorMixin.request_count += 1
    return False


def authorize(
    checked: bool,
    operation: str,
    params: Mapping[str, Any],
    state: ServiceState,
    method: str,
    url: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
) -> None:
    """Nothing for a request moto's switch left unchecked (``checked``, from ``enforced``);
    otherwise the service's error for an unsigned, badly signed or unknown caller, or the
    AccessDeniedException for the first permission it lacks."""
    if not checked:
        return
    needs = required(operation, params, state)
    request = _request(state.account_id, method, url, headers, body, operation)
    request.check_signature()
    for action, resource in needs:
        request.check(action, resource)


def required(operation: str, params: Mapping[str, Any], state: ServiceState) -> list[Need]:
    """The actions a call needs and the resources it needs them on, in the order they are
    checked."""
    if operation == "CreateModel":
        return list(_create_model(params, state))
    return [(f"{SERVICE_NAME}:{operation}", _resource(operation, params, state))]


def _resource(operation: str, params: Mapping[str, Any], state: ServiceState) -> str:
    if operation in _PROJECT_RESOURCE:
        return state.arn(f"project/{params['ProjectName']}")
    if operation in _MODEL_RESOURCE:
        return state.arn(f"model/{params['ProjectName']}/{params['ModelVersion']}")
    if operation in _TAGGED_RESOURCE:
        arn: str = params["ResourceArn"]
        return arn
    return "*"


def _create_model(params: Mapping[str, Any], state: ServiceState) -> Iterator[Need]:
    name = params["ProjectName"]
    s3 = f"arn:{state.partition}:s3:::"
    with state.lock:  # the datasets as they stand, not as another request changes them
        project = state.projects.get(name)
        # The model a new call would make (the next version).
        version = (project.last_version if project is not None else 0) + 1
        image_refs = [
            source_ref
            for dataset in (project.datasets.values() if project is not None else ())
            for source_ref in dataset.entries
        ]
    # A repeat of a call whose token is remembered concerns the model that call made.
    token = params.get("ClientToken")
    done = state.tokens.remembered("CreateModel", token) if token is not None else None
    model = state.arn(f"model/{done.resource_id if done is not None else f'{name}/{version}'}")
    yield f"{SERVICE_NAME}:CreateModel", model
    if params.get("Tags"):
        yield f"{SERVICE_NAME}:TagResource", model
    for source_ref in dict.fromkeys(image_refs):  # each object once, in dataset order
        yield "s3:GetObject", s3 + source_ref.removeprefix("s3://")
    location = params["OutputConfig"]["S3Location"]
    yield "s3:GetBucketLocation", s3 + location["Bucket"]
    yield "s3:PutObject", f"{s3}{location['Bucket']}/{location.get('Prefix', '')}*"
    key_id = params.get("KmsKeyId")
    if key_id is not None:
        key = _kms_key_arn(key_id, state)
        yield "kms:CreateGrant", key
        yield "kms:GenerateDataKey", key


def _kms_key_arn(key_id: str, state: ServiceState) -> str:
    if key_id.startswith("arn:"):
        return key_id
    resource = key_id if key_id.startswith("alias/") else f"key/{key_id}"
    return f"arn:{state.partition}:kms:{state.region_name}:{state.account_id}:{resource}"


def _request(
    account_id: str,
    method: str,
    url: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
    operation: str,
) -> Any:
    """moto's IAM request for this call: the caller's access key found (user or assumed role) in
    the account of the request."""
    texts = _text_headers(headers, url)
    authorization = texts.get("Authorization")
    if not authorization:
        raise MissingAuthenticationTokenException("Missing Authentication Token")
    signature = _SIGV4.fullmatch(authorization.strip())
    if signature is None or "x-amz-date" not in signature.group(1).split(";"):
        raise IncompleteSignatureException(
            "The Authorization header is no SigV4 signature with a credential scope, signed "
            "headers (X-Amz-Date among them) and a signature."
        )
    if "X-Amz-Date" not in texts:
        raise IncompleteSignatureException("The signed header X-Amz-Date is missing.")
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    data = body.encode() if isinstance(body, str) else (body or b"")
    return _iam_request_class()(
        account_id=account_id,
        method=method.upper(),
        path=path,
        data={},
        body=data,
        headers=texts,
        action=operation,
    )


def _text_headers(headers: Mapping[str, Any], url: str) -> dict[str, str]:
    """The headers as text (botocore hands them on as bytes), under the spellings moto's IAM
    looks up, with the Host the client signed when the request object carries none."""
    texts: dict[str, str] = {}
    for name, value in headers.items():
        texts[_CANONICAL_NAMES.get(name.lower(), name)] = header_text(value)
    if not any(name.lower() == "host" for name in texts):
        texts["Host"] = urlsplit(url).netloc
    return texts


_IAM_REQUEST: Any = None


def _iam_request_class() -> Any:
    """moto's IAM request, answering in this service's errors (made on first use: moto's IAM
    module is heavy, and only enforcement needs it)."""
    global _IAM_REQUEST
    if _IAM_REQUEST is not None:
        return _IAM_REQUEST
    from botocore.auth import SigV4Auth
    from moto.iam.access_control import IAMRequestBase

    class LookoutVisionIAMRequest(IAMRequestBase):
        _resource = "*"

        def check(self, action: str, resource: str) -> None:
            """AccessDeniedException unless the caller may do ``action`` on ``resource``."""
            self._action, self._resource = action, resource
            self.check_action_permitted(resource)

        def _raise_access_denied(self) -> None:
            raise AccessDeniedException(
                f"User: {self._access_key.arn} is not authorized to perform: {self._action} "
                f"on resource: {self._resource}"
            )

        def _raise_invalid_access_key(self, reason: str) -> None:
            raise UnrecognizedClientException(
                "The security token included in the request is invalid."
            )

        def _raise_signature_does_not_match(self) -> None:
            raise InvalidSignatureException(
                "The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method."
            )

        def _create_auth(self, credentials: Any) -> SigV4Auth:
            return SigV4Auth(credentials, self._service, self._region)

    _IAM_REQUEST = LookoutVisionIAMRequest
    return _IAM_REQUEST
