"""What a test has arranged for one account and region, kept apart from the service's state.

The pipeline consults it for injected errors, the service for planned step failures and for the
DetectAnomalies results a test set. The handle is the only writer.
"""

from __future__ import annotations

import threading
from collections import deque

from .errors import LookoutVisionError
from .inference import DetectionResult
from .statuses import Step


class _Injected:
    """An injected error and how many more calls it answers: kept as a count, not as copies."""

    def __init__(self, error: LookoutVisionError, times: int) -> None:
        self.error = error
        self.remaining = times


class Controls:
    def __init__(self) -> None:
        self._injected: dict[str, deque[_Injected]] = {}
        self._planned_failures: dict[Step, deque[str]] = {}
        self.detection_results: dict[str, DetectionResult] = {}  # by image_key
        self._lock = threading.Lock()

    def inject(self, operation: str, error: LookoutVisionError, times: int) -> None:
        with self._lock:
            self._injected.setdefault(operation, deque()).append(_Injected(error, times))

    def raise_injected(self, operation: str) -> None:
        """Raises the next error a test queued for this operation, if any."""
        if not self._injected:
            return
        with self._lock:
            queued = self._injected.get(operation)
            if not queued:
                return
            head = queued[0]
            head.remaining -= 1
            if head.remaining <= 0:
                queued.popleft()
        raise head.error

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
