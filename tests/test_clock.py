"""The simulated clock: refused changes leave it as it was, and a reader never sees half a change."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from types import FrameType
from typing import Any

import pytest
import time_machine

from mock_lookoutvision import LookoutVisionMock
from mock_lookoutvision.clock import MAX_SPEED, SimulatedClock, clock

START = datetime(2026, 6, 1, tzinfo=timezone.utc)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    """Real time stands still at START (``shift`` moves it): simulated times are exact."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("by", [1e12, 1e300, timedelta.max, timedelta(days=2_914_000)])
def test_an_advance_past_the_last_datetime_is_refused_and_changes_nothing(
    lookoutvision_mock: LookoutVisionMock, lookoutvision_client: Any, by: float | timedelta
) -> None:
    lookoutvision_mock.advance(3600)
    before = clock.offset_seconds()
    with pytest.raises(ValueError, match="year 9999"):
        lookoutvision_mock.advance(by)
    assert clock.offset_seconds() == before
    assert lookoutvision_mock.now().year < 9999
    assert lookoutvision_client.list_projects()["Projects"] == []  # the service still answers


def test_an_advance_to_near_the_last_datetime_still_works(frozen: time_machine.Traveller) -> None:
    simulated = SimulatedClock()
    almost = datetime(9999, 12, 1, tzinfo=timezone.utc) - START
    assert simulated.advance(almost) == datetime(9999, 12, 1, tzinfo=timezone.utc)


def test_at_a_speed_the_clock_keeps_a_real_day_of_datetimes_ahead(
    frozen: time_machine.Traveller,
) -> None:
    simulated = SimulatedClock()
    simulated.set_speed(MAX_SPEED)
    # A real day at a million: some 2,700 simulated years. Year 9999 is less than 8,000 away.
    with pytest.raises(ValueError, match="year 9999"):
        simulated.advance(timedelta(days=365 * 5_300))
    assert simulated.offset_seconds() == 0
    simulated.advance(timedelta(days=365 * 5_000))
    # And a speed that would run past it within a real day is refused too.
    simulated.reset()
    simulated.advance(timedelta(days=365 * 7_000))
    offset = simulated.offset_seconds()
    with pytest.raises(ValueError, match="year 9999"):
        simulated.set_speed(MAX_SPEED)
    assert (simulated.speed, simulated.offset_seconds()) == (1.0, offset)


@pytest.mark.parametrize("speed", [MAX_SPEED * 1.5, math.inf, math.nan, 0.999, 0, -5])
def test_a_speed_out_of_range_is_refused_and_changes_nothing(
    frozen: time_machine.Traveller, speed: float
) -> None:
    simulated = SimulatedClock()
    simulated.set_speed(60)
    frozen.shift(10)
    before = (simulated.speed, simulated.time())
    with pytest.raises(ValueError, match="speed"):
        simulated.set_speed(speed)
    assert (simulated.speed, simulated.time()) == before


def test_the_fastest_speed_is_taken(frozen: time_machine.Traveller) -> None:
    simulated = SimulatedClock()
    simulated.set_speed(MAX_SPEED)
    frozen.shift(1)
    assert simulated.time() == START.timestamp() + MAX_SPEED


def _reading_at_every_line(simulated: SimulatedClock, change: Callable[[], object]) -> list[float]:
    """``simulated.time()`` read between every two lines of ``change``'s code in the clock, as
    another thread could."""
    seen: list[float] = []
    clock_file = SimulatedClock.time.__code__.co_filename

    def lines(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            seen.append(simulated.time())  # not traced: a trace function runs untraced
        return lines

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename == clock_file and frame.f_code.co_name != "time":
            return lines
        return None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        change()
    finally:
        sys.settrace(previous)
    return seen


def test_changing_the_speed_never_shows_a_jump(frozen: time_machine.Traveller) -> None:
    simulated = SimulatedClock()
    simulated.set_speed(3600)
    frozen.shift(10)  # ten real seconds at an hour each
    expected = START.timestamp() + 10 + 10 * 3599
    seen = _reading_at_every_line(simulated, lambda: simulated.set_speed(2))
    assert seen
    assert set(seen) == {expected}
    assert simulated.time() == expected


def test_advancing_and_resetting_never_show_a_mixed_state(frozen: time_machine.Traveller) -> None:
    simulated = SimulatedClock()
    simulated.set_speed(3600)
    frozen.shift(10)
    at = START.timestamp() + 10 + 10 * 3599
    seen = _reading_at_every_line(simulated, lambda: simulated.advance(60))
    assert set(seen) <= {at, at + 60}
    seen = _reading_at_every_line(simulated, simulated.reset)
    assert set(seen) <= {at + 60, START.timestamp() + 10}
    assert simulated.speed == 1.0
