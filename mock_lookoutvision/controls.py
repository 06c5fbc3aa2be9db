"""What a test has arranged for one account and region, kept apart from the service's state.

The pipeline consults it for injected faults, the service for planned step failures and for the
DetectAnomalies results a test set. The handle is the only writer.

An injected fault is decided at the latest stage it needs (``Stage``): before the request is read
(the plain "next N calls" and a seeded fraction of the calls), once it is read and valid (a
predicate on the parameters), or once the call has succeeded and its effects are kept
(``after_commit``). At each stage an operation's faults are consulted in the order they were
injected; the first whose conditions hold answers the call.
"""

from __future__ import annotations

import enum
import random
import threading
from collections import deque
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .errors import LookoutVisionError
from .inference import DetectionResult
from .statuses import Step

Predicate = Callable[[Mapping[str, Any]], bool]


class DroppedConnection(Exception):
    """Injected in place of a service error: the connection is closed without an answer.

    In-process the client's HTTP layer raises what it raises when a server hangs up (botocore's
    ``ConnectionClosedError``, requests' ``ConnectionError``); the server closes the socket. Not a
    service error: no code, status or members reach the client. The journal records it as
    ``DroppedConnection``."""

    code = "DroppedConnection"

    def __init__(self) -> None:
        super().__init__("the connection was closed without an answer (injected)")


Fault = LookoutVisionError | DroppedConnection


class Stage(enum.Enum):
    """Where in the pipeline an injected fault is decided."""

    RECEIVED = "received"  # before the request is read
    VALIDATED = "validated"  # read and valid, before it runs
    COMMITTED = "committed"  # it ran and succeeded; its effects are kept


class Injected:
    """One injected fault and what is left of it: kept as a count, not as copies."""

    def __init__(
        self,
        operation: str,
        error: Fault,
        times: int | None,
        *,
        fraction: float | None = None,
        seed: int = 0,
        when: Predicate | None = None,
        after_commit: bool = False,
    ) -> None:
        self.operation = operation
        self.error = error
        self.remaining = times  # None: until cleared
        self.fraction = fraction
        self._random = random.Random(seed)  # drawn from only with a fraction
        self.when = when
        self.answered = 0
        self.active = True
        if after_commit:
            self.stage = Stage.COMMITTED
        elif when is not None:
            self.stage = Stage.VALIDATED
        else:
            self.stage = Stage.RECEIVED

    def claim(self) -> bool:
        """Whether this fault answers the call at hand (counted if so). The caller holds the
        controls' lock: a draw and its count are one step."""
        if not self.active:
            return False
        if self.fraction is not None and self._random.random() >= self.fraction:
            return False
        self.answered += 1
        if self.remaining is not None:
            self.remaining -= 1
            if self.remaining <= 0:
                self.active = False
        return True


class Controls:
    def __init__(self) -> None:
        self._injected: dict[str, list[Injected]] = {}
        self._planned_failures: dict[Step, deque[str]] = {}
        self.detection_results: dict[str, DetectionResult] = {}  # by image_key
        self._lock = threading.Lock()

    def inject(self, fault: Injected) -> None:
        with self._lock:
            self._injected.setdefault(fault.operation, []).append(fault)

    def remove(self, fault: Injected) -> None:
        with self._lock:
            fault.active = False
            self._drop(fault)

    def clear(self, operation: str | None = None) -> int:
        """Removes the faults injected for one operation, or for all; how many were active."""
        with self._lock:
            names = list(self._injected) if operation is None else [operation]
            cleared = 0
            for name in names:
                for fault in self._injected.pop(name, []):
                    cleared += fault.active
                    fault.active = False
            return cleared

    def raise_injected(
        self, operation: str, stage: Stage, params: Mapping[str, Any] | None = None
    ) -> None:
        """Raises the fault a test injected for this call of ``operation`` at ``stage``, if one
        answers it. ``params`` are the call's parsed parameters (from ``Stage.VALIDATED`` on)."""
        if not self._injected:
            return
        with self._lock:
            candidates = [f for f in self._injected.get(operation, ()) if f.stage is stage]
        if not candidates:
            return
        view = MappingProxyType(dict(params or {}))
        for fault in candidates:
            # The test's own predicate runs outside the lock: it may use the handle.
            if fault.when is not None and not fault.when(view):
                continue
            with self._lock:
                if not fault.claim():
                    continue
                if not fault.active:
                    self._drop(fault)
            # One instance answers many calls: each raise starts a traceback of its own.
            raise fault.error.with_traceback(None)

    def _drop(self, fault: Injected) -> None:
        queued = self._injected.get(fault.operation)
        if queued is not None and fault in queued:
            queued.remove(fault)
            if not queued:
                del self._injected[fault.operation]

    def plan_failure(self, step: Step, message: str) -> None:
        with self._lock:
            self._planned_failures.setdefault(step, deque()).append(message)

    def planned_failure(self, step: Step) -> str | None:
        """The message of the failure planned for the next ``step`` to begin (taken), or None."""
        if not self._planned_failures:
            return None
        with self._lock:
            planned = self._planned_failures.get(step)
            return planned.popleft() if planned else None
