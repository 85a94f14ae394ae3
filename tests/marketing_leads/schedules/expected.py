"""Intended run instants, computed with zoneinfo alone, to compare every runner against.

Independent of marketing_leads.schedules on purpose. zoneinfo's default (``fold=0``) matches the
rules of docs/schedules.md except for a local time that happens twice (the rules take the
second): tests of those days write the instant out.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
# Both changes of every zone: Sydney forward 2026-10-04 and back 2027-04-04, Berlin back
# 2026-10-25 and forward 2027-03-28, New York back 2026-11-01 and forward 2027-03-14.
EARLIEST = datetime(2026, 10, 1, tzinfo=UTC)
LATEST = datetime(2027, 4, 15, tzinfo=UTC)


def wall_clock_runs(zone: str, at: str, on_day: Callable[[date], bool]) -> list[str]:
    """UTC instants (ISO) of ``at`` in ``zone`` on the matching days between EARLIEST and LATEST."""
    hour, minute = map(int, at.split(":"))
    runs, day = [], EARLIEST.date() - timedelta(days=1)
    while day <= LATEST.date():
        instant = datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)
        if on_day(day) and EARLIEST <= instant <= LATEST:
            runs.append(instant.isoformat())
        day += timedelta(days=1)
    return runs


def every_day(day: date) -> bool:
    return True


def mondays(day: date) -> bool:
    return day.weekday() == 0


def last_day_of_month(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def day_30_or_last(day: date) -> bool:
    return day.day == min(30, calendar.monthrange(day.year, day.month)[1])
