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


class SimulatedClock:
    def __init__(self) -> None:
        self._offset = 0.0
        # Faster than real time (a server's ``--speed``): from real time ``_since`` on, each real
        # second is ``_speed`` simulated ones.
        self._speed = 1.0
        self._since = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, simulated."""
        # Looked up on the module at call time so that patched clocks are seen.
        real = time.time()
        if self._speed == 1.0:  # the common case, kept to one addition
            return real + self._offset
        return real + self._offset + (real - self._since) * (self._speed - 1.0)

    def now(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, by: float | timedelta) -> datetime:
        """Moves simulated time forward and returns the new now. Time never runs backwards."""
        seconds = duration_seconds(by, "the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """From now on, each real second is ``speed`` simulated seconds (1 is real time)."""
        if not math.isfinite(speed) or speed < 1:
            raise ValueError(f"the clock's speed is at least 1 (real time), not {speed}")
        with self._lock:
            real = time.time()
            # What the old speed gained so far becomes part of the offset, so time runs on
            # without a jump.
            self._offset += (real - self._since) * (self._speed - 1.0)
            self._since = real
            self._speed = float(speed)

    def offset_seconds(self) -> float:
        """Seconds simulated time is ahead of real time: what ``advance`` added, and what a speed
        above 1 gained."""
        return self._offset + (time.time() - self._since) * (self._speed - 1.0)

    def reset(self) -> None:
        """Back to real time: no offset, speed 1."""
        with self._lock:
            self._offset = 0.0
            self._speed = 1.0
            self._since = 0.0


clock = SimulatedClock()
