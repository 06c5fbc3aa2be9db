"""``mock_lookoutvision``: one object that is a decorator and a context manager, and hands out a
separate handle (``handle.LookoutVisionMock``), as freezegun's ``freeze_time`` does.

A mock wraps moto's own ``mock_aws`` (fake credentials, every moto service live beside this one)
and owns what moto does not reset for it: this service's state, the simulated clock and the step
durations. moto resets state only when the outermost of its mocks starts, so a
``mock_lookoutvision()`` nested in ``mock_aws()`` resets this service's state itself; nested in
another ``mock_lookoutvision()``, it shares the outer one's state and clock, and its own
durations apply while it is the innermost. With ``instant_sleep=True`` it also makes sleeps in the
thread that started it move the simulated clock instead of waiting (``sleeping``).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar, cast, overload

from moto import mock_aws
from moto.core.models import MockAWS

from . import aiobotocore_hook
from .accounts import forget_access_keys
from .api_model import register_data_path
from .clock import clock
from .handle import LookoutVisionMock
from .journal import journal
from .lifecycle import durations as durations_in_force
from .lifecycle import forget_test_transitions, step_durations
from .models import drop_all_backends
from .sleeping import SleepSession, end_session, sleep_limit_seconds, start_session

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_REGION = "us-east-1"

_nesting_lock = threading.Lock()
_active: list[LookoutVisionMocker] = []  # the started mocks, innermost last


def reset_state() -> None:
    """Drops every project and model of every account and region, rewinds the clock and forgets
    any transition a test set in moto's state manager for this service."""
    drop_all_backends()
    forget_access_keys()
    clock.reset()
    forget_test_transitions()
    journal.clear()


class LookoutVisionMocker:
    """What ``mock_lookoutvision(...)`` returns: start it with ``with`` or as a decorator."""

    def __init__(
        self,
        *,
        durations: Mapping[str, float | timedelta] | None = None,
        region_name: str = DEFAULT_REGION,
        as_arg: bool = False,
        as_kwarg: str | None = None,
        instant_sleep: bool = False,
        sleep_limit: float | timedelta | None = None,
    ) -> None:
        self.durations = step_durations(durations)
        self.region_name = region_name
        self.as_arg = as_arg
        self.as_kwarg = as_kwarg
        if sleep_limit is not None and not instant_sleep:
            raise ValueError("sleep_limit limits instant sleeps: give it with instant_sleep=True")
        self.instant_sleep = instant_sleep
        self.sleep_limit = sleep_limit_seconds(sleep_limit)  # refused now rather than at start
        self._sleeping: SleepSession | None = None
        self.handle = LookoutVisionMock(self)
        self._moto = mock_aws()

    @property
    def active(self) -> bool:
        return self in _active

    def require_active(self) -> None:
        if not self.active:
            raise RuntimeError(
                "this mock_lookoutvision is not started; its handle acts only inside it"
            )

    # Starting and stopping -------------------------------------------------------------------

    def start(self, reset: bool = True) -> LookoutVisionMock:
        register_data_path()
        aiobotocore_hook.attach()  # aiobotocore may have been imported since this package
        self._moto.start(reset=reset)
        with _nesting_lock:
            outermost = not _active
            _active.append(self)
        if outermost and reset:
            reset_state()
        durations_in_force.push(self.durations)
        if self.instant_sleep:  # last: nothing after it can fail and leave sleeps patched
            self._sleeping = start_session(self.sleep_limit)
        return self.handle

    def stop(self, remove_data: bool = True) -> None:
        with _nesting_lock:
            if self not in _active:
                raise RuntimeError("stop() was called on a mock_lookoutvision that is not started")
            _active.remove(self)
            outermost = not _active
        if self._sleeping is not None:
            end_session(self._sleeping)
            self._sleeping = None
        durations_in_force.pop(self.durations)
        if outermost and remove_data:
            reset_state()
        self._moto.stop(remove_data=remove_data)

    def __enter__(self) -> LookoutVisionMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # As a decorator ---------------------------------------------------------------------------

    def __call__(self, func: F, reset: bool = True, remove_data: bool = True) -> F:
        if inspect.isclass(func):
            # moto's class decoration calls ``self(method, reset=..., remove_data=...)``.
            return cast(F, MockAWS._decorate_class(cast(MockAWS, self), cast(Any, func)))

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            handle = self.start(reset=reset)
            try:
                if self.as_arg:
                    args = (handle, *args)
                if self.as_kwarg:
                    kwargs[self.as_kwarg] = handle
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        # pytest reads a test's signature to find its fixtures: the handle is not one.
        if self.as_arg or self.as_kwarg:
            signature = inspect.signature(func)
            parameters = list(signature.parameters.values())
            if self.as_arg:
                parameters = parameters[1:]
            parameters = [p for p in parameters if p.name != self.as_kwarg]
            wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return cast(F, wrapper)


@overload
def mock_lookoutvision(func: F) -> F: ...


@overload
def mock_lookoutvision(
    func: None = None,
    *,
    durations: Mapping[str, float | timedelta] | None = ...,
    region_name: str = ...,
    as_arg: bool = ...,
    as_kwarg: str | None = ...,
    instant_sleep: bool = ...,
    sleep_limit: float | timedelta | None = ...,
) -> LookoutVisionMocker: ...


def mock_lookoutvision(func: F | None = None, **options: Any) -> LookoutVisionMocker | F:
    """``@mock_lookoutvision``, ``@mock_lookoutvision(...)``, ``with mock_lookoutvision() as lv:``.

    ``durations`` sets how long steps take on the simulated clock, by step name (``training``,
    ``dataset_import``, ... or ``dataset`` and ``hosting`` for all of theirs); ``region_name`` is
    the region the handle's controls act on (us-east-1 by default); ``as_arg``/``as_kwarg`` hand
    a decorated function the handle as its first argument or as that keyword.

    ``instant_sleep=True``: in the thread that starts the mock (only there: other threads, a
    server's among them, sleep for real), ``time.sleep(n)`` and ``asyncio.sleep(n)`` (also where
    a module loaded before the mock took them by name, ``from time import sleep``) advance the
    simulated clock by ``n`` and return at once, and botocore's retry back-off takes no real time
    in legacy, standard and adaptive mode; so polling loops end as soon as what they wait for is
    done on the simulated clock. ``sleep_limit`` (seconds or a timedelta; a simulated week by
    default) caps what one mock's sleeps may add up to: the sleep that would pass it raises
    ``SleepLimitExceeded`` instead of letting a loop that never ends run on. Everything is put
    back when the mock stops. Details in ``mock_lookoutvision.sleeping``.
    """
    mock = LookoutVisionMocker(**options)
    return mock if func is None else mock(func)
