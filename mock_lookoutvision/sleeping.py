"""Instant sleeps: ``mock_lookoutvision(instant_sleep=True)`` makes the sleeps of polling loops and
of botocore's retry back-off move the simulated clock instead of waiting.

Every client of the service polls (AWS's SDK for the service sleeps 5 s and 60 s between polls,
its doc examples 600 s) and botocore sleeps between retries. While a mock started with
``instant_sleep=True`` is active, in **the thread that started it** (the thread rule):

- ``time.sleep(n)`` advances the simulated clock by ``n`` seconds and returns at once;
- ``await asyncio.sleep(n)`` does the same and yields to the event loop once (as
  ``asyncio.sleep(0)`` does);
- names bound to either by ``from time import sleep`` / ``from asyncio import sleep`` in modules
  loaded when the mock starts behave the same (found as freezegun finds ``time`` references: a
  scan of ``sys.modules``, cached per module; pytest's, freezegun's, time-machine's and this
  package's own modules are left alone);
- botocore's retry back-off takes no real time in every retry mode: ``legacy`` and ``standard``
  sleep with ``time.sleep``; ``adaptive`` also waits in its client-side rate limiter's token
  bucket (``botocore.retries.bucket.TokenBucket.acquire``, a condition wait on real time), which
  then hands out the token at once, as if it had waited.

Other threads sleep for real: a server thread, a thread pool's workers (``asyncio.to_thread``,
``loop.run_in_executor``), any thread the test starts. A mock started in another thread, or
without the option, changes nothing for this one. Nested mocks: sleeps are instant in a thread
while any active mock it started has the option; each of them counts what it slept.

The limit: a runaway loop (one that never sees what it waits for) would otherwise spin through
simulated years. Once the sleeps in one mock add up to more than its ``sleep_limit`` (by default a
simulated week), the sleep that would pass it raises ``SleepLimitExceeded`` instead. A week is
about 10,000 polls 60 s apart, seconds to tens of seconds of real time depending on the loop's
body; a smaller limit ends a runaway sooner.

Not patched: waits with a timeout (``threading.Event.wait``, ``Condition.wait``, ``queue.get``,
``select``), ``loop.call_later``, and ``time.time``/``time.monotonic`` themselves, so a loop whose
deadline is on the real clock never reaches it (the limit ends it); a ``sleep`` kept in a default
argument or a class attribute (botocore's standard-mode ``RetryHandler(sleep=time.sleep)``, used
only for SQS and SWF long polls) sleeps for real. aiobotocore awaits ``asyncio.sleep`` between
retries (instant), but its adaptive token bucket waits on the event loop's clock (real).

A module-level name bound to the real ``time.sleep`` is patched wherever it is, a test's own
``REAL_SLEEP = time.sleep`` too; keep a real one in a dict or on an object, as freezegun users
keep a real ``perf_counter``.

Everything patched is put back when the last such mock stops, also when it stops on an error; a
module imported while the mock was active, whose ``from time import sleep`` took the instant one,
gets the real one back too. A patched function called after that (kept somewhere the restore
can't see) just sleeps for real.
"""

from __future__ import annotations

import asyncio
import asyncio.tasks
import math
import sys
import threading
import time
import types
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from botocore.retries.bucket import TokenBucket

from .clock import clock, duration_seconds

DEFAULT_SLEEP_LIMIT = timedelta(days=7)

# Modules whose names bound to ``sleep`` are meant to stay real (pytest's own timing keeps the real
# functions so that mocked time can't slow or speed it), or hold the real ones on purpose.
NOT_SCANNED = ("_pytest", "pytest", "freezegun", "time_machine", "mock_lookoutvision")


class SleepLimitExceeded(BaseException):
    """A sleep in the thread that started an ``instant_sleep`` mock would take the simulated time it
    has slept past the mock's ``sleep_limit``: a polling loop that never ends.

    A ``BaseException``, as pytest's own outcome exceptions are, so that code under test that
    catches ``Exception`` around its sleep (retry helpers do) can't swallow it and spin. It is the
    library's control error, not a service error; not a ``ControlError`` either, which says a
    handle's control could not find or end what it names.
    """

    def __init__(self, how: str, requested: float, slept: float, sleeps: int, limit: float) -> None:
        self._given = (how, requested, slept, sleeps, limit)
        self.requested = requested  # seconds
        self.slept = timedelta(seconds=slept)
        self.limit = timedelta(seconds=limit)
        super().__init__(
            f"{how}({requested:g}) would take the simulated time slept in this mock_lookoutvision "
            f"past its sleep_limit of {self.limit}: {sleeps} sleep{'s' * (sleeps != 1)} have "
            f"slept {self.slept} so far. A polling loop that never sees what it waits for? If "
            "the code is meant to sleep that long, raise the limit: "
            "mock_lookoutvision(instant_sleep=True, "
            "sleep_limit=timedelta(days=30)), or the same options in "
            "@pytest.mark.lookoutvision(...)."
        )

    def __reduce__(self) -> tuple[type[SleepLimitExceeded], tuple[str, float, float, int, float]]:
        # Rebuilt from what it was given (pickling passes only the message otherwise).
        return (type(self), self._given)


@dataclass
class SleepSession:
    """One active mock's instant sleeping: the thread it applies to, its limit (seconds) and what it
    has slept."""

    limit: float
    thread_id: int = field(default_factory=threading.get_ident)
    slept: float = 0.0
    sleeps: int = 0


class _Real:
    """The functions the patches stand in for, as they were when the patches went in. Kept on an
    object, not as module globals, so no scan mistakes them for a module's own names."""

    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[..., Coroutine[Any, Any, Any]] = asyncio.sleep
    acquire: Callable[..., Any] = TokenBucket.acquire
    # As they were when this module was imported: a module that took them by name then still
    # holds these even if a test patched ``time.sleep`` (say, to count calls) before the mock.
    first_sleep = sleep
    first_async_sleep = async_sleep


_lock = threading.Lock()
_account_lock = threading.Lock()
# Thread id -> the sessions it started. Replaced whole on each change, so that a sleep reads it
# without a lock.
_sessions: dict[int, tuple[SleepSession, ...]] = {}
_undo: list[tuple[object, str, object, object]] = []  # (owner, name, real, instant)
_modules_at_start: set[str] = set()
# Module name -> ((id of the module, size of its namespace), names bound to a sleep): a module's
# namespace stops changing once it is imported, so one that kept its size is not scanned again.
# Modules left alone are cached too, with no names.
_scan_cache: dict[str, tuple[tuple[int, int], tuple[str, ...]]] = {}


def _this_threads_sessions() -> tuple[SleepSession, ...]:
    return _sessions.get(threading.get_ident(), ())


def _account(sessions: tuple[SleepSession, ...], seconds: float, how: str) -> None:
    """Counts a sleep against each session of the thread (refused past a limit) and advances the
    clock by it."""
    with _account_lock:
        for session in sessions:
            if session.slept + seconds > session.limit:
                raise SleepLimitExceeded(how, seconds, session.slept, session.sleeps, session.limit)
        for session in sessions:
            session.slept += seconds
            session.sleeps += 1
    if seconds:
        clock.advance(seconds)


def _sleep_seconds(seconds: float) -> float:
    # time.sleep's own checks, so that a test can't pass what real code would refuse.
    if isinstance(seconds, str | bytes | bytearray):
        raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer")
    value = float(seconds)
    if math.isnan(value):
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    return value


def instant_sleep(seconds: float) -> None:
    """``time.sleep`` while an ``instant_sleep`` mock is active: in the thread that started it the
    simulated clock moves by ``seconds`` and the call returns at once; elsewhere a real sleep."""
    sessions = _this_threads_sessions()
    if not sessions:
        _Real.sleep(seconds)
        return
    _account(sessions, _sleep_seconds(seconds), "time.sleep")


async def instant_async_sleep(delay: float, result: Any = None) -> Any:
    """``asyncio.sleep`` while an ``instant_sleep`` mock is active: in the thread that started it
    the simulated clock moves by ``delay``, and the coroutine yields to the loop once."""
    sessions = _this_threads_sessions()
    if not sessions:
        return await _Real.async_sleep(delay, result)
    # asyncio.sleep takes a delay of 0 or less as "just yield".
    _account(sessions, max(0.0, float(delay)), "asyncio.sleep")
    await _Real.async_sleep(0)
    return result


# botocore's token bucket waits on a condition with a real timeout, and refills by real time (which
# freezegun stops: the wait would never end). The patch needs these of the bucket.
_BUCKET_METHODS = ("_acquire", "_refill", "_sleep_amount")
_BUCKET_ATTRIBUTES = ("_new_fill_rate_condition", "_current_capacity")
ADAPTIVE_RETRIES_INSTANT = all(callable(getattr(TokenBucket, n, None)) for n in _BUCKET_METHODS)


def _acquire_at_once(bucket: Any, amount: int = 1, block: bool = True) -> Any:
    """``TokenBucket.acquire`` while an ``instant_sleep`` mock is active: in the thread that started
    it, a token that isn't there yet is counted as a sleep until it would be, and handed out."""
    sessions = _this_threads_sessions()
    if not sessions or not block or not all(hasattr(bucket, n) for n in _BUCKET_ATTRIBUTES):
        return _Real.acquire(bucket, amount, block)
    with bucket._new_fill_rate_condition:
        bucket._refill()
        wait = bucket._sleep_amount(amount)
        if wait > 0:
            _account(sessions, wait, "botocore's adaptive retry token bucket wait")
            # What the wait would have refilled; set, not computed, so rounding can't leave the
            # bucket a hair short and waiting on a clock that doesn't move.
            bucket._current_capacity = amount
        return bucket._acquire(amount=amount, block=block)


# Starting and stopping ---------------------------------------------------------------------------


def sleep_limit_seconds(limit: float | timedelta | None) -> float:
    """A ``sleep_limit`` option in seconds: a simulated week if None."""
    given = DEFAULT_SLEEP_LIMIT if limit is None else limit
    return duration_seconds(given, "a sleep_limit can't be negative")


def start_session(limit_seconds: float) -> SleepSession:
    """Instant sleeps for the calling thread until ``end_session``, adding up to at most
    ``limit_seconds``."""
    global _sessions
    session = SleepSession(limit_seconds)
    with _lock:
        if not _sessions:
            _install()
        mine = _sessions.get(session.thread_id, ())
        _sessions = {**_sessions, session.thread_id: (*mine, session)}
    return session


def end_session(session: SleepSession) -> None:
    """Ends a session; the last one to end puts back everything the first one patched."""
    global _sessions
    with _lock:
        mine = tuple(s for s in _sessions.get(session.thread_id, ()) if s is not session)
        others = {t: s for t, s in _sessions.items() if t != session.thread_id}
        _sessions = {**others, session.thread_id: mine} if mine else others
        if not _sessions:
            _uninstall()


def _patch(owner: object, name: str, instant: object) -> None:
    real = getattr(owner, name)
    if real is instant:
        return
    setattr(owner, name, instant)
    _undo.append((owner, name, real, instant))


def _install() -> None:
    # A patch left in place by someone who patched over it (see _uninstall) is not a real one.
    if time.sleep is not instant_sleep:
        _Real.sleep = time.sleep
    if asyncio.sleep is not instant_async_sleep:
        _Real.async_sleep = asyncio.sleep
    _patch(time, "sleep", instant_sleep)
    for module in (asyncio, asyncio.tasks):
        _patch(module, "sleep", instant_async_sleep)
    if ADAPTIVE_RETRIES_INSTANT:
        if TokenBucket.acquire is not _acquire_at_once:
            _Real.acquire = TokenBucket.acquire
        _patch(TokenBucket, "acquire", _acquire_at_once)
    modules = list(sys.modules.items())
    _modules_at_start.clear()
    _modules_at_start.update(name for name, _ in modules)
    instant = {
        id(_Real.first_sleep): instant_sleep,
        id(_Real.sleep): instant_sleep,
        id(_Real.first_async_sleep): instant_async_sleep,
        id(_Real.async_sleep): instant_async_sleep,
    }
    for module_name, module in modules:
        for name in _names_bound(module_name, module):
            replacement = instant.get(id(vars(module).get(name)))
            if replacement is not None:
                _patch(module, name, replacement)


def _uninstall() -> None:
    while _undo:
        owner, name, real, instant = _undo.pop()
        # Someone who patched over the instant function since keeps theirs.
        if getattr(owner, name, None) is instant:
            setattr(owner, name, real)
    # A module imported meanwhile took the instant functions by name; left-alone ones too (a
    # pytest plugin loaded during a test), since an instant function is never theirs to keep.
    real = {id(instant_sleep): _Real.sleep, id(instant_async_sleep): _Real.async_sleep}
    for module_name in set(sys.modules) - _modules_at_start:
        module = sys.modules.get(module_name)
        if not isinstance(module, types.ModuleType) or module_name == __name__:
            continue
        for name, value in _items(vars(module)):
            if id(value) in real:
                setattr(module, name, real[id(value)])
    _modules_at_start.clear()


def _namespace(module_name: str, module: object) -> dict[str, Any] | None:
    """A module's namespace to scan, or None for what is not scanned. ``vars`` reads the dict
    without ``__getattr__``, so lazy modules don't import anything."""
    if not isinstance(module, types.ModuleType) or module_name.startswith(NOT_SCANNED):
        return None
    if module is time or module is asyncio or module is asyncio.tasks:
        return None  # patched by name above
    return vars(module)


def _items(namespace: dict[str, Any]) -> list[tuple[str, Any]]:
    try:
        return list(namespace.items())
    except RuntimeError:  # another thread's import grew the namespace meanwhile: as it was then
        return []


def _names_bound(module_name: str, module: object) -> tuple[str, ...]:
    """Names in a module's namespace bound to ``time.sleep`` or ``asyncio.sleep`` (real or
    instant); from the cache while the module is the same object with a namespace of the same
    size. This runs for every loaded module at each start, so it is kept to a few lookups."""
    if not isinstance(module, types.ModuleType):  # sys.modules may hold anything
        return ()
    key = (id(module), len(vars(module)))
    cached = _scan_cache.get(module_name)
    if cached is not None and cached[0] == key:
        return cached[1]
    namespace = _namespace(module_name, module)
    names: tuple[str, ...] = ()
    if namespace is not None:
        sleeps = {
            id(f)
            for f in (_Real.sleep, _Real.async_sleep, _Real.first_sleep, _Real.first_async_sleep)
        }
        sleeps.update((id(instant_sleep), id(instant_async_sleep)))
        names = tuple(name for name, value in _items(namespace) if id(value) in sleeps)
    _scan_cache[module_name] = (key, names)
    return names
