"""NextToken paging, the same for every List operation.

A token names the list it belongs to and the position to resume at, so a token from another list,
or a forged one, is refused. Lists are read lazily from the resume position, only as far as the
page needs: a resumed page costs what the first page costs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from typing import TypeVar

from .errors import ValidationException

DEFAULT_PAGE_SIZE = 100

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
            return page, base64.b64encode(f"{scope}|{position(item)}".encode()).decode()
        page.append(item)
    return page, None


def _resume_position(scope: str, next_token: str) -> int:
    try:
        token_scope, _, resume_at = (
            base64.b64decode(next_token, validate=True).decode().rpartition("|")
        )
        start = int(resume_at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationException("The pagination token is invalid.") from None
    if token_scope != scope:
        raise ValidationException("The pagination token is invalid.")
    return start
