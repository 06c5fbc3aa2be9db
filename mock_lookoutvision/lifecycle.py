"""Asynchronous steps (dataset imports, training, hosting, deletions, packaging) on the simulated
clock.

A resource's status is either settled or in a step towards an outcome. Nothing runs in the
background: the outcome is applied when a read finds it due. When it is due is moto's state-manager
transition for the step's ``state_model``: by default time-based, taking the step's duration in
force (``durations``: the innermost active mock's), and a test may switch a model to ``immediate``,
``manual`` (the outcome lands after that many reads) or ``time`` with its own ``seconds``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from moto.moto_api import state_manager

from .clock import clock, duration_seconds
from .statuses import STEP_GROUPS, STEPS_BY_NAME, Step

DurationMap = dict[Step, float]


def given_durations(given: Mapping[str, float | timedelta]) -> DurationMap:
    """The durations of the steps ``given`` names (a step's name, or a group of steps)."""
    seconds: DurationMap = {}
    for name, duration in given.items():
        steps = STEP_GROUPS.get(name) or _step_named(name)
        value = duration_seconds(duration, f"the duration of {name} can't be negative")
        seconds.update(dict.fromkeys(steps, value))
    return seconds


def step_durations(given: Mapping[str, float | timedelta] | None = None) -> DurationMap:
    """Every step's duration: the defaults, with ``given`` on top."""
    return {
        **{step: step.default_seconds for step in Step},
        **given_durations(given or {}),
    }


def _step_named(name: str) -> tuple[Step, ...]:
    if name not in STEPS_BY_NAME:
        known = ", ".join([*STEPS_BY_NAME, *STEP_GROUPS])
        raise ValueError(f"{name!r} is not a step; the steps are {known}")
    return (STEPS_BY_NAME[name],)


class Durations:
    """The step durations in force: those of the innermost active mock (defaults when none is)."""

    def __init__(self) -> None:
        self._stack: list[DurationMap] = []
        self._defaults = step_durations()
        self._lock = threading.Lock()

    def push(self, durations: DurationMap) -> None:
        with self._lock:
            self._stack.append(durations)

    def pop(self, durations: DurationMap) -> None:
        with self._lock:
            for index in range(len(self._stack) - 1, -1, -1):
                if self._stack[index] is durations:
                    del self._stack[index]
                    return

    def seconds(self, step: Step) -> float:
        stack = self._stack
        return (stack[-1] if stack else self._defaults)[step]


durations = Durations()


def register_default_transitions() -> None:
    """Time-based by default; the seconds come from ``durations`` unless a test gives its own."""
    for model in {step.state_model for step in Step}:
        state_manager.register_default_transition(model, {"progression": "time"})


def forget_test_transitions() -> None:
    """Drops any transition a test set for these models with ``state_manager.set_transition``."""
    for model in {step.state_model for step in Step}:
        state_manager.unset_transition(model)


register_default_transitions()


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str


@dataclass
class _Pending:
    step: Step
    success: Outcome
    fails_as: str  # the status a failure of this step ends in
    planned_failure: str | None  # the message of a failure a test planned for it
    started_at: float
    # A time-based step keeps the duration in force when it began.
    duration: float
    # Work the step does as it succeeds (writing results); an outcome it returns replaces success.
    on_success: Callable[[float], Outcome | None] | None
    # Undoing what the step had done (a failed update rolls its entries back).
    on_failure: Callable[[], None] | None


class Lifecycle:
    """One resource's status, message and the step in progress, if any."""

    def __init__(self, status: str, message: str) -> None:
        self.status = status
        self.status_message = message
        self.changed_at = clock.time()
        # When each outcome status was first reached (e.g. TRAINED, for EvaluationEndTimestamp).
        self.reached: dict[str, float] = {}
        self._pending: _Pending | None = None
        self._reads = 0

    def begin(
        self,
        step: Step,
        status: str,
        message: str,
        success: Outcome,
        fails_as: str,
        *,
        planned_failure: str | None = None,
        on_success: Callable[[float], Outcome | None] | None = None,
        on_failure: Callable[[], None] | None = None,
        at: float | None = None,
    ) -> None:
        """Enters ``status`` now (or ``at``, the time the call that began it read); the step ends
        in ``success``, or in ``fails_as`` with ``planned_failure`` as its message if a test
        planned one."""
        now = clock.time() if at is None else at
        transition: dict[str, Any] = state_manager.get_transition(step.state_model)
        duration = float(transition.get("seconds", durations.seconds(step)))
        self.status, self.status_message, self.changed_at = status, message, now
        self._pending = _Pending(
            step, success, fails_as, planned_failure, now, duration, on_success, on_failure
        )
        self._reads = 0

    def step(self) -> Step | None:
        """The step in progress now (after applying a due outcome), or None."""
        self.refresh(is_read=False)
        return None if self._pending is None else self._pending.step

    def refresh(self, is_read: bool = True) -> str:
        """The status now, applying the step's outcome if it is due. ``is_read`` counts this look
        towards a ``manual`` transition (Describe calls count; lists and internal looks do not)."""
        pending = self._pending
        if pending is None:
            return self.status
        if is_read:
            self._reads += 1
        transition = state_manager.get_transition(pending.step.state_model)
        progression = transition.get("progression")
        if progression == "immediate":
            self._settle(clock.time())
        elif progression == "manual":
            if self._reads >= int(transition.get("times", 1)):
                self._settle(clock.time())
        else:
            due = pending.started_at + pending.duration
            if clock.time() >= due:
                self._settle(due)
        return self.status

    def _settle(self, at: float) -> None:
        pending = self._pending
        assert pending is not None
        if pending.planned_failure is not None:
            self._fail(pending, pending.planned_failure, at)
        else:
            self._succeed(pending, at)

    def _succeed(self, pending: _Pending, at: float) -> None:
        failure = pending.on_success(at) if pending.on_success is not None else None
        self._apply(failure or pending.success, at)

    def _fail(self, pending: _Pending, message: str, at: float) -> None:
        if pending.on_failure is not None:
            pending.on_failure()
        self._apply(Outcome(pending.fails_as, message), at)

    def _apply(self, outcome: Outcome, at: float) -> None:
        self.status, self.status_message, self.changed_at = outcome.status, outcome.message, at
        self.reached.setdefault(outcome.status, at)
        self._pending = None

    def planned_to_fail(self) -> bool:
        """Whether the step in progress has a failure a test planned for it (so ending it now
        fails it); a caller that must not change anything when it would fail asks first."""
        return self._pending is not None and self._pending.planned_failure is not None

    def end_now(self) -> None:
        """Ends the step in progress now, as one that ran its course: in its success, or in the
        failure planned for it. The caller checks that one is in progress (``step()``)."""
        assert self._pending is not None
        self._settle(clock.time())

    def fail_now(self, message: str) -> None:
        """Ends the step in progress now as failed, with ``message``."""
        assert self._pending is not None
        self._fail(self._pending, message, clock.time())

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
