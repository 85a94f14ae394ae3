"""Turn "weekly on Monday at 09:00 in America/New_York" into Meltano schedules, without I/O.

Why this module exists: a Meltano schedule is only ``name, interval, job, env``. It carries no
time zone and no start/end date, and every orchestrator Meltano drives (Airflow's DAG generator,
dagster-meltano) reads the cron as UTC. A person's "09:00 in New York" is 13:00 UTC in summer and
14:00 UTC in winter, so no single cron is right all year.

Strategy, "one UTC cron per DST period": the cron is computed for the UTC offset in force at the
next intended run. It is exact until the zone's next daylight-saving change; after that it fires
one hour early or late (local time). :func:`plan` shows the next runs as the cron will fire them
(croniter, in UTC, converted to the zone) next to the intended local times, and returns a warning
naming the change, the local time the run moves to and the cron that is right after it. The user
re-runs ``marketing-leads schedule ... --write`` after the change (idempotent: same schedule
name, new interval) or runs ``marketing-leads schedule --check`` (CI, or before each run), which
reports stale crons. An hourly cron with a local-time gate was rejected: it starts a Meltano
process 24 times a day and hides the real run time from the orchestrator's UI.

Rules for local times that do not exist or happen twice, the ones Airflow's time-zone-aware cron
timetables apply (pendulum's "post-transition" rule: ``make_aware`` sets ``fold=1``), so that the
UTC crons, the preview and the project's Airflow DAGs agree:

* nonexistent (spring-forward gap, e.g. 02:30 on 2027-03-14 in New York): the run happens at the
  same elapsed time after the last valid offset, i.e. shifted forward by the gap (03:30 EDT);
* ambiguous (fall-back, e.g. 01:30 on 2026-11-01 in New York): the second occurrence, after the
  clocks went back (01:30 EST).

The same rules give each runner its schedule: :func:`crons_for_run` the UTC crons of one DST
period, :func:`local_crons` the wall-clock crons a zone-aware runner (Airflow, systemd) runs all
year in the person's zone.

Monthly on day 29-31: the run is on that day in months that have it and on the last day of shorter
months (31 -> Feb 28/29, Apr 30). The crons use croniter's ``L`` (last day of month), which
Meltano 4.4's ``is_valid_cron`` accepts; when one cron cannot express the days (e.g. day 30: the
30th, but the last day in February) several crons are emitted, one Meltano schedule each. A
5-field cron cannot tell leap years apart: in the rare cases where the UTC day depends on it
(day 28+ with a run time that is on another UTC day), the crons over-approximate (one extra run
rather than a missed one) and :func:`plan` says so in its notes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import combinations, islice, takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

FREQUENCIES = ("once", "daily", "weekly", "monthly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
ONCE_INTERVAL = "@once"
UTC = timezone.utc

_LEAP_YEAR, _COMMON_YEAR = 2028, 2027
_WEEKDAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
_AT_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """Bad schedule input or a schedule that cannot be written; the message is one clear line."""


@dataclass(frozen=True)
class Choice:
    """What the person picked: frequency, day, local time and IANA zone.

    ``on`` is the weekday index (0 = Monday) for weekly, the day of month (1-31) for monthly.
    """

    every: str
    at: time
    tz: str
    on: int | None = None
    date: date | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The IANA zone of the choice."""
        return ZoneInfo(self.tz)

    @property
    def label(self) -> str:
        """Stable one-line form, stored in the schedule's env and parsed back by --check."""
        at = self.at.strftime("%H:%M")
        if self.every == "weekly":
            return f"weekly {WEEKDAYS[self.on or 0]} {at} {self.tz}"
        if self.every == "monthly":
            return f"monthly {self.on} {at} {self.tz}"
        if self.every == "once":
            return f"once {self.date} {at} {self.tz}"
        return f"daily {at} {self.tz}"

    def as_dict(self) -> dict[str, str | int | None]:
        """JSON form: on is the weekday name or the day of month."""
        on: str | int | None = self.on
        if self.every == "weekly" and self.on is not None:
            on = WEEKDAYS[self.on]
        return {
            "every": self.every,
            "on": on,
            "at": self.at.strftime("%H:%M"),
            "tz": self.tz,
            "date": self.date.isoformat() if self.date else None,
        }


def make_choice(
    every: str,
    *,
    tz: str,
    at: str | None = None,
    on: str | None = None,
    on_date: str | None = None,
) -> Choice:
    """Validate raw command-line values into a :class:`Choice` (one clear error otherwise)."""
    if every not in FREQUENCIES:
        raise ScheduleError(f"--every must be one of {', '.join(FREQUENCIES)}, got {every!r}")
    zone_name = _valid_zone(tz)
    at_time = _parse_at(at or "00:00")
    day = _parse_on(every, on)
    run_date = _parse_date(every, on_date)
    choice = Choice(every=every, at=at_time, tz=zone_name, on=day, date=run_date)
    if run_date is not None and not _exists(datetime.combine(run_date, at_time), choice.zone):
        raise ScheduleError(
            f"{run_date} {at_time:%H:%M} does not exist in {zone_name} (the clocks skip it for "
            "daylight-saving time); pick another time"
        )
    return choice


def parse_label(label: str) -> Choice:
    """Inverse of :attr:`Choice.label`."""
    parts = label.split()
    if len(parts) == 3 and parts[0] == "daily":
        return make_choice("daily", at=parts[1], tz=parts[2])
    if len(parts) == 4 and parts[0] in ("weekly", "monthly"):
        return make_choice(parts[0], on=parts[1], at=parts[2], tz=parts[3])
    if len(parts) == 4 and parts[0] == "once":
        return make_choice("once", on_date=parts[1], at=parts[2], tz=parts[3])
    raise ScheduleError(f"unreadable schedule choice {label!r}")


def _valid_zone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {tz!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None
    return tz


def _parse_at(at: str) -> time:
    match = _AT_PATTERN.match(at)
    if not match:
        raise ScheduleError(f"--at must be a 24-hour time HH:MM (e.g. 09:00), got {at!r}")
    return time(int(match.group(1)), int(match.group(2)))


def _parse_on(every: str, on: str | None) -> int | None:
    if every in ("once", "daily"):
        if on is not None:
            raise ScheduleError(f"--on is only for weekly or monthly schedules, not {every}")
        return None
    if on is None:
        example = "mon" if every == "weekly" else "15"
        raise ScheduleError(f"--on is required for {every} schedules (e.g. --on {example})")
    if every == "weekly":
        key = on.strip().lower()
        if key not in _WEEKDAY_NAMES:
            raise ScheduleError(f"--on for weekly must be one of {', '.join(WEEKDAYS)}, got {on!r}")
        return _WEEKDAY_NAMES[key]
    if not on.isdigit() or not 1 <= int(on) <= 31:
        raise ScheduleError(f"--on for monthly must be a day of month 1-31, got {on!r}")
    return int(on)


def _parse_date(every: str, on_date: str | None) -> date | None:
    if every != "once":
        if on_date is not None:
            raise ScheduleError("--date is only for --every once")
        return None
    if on_date is None:
        raise ScheduleError("--date YYYY-MM-DD is required for --every once")
    try:
        return date.fromisoformat(on_date)
    except ValueError:
        raise ScheduleError(f"--date must be YYYY-MM-DD, got {on_date!r}") from None


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    """True when the naive wall time happens in the zone (it survives a round trip via UTC)."""
    aware = wall.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def resolve(wall: datetime, zone: ZoneInfo) -> datetime:
    """Aware local datetime for a naive wall time, with the rules of the module docstring.

    ``fold=1`` picks the second of two occurrences; in a gap ``fold=0`` reads the wall time with
    the offset before the change, which lands the run the gap's length later. The result is
    normalised: a nonexistent 02:30 comes back as 03:30 after the gap.
    """
    fold = 1 if _exists(wall, zone) else 0
    return wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone)


def dst_edge(choice: Choice, run: datetime) -> str | None:
    """'nonexistent' or 'ambiguous' when the choice's local time is so on the run's date."""
    wall = datetime.combine(run.date(), choice.at)
    if not _exists(wall, choice.zone):
        return "nonexistent"
    first = wall.replace(tzinfo=choice.zone, fold=0).utcoffset()
    return "ambiguous" if first != wall.replace(tzinfo=choice.zone, fold=1).utcoffset() else None


def _run_day(choice: Choice, day: date) -> bool:
    if choice.every == "daily":
        return True
    if choice.every == "weekly":
        return day.weekday() == choice.on
    if choice.every == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(choice.on or 1, last)
    return day == choice.date


def intended_runs(choice: Choice, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` local run instants strictly after ``after``, as the person means them."""
    return list(islice(iter_runs(choice, after), count))


def iter_runs(choice: Choice, after: datetime) -> Iterator[datetime]:
    """The local run instants strictly after ``after``, as the person means them, in order."""
    zone, after = choice.zone, _utc(after)
    if choice.every == "once":
        run = resolve(datetime.combine(choice.date or after.date(), choice.at), zone)
        if run > after:
            yield run
        return
    day = after.astimezone(zone).date() - timedelta(days=1)
    while True:
        if _run_day(choice, day):
            run = resolve(datetime.combine(day, choice.at), zone)
            if run > after:
                yield run
        day += timedelta(days=1)


def crons_for_run(choice: Choice, run: datetime) -> tuple[list[str], list[str]]:
    """UTC crons that fire at the run's local time while the run's UTC offset lasts.

    ``run`` is an intended run from :func:`intended_runs`. Returns (crons, approximation notes).
    """
    if choice.every == "once":
        return [ONCE_INTERVAL], []
    utc = run.astimezone(UTC)
    return _crons_at(choice, utc.time(), (utc.date() - run.date()).days)


def local_crons(choice: Choice) -> list[str]:
    """Wall-clock crons that fire at the choice's local time all year, read in its own zone.

    For runners that read a cron in a time zone (Airflow's cron timetables, systemd calendars);
    exact, since the local date never differs from itself (no leap-year approximation). A
    one-time run has none: it is one instant (:func:`intended_runs`).
    """
    if choice.every == "once":
        return []
    return _crons_at(choice, choice.at, 0)[0]


def _crons_at(choice: Choice, at: time, shift: int) -> tuple[list[str], list[str]]:
    """Crons at ``at`` on the choice's days moved ``shift`` days (-1, 0, +1), and their notes."""
    minute_hour = f"{at.minute} {at.hour}"
    if choice.every == "daily":
        return [f"{minute_hour} * * *"], []
    if choice.every == "weekly":
        cron_dow = ((choice.on or 0) + shift + 1) % 7  # cron: 0 = Sunday
        return [f"{minute_hour} * * {cron_dow}"], []
    fields, notes = monthly_day_fields(choice.on or 1, shift)
    return [f"{minute_hour} {days} {months} *" for days, months in fields], notes


def _exists_at(choice: Choice, run: datetime) -> bool:
    return _exists(datetime.combine(run.date(), choice.at), choice.zone)


def _days_in(month: int, leap: bool) -> int:
    return calendar.monthrange(_LEAP_YEAR if leap else _COMMON_YEAR, month)[1]


def _fires(expr: str, month: int, leap: bool) -> set[int]:
    if expr == "L":
        return {_days_in(month, leap)}
    return {int(expr)} if int(expr) <= _days_in(month, leap) else set()


def monthly_day_fields(day: int, shift: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Cron (day-of-month, month) field pairs for "monthly on ``day``" whose UTC date is ``shift``
    days after the local date (-1, 0 or +1), and notes on any approximation.

    For each month, the smallest sets of candidates (``1..31``, ``L``) that fire on exactly the
    required UTC days in both leap and common years; among those, the set whose candidates serve
    the most months (fewest schedules), numbers before ``L``. A month no set covers exactly gets
    its day numbers (one extra run in the other kind of year rather than a missed run) and a note.
    """
    required: dict[tuple[int, bool], set[int]] = {
        (month, leap): set() for month in range(1, 13) for leap in (True, False)
    }
    for leap in (True, False):
        year = _LEAP_YEAR if leap else _COMMON_YEAR
        for month in range(1, 13):
            local = date(year, month, min(day, calendar.monthrange(year, month)[1]))
            utc_day = local + timedelta(days=shift)
            required[(utc_day.month, leap)].add(utc_day.day)
    options = {month: _exact_covers(month, required) for month in range(1, 13)}
    serves = {
        expr: sum(any(expr in option for option in opts) for opts in options.values())
        for expr in _CANDIDATES
    }
    chosen: dict[int, tuple[str, ...]] = {}
    notes: list[str] = []
    for month, opts in options.items():
        if opts:
            best = max(opts, key=lambda o: (sum(serves[e] for e in o), -o.count("L")))
            chosen[month] = best
            continue
        days = sorted(required[(month, True)] | required[(month, False)])
        chosen[month] = tuple(str(d) for d in days)
        notes.extend(_approximation_notes(month, days, required, shift))
    return _fields(chosen), notes


_CANDIDATES = ("L", *(str(n) for n in range(1, 32)))


def _exact_covers(month: int, required: dict[tuple[int, bool], set[int]]) -> list[tuple[str, ...]]:
    """Smallest candidate sets firing on exactly the required days of ``month``, once each."""
    safe = [
        expr
        for expr in _CANDIDATES
        if any(_fires(expr, month, leap) for leap in (True, False))
        and all(_fires(expr, month, leap) <= required[(month, leap)] for leap in (True, False))
    ]
    for size in range(4):
        covers = []
        for combo in combinations(safe, size):
            exact = True
            for leap in (True, False):
                fired = [d for expr in combo for d in _fires(expr, month, leap)]
                if len(fired) != len(set(fired)) or set(fired) != required[(month, leap)]:
                    exact = False
            if exact:
                covers.append(combo)
        if covers:
            return covers
    return []


def _approximation_notes(
    month: int, days: list[int], required: dict[tuple[int, bool], set[int]], shift: int
) -> list[str]:
    notes = []
    for leap in (True, False):
        year = _LEAP_YEAR if leap else _COMMON_YEAR
        for utc_day in days:
            if utc_day not in required[(month, leap)] and utc_day <= _days_in(month, leap):
                extra = date(year, month, utc_day) - timedelta(days=shift)
                kind = "leap" if leap else "common"
                notes.append(
                    "a 5-field cron cannot tell leap years apart: in "
                    f"{kind} years this schedule also runs on {extra:%b} {extra.day} (local)"
                )
    return notes


def _fields(chosen: dict[int, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Group months by candidate; a candidate that fires nowhere else gets month ``*``."""
    months_of: dict[str, list[int]] = {}
    for month, exprs in chosen.items():
        for expr in exprs:
            months_of.setdefault(expr, []).append(month)
    pairs: list[tuple[list[str], str]] = []
    for expr, months in months_of.items():
        elsewhere = [
            m
            for m in range(1, 13)
            if m not in months and any(_fires(expr, m, leap) for leap in (True, False))
        ]
        month_field = "*" if not elsewhere else _month_field(months)
        joinable = [days for days, field_ in pairs if field_ == month_field and "L" not in days]
        if expr != "L" and joinable:
            joinable[0].append(expr)
        else:
            pairs.append(([expr], month_field))
    return [(",".join(days), month_field) for days, month_field in pairs]


def _month_field(months: list[int]) -> str:
    if len(months) == 12:
        return "*"
    ranges: list[str] = []
    start = prev = months[0]
    for m in [*months[1:], None]:
        if m is not None and m == prev + 1:
            prev = m
            continue
        ranges.append(str(start) if start == prev else f"{start}-{prev}")
        if m is not None:
            start = prev = m
    return ",".join(ranges)


def cron_fires(crons: list[str], after: datetime, count: int) -> list[datetime]:
    """The next ``count`` UTC instants at which any of the crons fires, strictly after ``after``."""
    fires: set[datetime] = set()
    for expr in crons:
        if expr == ONCE_INTERVAL:
            continue
        it = croniter(expr, after.astimezone(UTC))
        fires.update(it.get_next(datetime).astimezone(UTC) for _ in range(count))
    return sorted(fires)[:count]


@dataclass(frozen=True)
class Transition:
    """A change of the zone's UTC offset (daylight-saving time starts or ends)."""

    at: datetime  # first UTC instant with the new offset
    before: timedelta
    after: timedelta

    def describe(self, zone: ZoneInfo) -> str:
        """E.g. '2026-11-01 (UTC-04:00 -> UTC-05:00)' with the local date of the change."""
        local = self.at.astimezone(zone)
        return f"{local.date()} (UTC{_offset(self.before)} -> UTC{_offset(self.after)})"


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """UTC offset changes of ``zone`` in (start, end], found day by day then bisected."""
    found: list[Transition] = []
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while cursor < end:
        step = min(cursor + timedelta(days=1), end)
        before, after = cursor.astimezone(zone).utcoffset(), step.astimezone(zone).utcoffset()
        if before != after and before is not None and after is not None:
            low, high = cursor, step
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(zone).utcoffset() == before:
                    low = mid
                else:
                    high = mid
            found.append(
                Transition(at=high.replace(second=0, microsecond=0), before=before, after=after)
            )
        cursor = step
    return found


@dataclass(frozen=True)
class Run:
    """One upcoming run as the cron fires it, next to the run the person intended."""

    fires: datetime  # aware, in the choice's zone
    intended: datetime | None  # aware, in the zone; None for an extra (approximation) run

    @property
    def on_time(self) -> bool:
        """True when the cron fires at the intended instant.

        Compared in UTC: Python compares two datetimes of the same zone by wall time, ignoring
        ``fold``, so 01:30 EDT would equal 01:30 EST.
        """
        return self.intended is not None and _utc(self.fires) == _utc(self.intended)


@dataclass
class Plan:
    """Everything the command shows or writes for one choice at one instant."""

    choice: Choice
    crons: list[str]
    runs: list[Run]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan(choice: Choice, now: datetime, count: int = 5, *, fix_hint: str = "") -> Plan:
    """The crons for the period of the next run, the next ``count`` runs and the DST warnings.

    ``fix_hint`` is the command line to re-run after a change (shown in warnings).
    """
    zone = choice.zone
    upcoming = intended_runs(choice, now, 1)
    if not upcoming:
        raise ScheduleError(
            f"{choice.date} {choice.at:%H:%M} {choice.tz} is in the past; pick a future date"
        )
    crons, notes = crons_for_run(choice, upcoming[0])
    if choice.every == "once":
        return Plan(choice, crons, [Run(upcoming[0], upcoming[0])], notes=notes)
    fired = [f.astimezone(zone) for f in cron_fires(crons, now, count)]
    intended = intended_runs(choice, now, count + 2)
    runs = [Run(f, _nearest(f, intended)) for f in fired]
    result = Plan(choice, crons, runs, notes=notes)
    changes = transitions(zone, now, fired[-1] + timedelta(days=1))
    for change in changes:
        moved = [r for r in runs if r.fires >= change.at and r.intended and not r.on_time]
        if moved:
            result.warnings.append(_moved_warning(choice, change, moved[0], fix_hint))
    if not result.warnings:
        ahead = next_cron_change(choice, fired[-1])
        if ahead:
            change, after_crons = ahead
            result.notes.append(
                f"next daylight-saving change in {choice.tz}: {change.describe(zone)}; from then "
                f"the cron must be {' + '.join(after_crons)}: re-run this command with --write "
                "after that date, or run `marketing-leads schedule --check` before each run "
                "(zone-aware runners, the project's Airflow DAGs and systemd timers, need neither)"
            )
    return result


def next_cron_change(choice: Choice, now: datetime) -> tuple[Transition, list[str]] | None:
    """The next DST change after which today's UTC crons are wrong, and the crons right then.

    None when they stay right for a year: a zone without DST, or a one-time run.
    """
    upcoming = intended_runs(choice, now, 1)
    if choice.every == "once" or not upcoming:
        return None
    current = crons_for_run(choice, upcoming[0])[0]
    for change in transitions(choice.zone, now, now + timedelta(days=400)):
        after = _crons_after(choice, change)
        if after != current:
            return change, after
    return None


def dst_edges(choice: Choice, now: datetime, days: int = 400) -> list[tuple[datetime, str]]:
    """Runs in the next ``days`` whose local time is nonexistent or ambiguous, with which.

    Where runners part from the rules (systemd skips a nonexistent time and takes the first of
    two), the command says so for these runs.
    """
    horizon = _utc(now) + timedelta(days=days)
    runs = takewhile(lambda run: run <= horizon, iter_runs(choice, now))
    edges = [(run, dst_edge(choice, run)) for run in runs]
    return [(run, edge) for run, edge in edges if edge]


def _nearest(fire: datetime, intended: list[datetime]) -> datetime | None:
    best = min(intended, key=lambda run: abs(_utc(run) - _utc(fire)))
    return best if abs(_utc(best) - _utc(fire)) < timedelta(hours=12) else None


def _utc(instant: datetime) -> datetime:
    """Same instant in UTC, for arithmetic and comparison that must respect ``fold``."""
    return instant.astimezone(UTC)


def _crons_after(choice: Choice, change: Transition) -> list[str]:
    """The crons that are right once the change's new offset applies to the run."""
    for run in intended_runs(choice, change.at, 40):
        if run.utcoffset() == change.after and _exists_at(choice, run):
            return crons_for_run(choice, run)[0]
    return crons_for_run(choice, intended_runs(choice, change.at, 1)[0])[0]


def _moved_warning(choice: Choice, change: Transition, run: Run, fix_hint: str) -> str:
    zone = choice.zone
    intended = run.intended or run.fires
    right = crons_for_run(choice, intended)[0]
    hint = fix_hint or "marketing-leads schedule ... --write"
    return (
        f"daylight-saving time changes in {choice.tz} on {change.describe(zone)}: from the run of "
        f"{intended.date()} the cron fires at {run.fires:%H:%M %Z} local instead of "
        f"{intended:%H:%M %Z}. The cron that is right after the change is "
        f"{' + '.join(f'`{c}`' for c in right)}. Re-run `{hint}` after "
        f"{change.at.astimezone(zone).date()} (it updates the schedule in place), or run "
        "`marketing-leads schedule --check` in CI or before each run (exit 1 when stale)."
    )


ENV_CHOICE = "MARKETING_LEADS_SCHEDULE"
ENV_GROUP = "MARKETING_LEADS_SCHEDULE_GROUP"


@dataclass(frozen=True)
class ScheduleSpec:
    """One Meltano job schedule as it goes into meltano.yml."""

    name: str
    interval: str
    job: str
    env: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        """meltano.yml form (key order as Meltano writes it)."""
        return {"name": self.name, "interval": self.interval, "job": self.job, "env": self.env}


def schedule_specs(choice: Choice, crons: list[str], name: str, job: str) -> list[ScheduleSpec]:
    """One schedule per cron: ``name``, then ``name-2``, ``name-3`` ... all in group ``name``.

    The env keeps the person's choice so that ``--check`` can recompute the crons later; Meltano
    passes it to the job's run, where it is harmless.
    """
    env = {ENV_CHOICE: choice.label, ENV_GROUP: name}
    return [
        ScheduleSpec(name=name if i == 1 else f"{name}-{i}", interval=cron, job=job, env=dict(env))
        for i, cron in enumerate(crons, start=1)
    ]
