"""Which account a request is made in, resolved as moto resolves it."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID

from .errors import UnrecognizedClientException
from .protocol import header_text

_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def default_account() -> str:
    """The account of a request that names none: ``MOTO_ACCOUNT_ID``, else moto's default."""
    return os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)


def is_account_id(value: str) -> bool:
    return _ACCOUNT_ID.fullmatch(value) is not None


def request_account(headers: Mapping[str, Any]) -> str:
    """In moto's order: MOTO_ACCOUNT_ID, header x-moto-account-id, then the access key's account."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = headers.get("x-moto-account-id")
    if header:
        account = header_text(header)
        if not is_account_id(account):
            # It goes into ARNs and state keys; AWS account ids are 12 digits.
            raise UnrecognizedClientException(
                f"The account id {account!r} is not a 12-digit AWS account id."
            )
        return account
    key_match = _ACCESS_KEY.search(header_text(headers.get("Authorization") or ""))
    if key_match is None:
        return DEFAULT_ACCOUNT_ID
    return _account_of_access_key(key_match.group(1))


@functools.lru_cache(maxsize=1024)
def _account_of_access_key(access_key: str) -> str:
    """moto's IAM lookup, remembered: it walks every account and partition, and an access key's
    account never changes (moto makes new keys, with new ids, for new users and roles)."""
    # Imported on first use, as moto does: its IAM module is heavy.
    from moto.iam.models import get_account_id_from

    account: str = get_account_id_from(access_key)
    return account


def forget_access_keys() -> None:
    _account_of_access_key.cache_clear()
