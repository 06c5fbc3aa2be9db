"""Asynchronous lifecycles (training, hosting, dataset imports, packaging) on the simulated clock.

A resource's status is either settled or in progress towards an outcome. Nothing runs in the
background: the outcome is applied when a read finds it due. When it is due is moto's state-manager
transition for the resource kind (``lookoutvision::model`` and the others below): by default
time-based on the simulated clock, and a test may switch a kind to ``immediate`` or ``manual``
(the outcome then lands on the next read, or after that many reads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.moto_api import state_manager

from .clock import clock

# moto state-manager model names, with realistic default durations in simulated seconds.
# Training: the developer guide says it "takes at least 30 minutes" and "might take several hours".
TRAINING_STATE = "lookoutvision::model"
HOSTING_STATE = "lookoutvision::model_hosting"
DATASET_STATE = "lookoutvision::dataset"
PACKAGING_STATE = "lookoutvision::model_packaging_job"
DELETION_STATE = "lookoutvision::model_deletion"
DEFAULT_SECONDS = {
    TRAINING_STATE: 3600.0,
    HOSTING_STATE: 600.0,
    DATASET_STATE: 60.0,
    PACKAGING_STATE: 1800.0,
    # "It might take a few seconds to delete a model." (developer guide)
    DELETION_STATE: 5.0,
}


def time_transition(seconds: float) -> dict[str, Any]:
    return {"progression": "time", "seconds": seconds}


def register_default_transitions(training_seconds: float | None = None) -> None:
    """The library's defaults, with a mock's own training duration if it has one."""
    for name, seconds in DEFAULT_SECONDS.items():
        if name == TRAINING_STATE and training_seconds is not None:
            seconds = training_seconds
        state_manager.register_default_transition(name, time_transition(seconds))


def forget_test_transitions() -> None:
    """Drops any transition a test set for these kinds with ``state_manager.set_transition``."""
    for name in DEFAULT_SECONDS:
        state_manager.unset_transition(name)


register_default_transitions()


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str


@dataclass
class _Pending:
    kind: str
    success: Outcome
    failure: Outcome | None
    started_at: float
    # A time-based step keeps the duration in force when it began.
    duration: float
    # Work the step does as it succeeds (writing results); an outcome it returns replaces success.
    on_success: Callable[[float], Outcome | None] | None = None


class Lifecycle:
    """One resource's status, message and the step in progress, if any."""

    def __init__(self, kind: str, status: str, message: str) -> None:
        self.kind = kind
        self.status = status
        self.status_message = message
        self.changed_at = clock.time()
        # When each outcome status was first reached (e.g. TRAINED, for EvaluationEndTimestamp).
        self.reached: dict[str, float] = {}
        self._pending: _Pending | None = None
        self._reads = 0

    def begin(
        self,
        status: str,
        message: str,
        success: Outcome,
        failure: Outcome | None = None,
        kind: str | None = None,
        on_success: Callable[[float], Outcome | None] | None = None,
    ) -> None:
        """Enters ``status`` now; the step ends in ``success``, or ``failure`` if one is given.
        ``kind`` names the step's state-manager transition, when not the resource's own;
        ``on_success`` runs (given the time) when the step succeeds; a failure it returns replaces
        success."""
        now = clock.time()
        kind = kind or self.kind
        transition = state_manager.get_transition(kind)
        duration = float(transition.get("seconds", DEFAULT_SECONDS[kind]))
        self.status, self.status_message, self.changed_at = status, message, now
        self._pending = _Pending(kind, success, failure, now, duration, on_success)
        self._reads = 0

    def refresh(self, is_read: bool = True) -> str:
        """The status now, applying the step's outcome if it is due. ``is_read`` counts this look
        towards a ``manual`` transition (Describe calls count; lists and internal looks do not)."""
        pending = self._pending
        if pending is None:
            return self.status
        if is_read:
            self._reads += 1
        transition = state_manager.get_transition(pending.kind)
        progression = transition.get("progression")
        now = clock.time()
        if progression == "immediate":
            self._settle(now)
        elif progression == "manual":
            if self._reads >= int(transition.get("times", 1)):
                self._settle(now)
        elif now >= pending.started_at + pending.duration:
            self._settle(pending.started_at + pending.duration)
        return self.status

    def _settle(self, at: float) -> None:
        pending = self._pending
        assert pending is not None
        if pending.failure is not None:
            self._apply(pending.failure, at)
        else:
            self._succeed(pending, at)

    def _succeed(self, pending: _Pending, at: float) -> None:
        failure = pending.on_success(at) if pending.on_success is not None else None
        self._apply(failure or pending.success, at)

    def _apply(self, outcome: Outcome, at: float) -> None:
        self.status, self.status_message, self.changed_at = outcome.status, outcome.message, at
        self.reached.setdefault(outcome.status, at)
        self._pending = None

    def succeed_now(self) -> bool:
        """Ends the step in progress now with its success outcome; False if none is in progress."""
        self.refresh(is_read=False)
        if self._pending is None:
            return False
        self._succeed(self._pending, clock.time())
        return True

    def fail_now(self, status: str, message: str) -> bool:
        """Ends the step in progress now in ``status`` with ``message``; False if none is."""
        self.refresh(is_read=False)
        if self._pending is None:
            return False
        self._apply(Outcome(status, message), clock.time())
        return True

    def settle(self, status: str, message: str) -> None:
        """Sets a settled status at once (no step in progress)."""
        self._apply(Outcome(status, message), clock.time())


class InProgress:
    """The lifecycles still in one of some statuses (trainings, running models, ...), counted for
    a concurrency quota. Only lifecycles added and not yet seen to leave them are looked at."""

    def __init__(self, statuses: frozenset[str]) -> None:
        self._statuses = statuses
        self._lifecycles: dict[int, Lifecycle] = {}

    def add(self, lifecycle: Lifecycle) -> None:
        self._lifecycles[id(lifecycle)] = lifecycle

    def count(self) -> int:
        for key, lifecycle in list(self._lifecycles.items()):
            if lifecycle.refresh(is_read=False) not in self._statuses:
                del self._lifecycles[key]
        return len(self._lifecycles)
