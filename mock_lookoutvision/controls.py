"""What a test has arranged for one account and region, kept apart from the service's state.

The pipeline consults its injected faults (``faults``: a ``faults.Faults`` queue), the service its
planned step failures and the DetectAnomalies results a test set. The handle is the only writer.
"""

from __future__ import annotations

import threading
from collections import deque

from .faults import Faults
from .inference import DetectionResult
from .statuses import Step


class Controls:
    def __init__(self) -> None:
        self.faults = Faults()
        self._planned_failures: dict[Step, deque[str]] = {}
        self.detection_results: dict[str, DetectionResult] = {}  # by image_key
        self._lock = threading.Lock()

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
