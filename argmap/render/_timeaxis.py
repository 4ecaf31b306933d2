"""Time on a line: dates as day numbers, and axis ticks suited to the span.

Time is a float count of days (the proleptic ordinal; hours are fractions). A partial date
becomes the days it may denote; ticks step by one unit (``("day", 1)``, ``("month", 3)``...),
the finest that leaves ``MIN_TICK_PX`` between lines, hours only for spans of three days or less.

>>> from argmap.model import partial_date
>>> extent(partial_date("2025-11"))[:2] == (739556.0, 739586.0)     # all of November
True
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Callable, NamedTuple

from argmap.model import PartialDate

__all__ = ["MIN_TICK_PX", "Tick", "ceil", "choose_step", "extent", "floor", "ticks"]

Step = tuple[str, int]
_STEPS: list[Step] = (
    [("hour", n) for n in (1, 2, 3, 6, 12)]
    + [("day", 1), ("day", 2), ("week", 1), ("week", 2)]
    + [("month", n) for n in (1, 3, 6)]
    + [("year", n) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)]
)
_APPROX_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}
MIN_TICK_PX = 58


class Tick(NamedTuple):
    x: float
    iso: str  # the instant the line marks: 2025-11-20, 2025-11, 2025, 2025-11-20T06:00
    label: str
    label_x: float
    major: str | None  # the coarser unit that starts here ("November 2025"), if it changes


def extent(pd: PartialDate) -> tuple[float, float, float, bool]:
    """``(start, end, anchor, is_point)`` in days. A day is its 24 hours, anchored at noon; a
    time is an instant (UTC when it has an offset); anything coarser is a span to its end."""
    if pd.precision == "time":
        stamp = _dt.datetime.fromisoformat(pd.edtf.rstrip("~?%"))
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        t = stamp.toordinal() + (stamp - _dt.datetime(stamp.year, stamp.month, stamp.day)).total_seconds() / 86400
        return t, t, t, True
    start, end = float(pd.lower.toordinal()), pd.upper.toordinal() + 1.0
    if pd.precision == "day":
        return start, end, start + 0.5, True
    return start, end, (start + end) / 2, False


def choose_step(span: float, width: float, *, hours: bool = True) -> Step:
    """The finest step that keeps ``MIN_TICK_PX`` between ticks over ``span`` days; hours only
    when ``hours`` (some date has a time) and the span is three days or less."""
    for unit, n in _STEPS:
        if unit == "hour" and (span > 3 or not hours):
            continue
        if span / (_APPROX_DAYS[unit] * n) * MIN_TICK_PX <= width:
            return unit, n
    return _STEPS[-1]


def _to_datetime(t: float) -> _dt.datetime:
    """The instant ``t``, to the second (hour steps add up float error: 06:59:59.9997 is 07:00)."""
    day = _dt.date.fromordinal(int(math.floor(t)))
    return _dt.datetime(day.year, day.month, day.day) + _dt.timedelta(seconds=round((t - math.floor(t)) * 86400))


def floor(t: float, step: Step) -> float:
    """The last tick of ``step`` at or before ``t`` (weeks start on Monday)."""
    unit, n = step
    if unit == "hour":
        return math.floor(round(t * 24, 6) / n) * n / 24
    if unit == "day":
        return float(math.floor(t))
    if unit == "week":
        day = math.floor(t)
        return float(day - _dt.date.fromordinal(day).weekday())
    d = _to_datetime(t)
    if unit == "month":
        return float(_dt.date(d.year, (d.month - 1) // n * n + 1, 1).toordinal())
    return float(_dt.date(max(1, d.year // n * n), 1, 1).toordinal())


def _advance(t: float, step: Step) -> float:
    unit, n = step
    if unit in ("hour", "day", "week"):
        return t + n * {"hour": 1 / 24, "day": 1, "week": 7}[unit]
    d = _to_datetime(t)
    if unit == "month":
        months = d.year * 12 + d.month - 1 + n
        return float(_dt.date(months // 12, months % 12 + 1, 1).toordinal())
    return float(_dt.date(min(9999, d.year + n), 1, 1).toordinal())


def ceil(t: float, step: Step) -> float:
    """The first tick of ``step`` at or after ``t``."""
    f = floor(t, step)
    return f if abs(f - t) < 1e-9 else _advance(f, step)


def ticks(d0: float, d1: float, step: Step, x_of: Callable[[float], float]) -> list[Tick]:
    """Ticks from ``d0`` to ``d1``. A one-unit step names the span it starts (the day, the
    month: the label sits in the middle); a longer step names its line."""
    unit, n = step
    out: list[Tick] = []
    t = ceil(d0, step)
    prev_major = None
    while t <= d1 + 1e-6 and len(out) < 5000:
        d = _to_datetime(t)
        nxt = _advance(t, step)
        if unit == "hour":
            label, iso, major = d.strftime("%H:%M"), d.strftime("%Y-%m-%dT%H:%M"), d.strftime("%a %d %b %Y")
        elif unit in ("day", "week"):
            roomy = unit == "day" and n == 1 and x_of(nxt) - x_of(t) >= 70
            label = f"{d:%a} {d.day}" if roomy else f"{d.day} {d:%b}"
            iso, major = d.date().isoformat(), d.strftime("%B %Y")
        elif unit == "month":
            label, iso, major = d.strftime("%b"), d.strftime("%Y-%m"), str(d.year)
        else:
            label, iso, major = str(d.year), str(d.year), None
        centred = n == 1 and unit in ("day", "month", "year")
        if centred and nxt > d1 + 1e-6:
            label = ""  # the closing line of the last day (month, year) has no span to name
        label_x = (x_of(t) + x_of(nxt)) / 2 if centred else x_of(t)
        out.append(Tick(x_of(t), iso, label, label_x, major if major != prev_major else None))
        prev_major = major
        t = nxt
    return out
