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
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, simulated."""
        # Looked up on the module at call time so that patched clocks are seen.
        return time.time() + self._offset

    def now(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, by: float | timedelta) -> datetime:
        """Moves simulated time forward and returns the new now. Time never runs backwards."""
        seconds = duration_seconds(by, "the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def offset_seconds(self) -> float:
        """Seconds ``advance`` has added to real time so far."""
        return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


clock = SimulatedClock()
