"""The journal: every call the mock answered, for tests to assert on.

Kept in call order across accounts and regions, and emptied with the rest of the state when the
outermost mock starts or stops.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class Call:
    operation: str
    parameters: dict[str, Any]  # as the operation's input members, after parsing
    # The error code answered (``DroppedConnection`` for an injected dropped connection), or None
    # for a success.
    error: str | None
    seconds: float  # simulated time of the call, seconds since the epoch
    # Whether the call was carried out, its effects kept: every success, and a call answered by a
    # fault injected after commit.
    committed: bool = False

    @property
    def at(self) -> datetime:
        """The simulated time of the call (UTC)."""
        return datetime.fromtimestamp(self.seconds, tz=timezone.utc)


class Journal:
    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self, operation: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if operation is None or c.operation == operation]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


journal = Journal()
