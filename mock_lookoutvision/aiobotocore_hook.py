"""aiobotocore answered in-process: the same moto stubber as boto3's, with an awaitable answer.

moto answers botocore through a ``before-send`` handler (its ``botocore_stubber``) that returns a
botocore ``AWSResponse``; aiobotocore registers the same built-in handlers but awaits the answer's
body (``await response.content``), so moto's answer fails there, after the call has run.
aiobotocore swaps some built-in handlers for async versions as a session registers them (its
``hooks._HANDLER_MAPPING``); ``attach()`` adds moto's stubber to that mapping, with a wrapper that
hands this service's answers over as aiobotocore's own ``AioAWSResponse``. Each call still runs
once, through moto's switch and this package's pipeline. Other services' answers are passed on as
moto gives them (moto does not support aiobotocore; their bodies may stream).

Sessions created after ``attach()`` get the wrapper: it runs when the package is imported after
aiobotocore, and at every mock's start.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.core.models import botocore_stubber

from .endpoints import HOST


class _AwaitableBody:
    """The raw body aiobotocore reads: ``await raw.read()``, once."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, amount: int | None = None) -> bytes:
        data, self._data = self._data, b""
        return data


def _aio_stubber(event_name: str, request: Any, **kwargs: Any) -> Any:
    answer = botocore_stubber(event_name=event_name, request=request, **kwargs)
    if answer is None or not HOST.match(request.url or ""):
        return answer
    from aiobotocore.awsrequest import AioAWSResponse

    return AioAWSResponse(
        answer.url, answer.status_code, answer.headers, _AwaitableBody(answer.content)
    )


def attach() -> None:
    """Makes aiobotocore sessions created from now on answered by the mock, if aiobotocore is
    imported (an import here would cost every user who has it installed). Idempotent."""
    hooks = sys.modules.get("aiobotocore.hooks")
    mapping = getattr(hooks, "_HANDLER_MAPPING", None)
    if isinstance(mapping, dict):
        mapping.setdefault(botocore_stubber, _aio_stubber)
