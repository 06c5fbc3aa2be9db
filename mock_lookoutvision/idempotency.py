"""ClientToken idempotency, one pipeline step for every operation whose input has a member marked
``idempotencyToken`` in the model (ten of the 22).

"An idempotency token is active for 8 hours" (CreateModel API reference). A call's key is its
operation and token; what it is compared by is its parsed input minus the token, reduced along the
input shape: members the model doesn't know are left out (AWS ignores them), tags become a mapping
(their order means nothing, and no tags is the same as an empty list), and true stays unlike 1.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.model import ListShape, OperationModel, Shape, StructureShape

from .clock import clock
from .errors import ConflictException

TOKEN_LIFETIME_SECONDS = 8 * 3600.0
# Lists whose order carries no meaning, compared as a mapping of their items' Key to Value.
_KEYED_LISTS = frozenset({"TagList"})

Answer = dict[str, Any]


@dataclass(frozen=True)
class Done:
    """What an idempotent call did: its answer, the resource it concerns (named in a conflict),
    and, where a repeat should see the resource as it is now, how to answer one."""

    answer: Answer
    resource_id: str
    resource_type: str
    replay: Callable[[], Answer] | None = None


@functools.cache
def token_member(operation: OperationModel) -> str | None:
    """The input member that carries the operation's idempotency token, if it has one."""
    shape = operation.input_shape
    if not isinstance(shape, StructureShape):
        return None
    for name, member in shape.members.items():
        if member.metadata.get("idempotencyToken"):
            return name
    return None


def reduced(shape: Shape, value: Any) -> Any:
    """``value`` as it is compared with a repeat's: a copy later changes can't reach."""
    return _reducer(shape)(value)


@functools.cache
def _reducer(shape: Shape) -> Callable[[Any], Any]:
    """``reduced`` for one shape, planned once: a token comes with most calls that create."""
    if isinstance(shape, StructureShape):
        members = {
            name: (_reducer(member), _absent(member)) for name, member in shape.members.items()
        }

        def structure(value: Any) -> Any:
            if not isinstance(value, dict):
                return value
            kept = []
            for name in sorted(value):
                planned = members.get(name)
                item = value[name]
                if planned is not None and not planned[1](item):
                    kept.append((name, planned[0](item)))
            return tuple(kept)

        return structure
    if isinstance(shape, ListShape):
        if shape.name in _KEYED_LISTS:
            return lambda items: frozenset((item.get("Key"), item.get("Value")) for item in items)
        item_reducer = _reducer(shape.member)
        return lambda items: tuple(item_reducer(item) for item in items)
    return _scalar


def _scalar(value: Any) -> Any:
    return ("boolean", value) if isinstance(value, bool) else value


def _absent(shape: Shape) -> Callable[[Any], bool]:
    """Whether a member's value counts as not given: None, and no tags for a tag list."""
    if shape.name in _KEYED_LISTS:
        return lambda value: value is None or not value
    return lambda value: value is None


@dataclass
class _Remembered:
    inputs: Any  # as ``reduced`` made it
    expires_at: float
    done: Done


class Tokens:
    """The tokens seen in one account and region in the last 8 hours of simulated time."""

    def __init__(self) -> None:
        self._calls: OrderedDict[tuple[str, str], _Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def run(
        self,
        operation: OperationModel,
        params: dict[str, Any],
        act: Callable[[], Answer | Done],
    ) -> Answer:
        """Runs ``act`` once per token and input: a repeat within the token's lifetime gets the
        first answer (or the resource as it is now), the token with other input a conflict. The
        caller holds the backend's lock, so a check and its ``act`` are one step."""
        member = token_member(operation)
        token = params.get(member) if member is not None else None
        if token is None:
            result = act()
            return result.answer if isinstance(result, Done) else result
        assert operation.input_shape is not None
        inputs = reduced(operation.input_shape, {k: v for k, v in params.items() if k != member})
        key = (operation.name, token)
        now = clock.time()
        with self._lock:
            self._forget_expired(now)
            remembered = self._calls.get(key)
        # Expired ones are forgotten oldest first, but a test may move time backwards too.
        if remembered is not None and remembered.expires_at > now:
            if remembered.inputs != inputs:
                raise ConflictException(
                    f"The client token {token} was already used with different parameters.",
                    resource_id=remembered.done.resource_id,
                    resource_type=remembered.done.resource_type,
                )
            replay = remembered.done.replay
            return replay() if replay is not None else remembered.done.answer
        result = act()
        assert isinstance(result, Done), f"{operation.name} must say what it did"
        with self._lock:
            self._calls[key] = _Remembered(inputs, now + TOKEN_LIFETIME_SECONDS, result)
        return result.answer

    def _forget_expired(self, now: float) -> None:
        # Remembered in call order, and every token lives as long: the oldest expire first.
        while self._calls:
            key, oldest = next(iter(self._calls.items()))
            if oldest.expires_at > now:
                return
            del self._calls[key]

    def remembered(self, operation: str, token: str) -> Done | None:
        """What the call of ``operation`` with ``token`` did, while the token is active."""
        now = clock.time()
        with self._lock:
            found = self._calls.get((operation, token))
        return found.done if found is not None and found.expires_at > now else None

    def active(self, operation: str) -> int:
        """How many tokens of ``operation`` are remembered and not expired."""
        now = clock.time()
        with self._lock:
            return sum(
                1
                for (op, _), call in self._calls.items()
                if op == operation and call.expires_at > now
            )
