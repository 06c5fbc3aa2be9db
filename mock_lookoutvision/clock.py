"""The one simulated clock behind token expiry, timestamps and every lifecycle.

It reads real UTC time through ``time.time()`` at each call, so freezegun's ``freeze_time`` (with
``tick()`` and ``move_to()``) and time-machine move it, and adds an offset that ``advance`` grows.
``time.time()`` rather than ``datetime.now(timezone.utc)``: freezegun <= 1.5.5 wrongly shifts the
latter by ``freeze_time(tz_offset=...)``.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import NamedTuple


def duration_seconds(duration: float | timedelta, why_not_negative: str) -> float:
    """Seconds in a duration given as seconds or a timedelta; negative and non-finite ones are
    refused."""
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    # NaN passes every comparison, so it is refused before it can reach an offset or a deadline.
    if not math.isfinite(seconds):
        raise ValueError(f"a duration must be finite, not {seconds}")
    if seconds < 0:
        raise ValueError(f"{why_not_negative}; got {seconds} seconds")
    return seconds


class _State(NamedTuple):
    """The clock's state, replaced whole (one assignment) so a reader never sees half a change."""

    offset: float  # seconds added to real time, up to real time ``since``
    # Faster than real time (a server's ``--speed``): from real time ``since`` on, each real
    # second is ``speed`` simulated ones.
    since: float
    speed: float


_REAL_TIME = _State(0.0, 0.0, 1.0)
MAX_SPEED = 1e6
"""The fastest the clock runs: a real second is then about 11.6 simulated days."""
# How long (real seconds) simulated time must stay a datetime at the clock's speed after an
# advance or a speed change; at the fastest speed a real day is some 2,700 simulated years.
_MARGIN_REAL_SECONDS = 86400.0


def _representable(seconds: float) -> bool:
    """Whether ``seconds`` since the epoch is a datetime (year 9999 at the latest)."""
    try:
        datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return False
    return True


class SimulatedClock:
    def __init__(self) -> None:
        self._state = _REAL_TIME
        self._lock = threading.Lock()  # between writers; readers take ``_state`` once

    def time(self) -> float:
        """Seconds since the epoch, simulated."""
        offset, since, speed = self._state
        # Looked up on the module at call time so that patched clocks are seen.
        real = time.time()
        if speed == 1.0:  # the common case, kept to one addition
            return real + offset
        return real + offset + (real - since) * (speed - 1.0)

    def now(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, by: float | timedelta) -> datetime:
        """Moves simulated time forward and returns the new now. Time never runs backwards; a
        ValueError, with the clock unchanged, if the new time would be past what a datetime
        holds (or, at a speed above 1, would get there within a real day)."""
        seconds = duration_seconds(by, "the clock only moves forward")
        with self._lock:
            state = self._state
            new = state._replace(offset=state.offset + seconds)
            _require_representable(new, f"advancing the clock by {seconds} seconds")
            self._state = new
        return self.now()

    @property
    def speed(self) -> float:
        return self._state.speed

    def set_speed(self, speed: float) -> None:
        """From now on, each real second is ``speed`` simulated seconds (1 is real time, at most
        ``MAX_SPEED``)."""
        if not 1 <= speed <= MAX_SPEED:  # NaN fails both comparisons
            raise ValueError(
                f"the clock's speed is at least 1 (real time) and at most {MAX_SPEED:g}, "
                f"not {speed}"
            )
        with self._lock:
            real = time.time()
            offset, since, old_speed = self._state
            # What the old speed gained so far becomes part of the offset, so time runs on
            # without a jump.
            new = _State(offset + (real - since) * (old_speed - 1.0), real, float(speed))
            _require_representable(new, f"a speed of {speed}")
            self._state = new

    def offset_seconds(self) -> float:
        """Seconds simulated time is ahead of real time: what ``advance`` added, and what a speed
        above 1 gained."""
        offset, since, speed = self._state
        return offset + (time.time() - since) * (speed - 1.0)

    def reset(self) -> None:
        """Back to real time: no offset, speed 1."""
        with self._lock:
            self._state = _REAL_TIME


def _require_representable(state: _State, change: str) -> None:
    real = time.time()
    now = real + state.offset + (real - state.since) * (state.speed - 1.0)
    # The margin: a real day at this speed, so that a running server doesn't soon run out of
    # datetimes; at real speed a day too, for deadlines a step sets from now.
    latest = now + _MARGIN_REAL_SECONDS * state.speed
    if not (math.isfinite(latest) and _representable(latest)):
        raise ValueError(
            f"{change} would take the simulated time past the year 9999 (within a real day at "
            f"speed {state.speed:g}); the clock is unchanged"
        )


clock = SimulatedClock()
