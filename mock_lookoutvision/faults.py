"""Injected faults: what a test may put in place of an operation's answer, the checking of a
fault's options into one record, and each account's and region's queue of faults.

A fault is a service error or a ``DroppedConnection``. It is decided at the latest stage it needs
(``Stage``): before the request is read (the plain "next N calls" and a seeded fraction of the
calls), once it is read and valid (a predicate on the parameters), or once the call has succeeded
and its effects are kept (``after_commit``). At each stage an operation's faults are consulted in
the order they were injected; the first whose conditions hold answers the call.

The handle (``inject_error``, ``clear_errors``) is the only writer, through ``prepare`` and
``Faults``; the pipeline consults the queue (``Faults.raise_injected``).
"""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from botocore.model import OperationModel, StructureShape

from .api_model import SERVICE_NAME, service_model
from .control_errors import ControlError
from .errors import LookoutVisionError

Predicate = Callable[[Mapping[str, Any]], bool]

MAX_TIMES = 10_000
"""The most calls one ``inject_error`` answers."""


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


class Default(enum.Enum):
    """``times`` not given: once for a plain fault, until cleared with ``fraction`` or ``when``."""

    TIMES = "default"


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
        queue's lock: a draw and its count are one step."""
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


# Checking a fault's options ---------------------------------------------------------------------


def operation_named(name: str) -> OperationModel:
    """The operation a fault control names; a ``ControlError`` if the service has none of that
    name."""
    if name not in service_model().operation_names:
        raise ControlError(f"{name} is not an operation of {SERVICE_NAME}")
    return service_model().operation_model(name)


def prepare(
    operation: OperationModel,
    error: Fault,
    *,
    times: int | Default | None = Default.TIMES,
    fraction: float | None = None,
    seed: int | None = None,
    when: Predicate | Mapping[str, Any] | None = None,
    after_commit: bool = False,
) -> Injected:
    """The fault ``inject_error`` describes, every option checked, not yet injected. A wrong kind
    of argument (an error that is no service error, a ``when`` that is neither a function nor a
    mapping) is a ``TypeError``; an option that can't be carried out a ``ControlError``."""
    _require_wire_members(error)
    fraction_of_calls, seed_of_draws = _fraction(fraction, seed)
    predicate = _predicate(operation, when)
    count = _times(times, fraction_of_calls is not None or predicate is not None)
    if not isinstance(after_commit, bool):
        raise ControlError(f"after_commit is True or False, not {after_commit!r}")
    if after_commit and not changes_state(operation):
        raise ControlError(
            f"{operation.name} changes nothing, so there is nothing to commit before the "
            f"error: after_commit is for operations that change state"
        )
    return Injected(
        operation.name,
        error,
        count,
        fraction=fraction_of_calls,
        seed=seed_of_draws,
        when=predicate,
        after_commit=after_commit,
    )


def changes_state(operation: OperationModel) -> bool:
    """Whether an operation changes anything: all but the reads (GET, and DetectAnomalies)."""
    return operation.http.get("method") != "GET" and operation.name != "DetectAnomalies"


# The Python types each type of an error shape's member is sent from.
_MEMBER_TYPES: dict[str, type] = {"string": str, "integer": int}


def _require_wire_members(error: Fault) -> None:
    """Refuses an error the service could not send: every member must be one its shape has, of
    its type (a bad one would reach the client as a parse failure instead of the error)."""
    if isinstance(error, DroppedConnection):
        return
    if not isinstance(error, LookoutVisionError):
        # A wrong kind of argument, not a control that can't be carried out.
        raise TypeError(
            f"only the service's errors can be injected (mock_lookoutvision.ThrottlingException, "
            f"..., or a DroppedConnection()), not {error!r}"
        )
    shape = next((s for s in service_model().error_shapes if s.name == error.code), None)
    # Not modelled: only its code and message are sent. (Error shapes are structures; the stubs
    # type them as Shape.)
    if not isinstance(shape, StructureShape):
        return
    for name, value in {"Message": error.message, **error.members}.items():
        member = shape.members.get(name)
        if member is None:
            raise ControlError(f"{error.code} has no member {name}")
        wanted = _MEMBER_TYPES.get(member.type_name)
        if wanted is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
            raise ControlError(f"{error.code}'s {name} is a {member.type_name}, not {value!r}")
        if wanted is int and value < 0:
            raise ControlError(f"{error.code}'s {name} must not be negative; got {value}")


def _times(times: int | Default | None, selective: bool) -> int | None:
    if times is Default.TIMES:
        return None if selective else 1
    # A bool is an int, but no count; the cap keeps a typo from queuing a lifetime of errors.
    if times is not None and (
        isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_TIMES
    ):
        raise ControlError(
            f"times is a whole number from 1 to {MAX_TIMES} (or None: until cleared), not {times!r}"
        )
    return times


def _fraction(fraction: float | None, seed: int | None) -> tuple[float | None, int]:
    if fraction is not None and (
        isinstance(fraction, bool)
        or not isinstance(fraction, int | float)
        or not 0 < fraction <= 1  # NaN fails it too
    ):
        raise ControlError(f"fraction is a number in (0, 1], not {fraction!r}")
    if seed is not None:
        if fraction is None:
            raise ControlError("seed is the seed of a fraction's draws: give fraction too")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ControlError(f"seed is a whole number, not {seed!r}")
    return (None if fraction is None else float(fraction)), (seed or 0)


def _predicate(
    operation: OperationModel, when: Predicate | Mapping[str, Any] | None
) -> Predicate | None:
    """``when`` as a function of the parsed parameters: given, or made from member values."""
    if when is None or callable(when):
        return when
    if not isinstance(when, Mapping):
        raise TypeError(
            f"when is a function of the call's parameters, or a mapping of member names to "
            f"values, not {when!r}"
        )
    if not when:
        raise ControlError("when names no member: a fault for every call needs no when")
    shape = operation.input_shape
    members = shape.members if isinstance(shape, StructureShape) else {}
    unknown = sorted(str(name) for name in when if name not in members)
    if unknown:
        raise ControlError(
            f"{operation.name} has no input member {', '.join(unknown)}; its members are "
            f"{', '.join(members) or 'none'}"
        )
    wanted = dict(when)
    return lambda params: all(params.get(name) == value for name, value in wanted.items())


# The queue of one account and region ------------------------------------------------------------


class Faults:
    """The faults injected in one account and region, by operation, in the order injected."""

    def __init__(self) -> None:
        self._injected: dict[str, list[Injected]] = {}
        self._lock = threading.Lock()

    def inject(self, fault: Injected) -> InjectedError:
        with self._lock:
            self._injected.setdefault(fault.operation, []).append(fault)
        return InjectedError(self, fault)

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


class InjectedError:
    """What ``inject_error`` hands back: how many calls the fault answered, whether it still
    answers calls, and ``cancel()`` to remove it."""

    def __init__(self, faults: Faults, fault: Injected) -> None:
        self._faults = faults
        self._fault = fault

    @property
    def operation(self) -> str:
        return self._fault.operation

    @property
    def error(self) -> Fault:
        return self._fault.error

    @property
    def answered(self) -> int:
        """How many calls it answered so far."""
        return self._fault.answered

    @property
    def active(self) -> bool:
        """False once used up, cancelled or cleared."""
        return self._fault.active

    def cancel(self) -> None:
        """Removes it: later calls are not answered by it. Idempotent."""
        self._faults.remove(self._fault)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return (
            f"<InjectedError {self._fault.error.code} for {self.operation}, answered "
            f"{self.answered}, {state}>"
        )
