"""The public way in: ``mock_lookoutvision`` as a decorator or a context manager, and its handle.

A mock wraps moto's own ``mock_aws`` (fake credentials, every moto service live beside this one)
and owns what moto does not reset for it: this service's state, the simulated clock and the
training transition. moto resets state only when the outermost of its mocks starts, so a
``mock_lookoutvision()`` nested in ``mock_aws()`` resets its own backend here.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, cast, overload

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_api import state_manager

from .api_model import SERVICE_NAME, register_data_path, service_model
from .backend import (
    DEFAULT_TRAINING_SECONDS,
    MODEL_STATE,
    LookoutVisionBackend,
    backend_of,
    default_training_transition,
    lookoutvision_backends,
)
from .clock import clock
from .errors import LookoutVisionError
from .moto_attachment import decorate_class, new_moto_mock

P = ParamSpec("P")
R = TypeVar("R")

_nesting_lock = threading.Lock()
_active_mocks = 0


def _seconds(duration: float | timedelta) -> float:
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    if seconds < 0:
        raise ValueError(f"a duration can't be negative; got {seconds} seconds")
    return seconds


def reset_state() -> None:
    """Drops every project and model of every account and region, and rewinds the clock."""
    lookoutvision_backends.clear()
    clock.reset()


class LookoutVisionMock:
    """An active mock's handle: the simulated clock and the lifecycle controls.

    ``region_name`` and ``account_id`` pick the backend that the handle's controls act on by
    default; requests themselves reach the backend of their own account and region.
    """

    def __init__(
        self,
        *,
        training_duration: float | timedelta = DEFAULT_TRAINING_SECONDS,
        region_name: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self.training_seconds = _seconds(training_duration)
        self.region_name = region_name
        self.account_id = account_id
        self._moto = new_moto_mock()

    # Starting and stopping -------------------------------------------------------------------

    def start(self, reset: bool = True) -> None:
        global _active_mocks
        register_data_path()
        self._moto.start(reset=reset)
        with _nesting_lock:
            _active_mocks += 1
            outermost = _active_mocks == 1
        if outermost and reset:
            reset_state()
        if outermost:
            self.set_training_duration(self.training_seconds)

    def stop(self, remove_data: bool = True) -> None:
        global _active_mocks
        with _nesting_lock:
            _active_mocks -= 1
            outermost = _active_mocks == 0
        if outermost:
            if remove_data:
                reset_state()
            state_manager.register_default_transition(MODEL_STATE, default_training_transition())
        self._moto.stop(remove_data=remove_data)

    def __enter__(self) -> LookoutVisionMock:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(
        self, func: Callable[P, R], reset: bool = True, remove_data: bool = True
    ) -> Callable[P, R]:
        if inspect.isclass(func):
            return cast(Callable[P, R], decorate_class(self, func))

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper

    # The clock --------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated time (UTC), the one every timestamp and expiry is taken from."""
        return clock.now()

    def advance(self, by: float | timedelta) -> datetime:
        """Moves simulated time forward by seconds or a timedelta; returns the new now."""
        return clock.advance(by)

    # Lifecycle controls ------------------------------------------------------------------------

    def backend(
        self, account_id: str | None = None, region_name: str | None = None
    ) -> LookoutVisionBackend:
        return backend_of(account_id or self.account_id, region_name or self.region_name)

    def set_training_duration(self, duration: float | timedelta) -> None:
        """How long trainings take on the simulated clock (moto's state manager may override)."""
        self.training_seconds = _seconds(duration)
        state_manager.register_default_transition(
            MODEL_STATE, default_training_transition(self.training_seconds)
        )

    def finish_training(
        self,
        project_name: str,
        model_version: str,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's training now, successfully."""
        model = self.backend(account_id, region_name).find_model(project_name, model_version)
        if model.lifecycle.refresh(clock.time(), is_read=False) == "TRAINING":
            model.lifecycle.finish(clock.time())

    def fail_training(
        self,
        project_name: str,
        model_version: str,
        message: str = "Training failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's training now with TRAINING_FAILED and ``message`` as its StatusMessage."""
        model = self.backend(account_id, region_name).find_model(project_name, model_version)
        if model.lifecycle.refresh(clock.time(), is_read=False) == "TRAINING":
            model.lifecycle.fail(message, clock.time())

    def inject_error(
        self,
        operation_name: str,
        error: LookoutVisionError,
        *,
        times: int = 1,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Answers the next ``times`` calls of an operation with ``error`` instead of running them.

        For the errors a test cannot provoke otherwise (throttling, internal errors, access
        denied), e.g. ``lv.inject_error("CreateModel", ThrottlingException("Slow down"))``.
        botocore retries throttling and 5xx errors, so raise ``times`` or lower the client's
        ``max_attempts`` to see the error itself.
        """
        if operation_name not in service_model().operation_names:
            raise ValueError(f"{operation_name} is not an operation of {SERVICE_NAME}")
        queue = self.backend(account_id, region_name).injected_errors.setdefault(
            operation_name, deque()
        )
        queue.extend([error] * times)

    def fail_next_training(
        self,
        message: str = "Training failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Makes the next model created in this account and region end in TRAINING_FAILED."""
        self.backend(account_id, region_name).planned_training_failures.append(message)


@overload
def mock_lookoutvision(func: Callable[P, R]) -> Callable[P, R]: ...


@overload
def mock_lookoutvision(
    func: None = None,
    *,
    training_duration: float | timedelta = ...,
    region_name: str = ...,
    account_id: str = ...,
) -> LookoutVisionMock: ...


def mock_lookoutvision(
    func: Callable[P, R] | None = None, **options: Any
) -> LookoutVisionMock | Callable[P, R]:
    """``@mock_lookoutvision``, ``@mock_lookoutvision(...)`` or ``with mock_lookoutvision():``."""
    mock = LookoutVisionMock(**options)
    return mock if func is None else mock(func)
