"""The one place that touches moto's internals (tested against the moto range in pyproject.toml).

moto answers a request in two steps: its ``BotocoreStubber`` (a botocore ``before-send`` handler,
also the callback of moto's ``responses`` mock for plain HTTP clients) finds the service whose
pattern in ``moto.backend_index.backend_url_patterns`` matches the URL, then asks
``moto.backends.get_backend(service)`` (which imports ``moto.<service>`` and reads its
``<service>_backends``) for the backend whose ``urls`` map the URL to a handler.

``attach()`` makes both steps know "lookoutvision":

- the URL pattern goes first in the index (it must be there before the outermost ``mock_aws``
  starts: moto registers its ``responses`` callbacks from the index at that moment);
- ``moto.lookoutvision`` is an alias of this package's backend module;
- the stubber's ``process_request`` answers lookoutvision URLs straight from the raw request. moto's
  generic path first rebuilds every request as a werkzeug request (recent moto) and scans ~200 URL
  patterns, which costs more than this service's whole work per call; other URLs go to moto as
  before. Being inside the stubber keeps moto's on/off switch and exactly one execution per call
  (a second ``before-send`` handler would be called too, and moto's would then run the request
  again). moto's passthrough and service-whitelist settings are honoured as moto does.

The backends themselves live in a moto ``BackendDict`` (``backend.lookoutvision_backends``); the
helpers at the end read and clear it, and read the objects the service reads from moto's S3.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import moto.backend_index as backend_index
from moto import settings as moto_settings
from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
from moto.core.exceptions import ServiceNotWhitelisted
from moto.core.models import DEFAULT_ACCOUNT_ID, MockAWS, botocore_stubber

from . import backend as backend_module
from .api_model import SERVICE_NAME
from .errors import S3Unavailable
from .protocol import Response
from .routing import answer

# The endpoints the model's rule set produces: plain, FIPS, and dual-stack (api.aws).
_HOST = re.compile(r"https?://lookoutvision(?:-fips)?\.([^.]+)\.(?:amazonaws\.com|api\.aws)")
URL_PATTERN = _HOST.pattern + "/.*"
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")

_moto_process_request: Callable[[Any], Any] | None = None


def attach() -> None:
    """Makes moto's routing answer lookoutvision requests. Idempotent."""
    global _moto_process_request
    sys.modules.setdefault(f"moto.{SERVICE_NAME}", backend_module)
    if not any(name == SERVICE_NAME for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.insert(0, (SERVICE_NAME, _HOST))
    if _moto_process_request is None:
        _moto_process_request = botocore_stubber.process_request
        botocore_stubber.process_request = _process_request  # type: ignore[method-assign]


def is_attached() -> bool:
    return (
        sys.modules.get(f"moto.{SERVICE_NAME}") is backend_module
        and backend_index.backend_url_patterns[0] == (SERVICE_NAME, _HOST)
        and botocore_stubber.process_request is _process_request
    )


def _process_request(request: Any) -> Any:
    """moto's stubber entry point: lookoutvision URLs here, every other URL to moto."""
    url = request.url or ""
    if not _HOST.match(url):
        assert _moto_process_request is not None
        return _moto_process_request(request)
    if passthrough_service(SERVICE_NAME) or passthrough_url(url.split("?", 1)[0]):
        return None
    if not service_whitelisted(SERVICE_NAME):
        raise ServiceNotWhitelisted(SERVICE_NAME)
    return answer(*_request_parts(request), backend_for)


def dispatch(request: Any, full_url: str, headers: Mapping[str, Any]) -> Response:
    """The handler in ``LookoutVisionBackend.urls``, for moto paths that go through the backend
    lookup (a client patched with ``moto.core.patch_client`` before this package was imported)."""
    return answer(*_request_parts(request), backend_for)


def _request_parts(request: Any) -> tuple[str, str, Mapping[str, Any], bytes | str | None]:
    """Method, raw (still percent-encoded) URL, headers and body of any request moto hands on:
    botocore's and requests' prepared requests, or the werkzeug request some moto versions build."""
    if hasattr(request, "get_data"):
        environ = request.environ
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        url = request.host_url.rstrip("/") + raw
        return request.method, url, request.headers, request.get_data()
    return request.method or "GET", request.url or "", request.headers, request.body


def backend_for(url: str, headers: Mapping[str, Any]) -> backend_module.LookoutVisionBackend:
    """The backend of the caller's account and of the endpoint's region."""
    host = _HOST.match(url)
    return backend_of(account_id(headers), host.group(1) if host else "us-east-1")


def account_id(headers: Mapping[str, Any]) -> str:
    """In moto's order: MOTO_ACCOUNT_ID, header x-moto-account-id, then the access key's account."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = headers.get("x-moto-account-id")
    if header:
        return _text(header)
    key_match = _ACCESS_KEY.search(_text(headers.get("Authorization") or ""))
    if key_match is None:
        return DEFAULT_ACCOUNT_ID
    return _account_of_access_key(key_match.group(1))


@functools.lru_cache(maxsize=1024)
def _account_of_access_key(access_key: str) -> str:
    """moto's IAM lookup, remembered: it walks every account and partition, and an access key's
    account never changes (moto makes new keys, with new ids, for new users and roles)."""
    from moto.iam.models import get_account_id_from

    account: str = get_account_id_from(access_key)
    return account


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def backend_of(account: str, region: str) -> backend_module.LookoutVisionBackend:
    """The backend of an account and region, created on first use.

    Existing backends are read with plain dict lookups: ``BackendDict.__getitem__`` takes a lock
    and copies the account list on every call, which shows on the per-request path.
    """
    backends = backend_module.lookoutvision_backends
    regions = dict.get(backends, account)
    existing = dict.get(regions, region) if regions is not None else None
    if existing is not None:
        return existing
    if region not in backend_module.REGIONS and not moto_settings.allow_unknown_region():
        raise ValueError(
            f"Amazon Lookout for Vision was not offered in {region}; it was in "
            f"{', '.join(backend_module.REGIONS)}. Set MOTO_ALLOW_NONEXISTENT_REGION=true to "
            "use other regions anyway."
        )
    return backends[account][region]


def drop_all_backends() -> None:
    """Forgets every account's and region's state of this service (and only of this service)."""
    backend_module.lookoutvision_backends.clear()
    _account_of_access_key.cache_clear()


@functools.cache
def _s3() -> tuple[Any, type[Exception]]:
    # Imported on first use: moto's S3 module is heavy. Its backends and missing-bucket error.
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    return s3_backends, MissingBucket


def _s3_object(account: str, partition: str, bucket: str, key: str, version: str | None) -> Any:
    """moto's object, as the service's own reads would find it; S3Unavailable saying why not."""
    s3_backends, MissingBucket = _s3()
    try:
        found = s3_backends[account][partition].get_object(bucket, key, version)
    except MissingBucket:
        raise S3Unavailable(f"The bucket {bucket} does not exist.") from None
    if found is None:
        version_text = f" (version {version})" if version else ""
        raise S3Unavailable(f"The object s3://{bucket}/{key}{version_text} does not exist.")
    return found


def read_s3_object(
    account: str, partition: str, bucket: str, key: str, version: str | None
) -> bytes:
    """The bytes of an object in moto's S3."""
    data: bytes = _s3_object(account, partition, bucket, key, version).value
    return data


def read_s3_head(
    account: str, partition: str, bucket: str, key: str, limit: int, max_size: int
) -> tuple[bytes, int]:
    """The first ``limit`` bytes of an object in moto's S3 (none if it is over ``max_size``: it
    isn't read at all), and its size."""
    found = _s3_object(account, partition, bucket, key, None)
    size = int(found.size)
    head: bytes = found.value[:limit] if size <= max_size else b""
    return head, size


def write_s3_object(account: str, partition: str, bucket: str, key: str, data: bytes) -> None:
    """Puts an object into moto's S3, as the service writes its results."""
    s3_backends, MissingBucket = _s3()
    try:
        s3_backends[account][partition].put_object(bucket, key, data)
    except MissingBucket:
        raise S3Unavailable(f"The bucket {bucket} does not exist.") from None


def s3_bucket_region(account: str, partition: str, bucket: str) -> str:
    """The region of a bucket in moto's S3 (what s3:GetBucketLocation tells the service)."""
    s3_backends, MissingBucket = _s3()
    try:
        region: str = s3_backends[account][partition].get_bucket(bucket).region_name
    except MissingBucket:
        raise S3Unavailable(f"The bucket {bucket} does not exist.") from None
    return region


def kms_key_usable(account: str, region: str, key_id: str) -> bool:
    """Whether a key id, key ARN, alias name or alias ARN names an enabled key in moto's KMS."""
    from moto.kms.models import kms_backends

    # A key ARN names its own region; an id or alias is looked up in the caller's.
    parts = key_id.split(":")
    if key_id.startswith("arn:") and len(parts) > 4:
        region, account = parts[3], parts[4]
    try:
        key = kms_backends[account][region].describe_key(key_id)
    except Exception:  # moto raises its own NotFound types, and KeyError for unknown aliases
        return False
    return bool(key.enabled)


C = TypeVar("C")


def decorate_class(mock: Callable[..., Any], klass: C) -> C:
    """Wraps a test class's methods the way ``mock_aws`` does (setUp and tests share one state).

    moto's implementation only calls ``mock(method, reset=..., remove_data=...)`` on its ``self``.
    """
    return cast(C, MockAWS._decorate_class(cast(MockAWS, mock), cast(Any, klass)))


def new_moto_mock() -> MockAWS:
    """moto's own mock: fake credentials, a fresh boto3 session, and every moto service live."""
    from moto import mock_aws

    return mock_aws()
