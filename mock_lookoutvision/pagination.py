"""NextToken paging, the same for every List operation.

A token names the list it belongs to and the position to resume at, sealed with a keyed digest
(AWS's tokens are opaque too), so a token from another list, or one made or edited by hand
(``ListProjects|-5``, a position no page ever ends at), is refused. Lists are read lazily from the
resume position, only as far as the page needs: a resumed page costs what the first page costs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from .errors import ValidationException

DEFAULT_PAGE_SIZE = 100
# The key of this process's tokens: one made elsewhere, or before a restart, is no token of its.
_KEY = secrets.token_bytes(32)

T = TypeVar("T")


def paginate(
    scope: str,
    next_token: str | None,
    max_results: int | None,
    items_from: Callable[[int | None], Iterable[T]],
    position: Callable[[T], int],
) -> tuple[list[T], str | None]:
    """One page and the token for the next, if any. ``items_from(start)`` yields the items in
    ``position`` order from position ``start`` on (all of them for None)."""
    start = None if next_token is None else _resume_position(scope, next_token)
    size = max_results or DEFAULT_PAGE_SIZE
    page: list[T] = []
    for item in items_from(start):
        if len(page) == size:
            return page, _token(scope, position(item))
        page.append(item)
    return page, None


def _token(scope: str, position: int) -> str:
    where = f"{scope}|{position}"
    return base64.b64encode(f"{where}|{_seal(where)}".encode()).decode()


def _seal(where: str) -> str:
    return hmac.new(_KEY, where.encode(), hashlib.sha256).hexdigest()[:32]


def _resume_position(scope: str, next_token: str) -> int:
    try:
        where, _, seal = base64.b64decode(next_token, validate=True).decode().rpartition("|")
    except (binascii.Error, UnicodeDecodeError):
        raise ValidationException("The pagination token is invalid.") from None
    token_scope, _, resume_at = where.rpartition("|")
    # The seal covers scope and position; only then is the position a number a page ended at.
    if not hmac.compare_digest(seal, _seal(where)) or token_scope != scope:
        raise ValidationException("The pagination token is invalid.")
    return int(resume_at)
