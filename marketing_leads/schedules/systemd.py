"""systemd timers: the project's schedules on one machine, at the person's local time all year.

Why systemd is the single-machine default: every current Linux server runs it, its calendar specs
take an IANA zone (``OnCalendar=Mon *-*-* 09:00:00 America/New_York``), it starts a
oneshot service only when the previous run has ended (one run at a time), ``Persistent=true``
runs a sync missed while the machine was off once at boot, and the runs land in the journal. A
UTC crontab would need a person after every DST change (``--check``).

Where systemd parts from the rules of :mod:`rules` (checked with ``systemd-analyze calendar``
252): a local time that does not exist that day is skipped, not shifted; a time that happens
twice runs at the first occurrence, not the second. :func:`edge_notes` names those runs. A
one-time run is written as its UTC instant, which the rules already resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from marketing_leads.schedules.rules import UTC, ScheduleError, dst_edges
from marketing_leads.schedules.zoned import ZonedSchedule

UNIT_PREFIX = "marketing-leads-"
_UNIT_NAME = re.compile(r"^[A-Za-z0-9:_.\-]+$")
_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # cron 0 and 7 = Sunday
_PLAIN = re.compile(r"^\d+(-\d+)?$")
_HEADER = (
    "# Written by `marketing-leads schedule --systemd` from the Meltano project's schedules:\n"
    "# re-run it after changing them rather than editing this file.\n"
)


@dataclass
class UnitsReport:
    """What ``--systemd`` did: files written, schedules skipped (with why), runs to know about."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def on_calendar(schedule: ZonedSchedule) -> list[str]:
    """The timer's ``OnCalendar=`` values: one per cron, read in the schedule's zone."""
    if schedule.once_at is not None:
        return [f"{schedule.once_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"]
    return [cron_to_calendar(cron, schedule.timezone) for cron in schedule.crons]


def cron_to_calendar(cron: str, timezone: str) -> str:
    """A 5-field cron as a systemd calendar spec in ``timezone``.

    Covers what ``marketing-leads schedule`` writes and plain hand-written crons: numbers, lists,
    ranges, ``*``, ``*/N`` in minutes and hours, ``L`` (last day of month). Raises ScheduleError
    for the rest, and for crons restricting both day of month and weekday (cron means either,
    systemd both).
    """
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(f"cron {cron!r} has no systemd equivalent here (5 fields expected)")
    minute, hour, dom, month, dow = fields
    if dom != "*" and dow != "*":
        raise ScheduleError(f"cron {cron!r} restricts both day of month and weekday")
    try:
        time_part = f"{_field(hour, step=True)}:{_field(minute, step=True)}:00"
        month_part = _field(month)
        day_part = "~01" if dom == "L" else f"-{_field(dom)}"
        weekday = "" if dow == "*" else _weekdays(dow) + " "
    except ValueError:
        raise ScheduleError(f"cron {cron!r} has no systemd equivalent here") from None
    return f"{weekday}*-{month_part}{day_part} {time_part} {timezone}"


def _field(expr: str, *, step: bool = False) -> str:
    """A cron field in systemd's syntax: two-digit numbers, ``..`` for ranges."""
    if expr == "*":
        return "*"
    if step and re.fullmatch(r"\*/\d+", expr):
        return "00/" + expr[2:]
    parts = expr.split(",")
    if not all(_PLAIN.match(part) for part in parts):
        raise ValueError(expr)
    return ",".join("..".join(f"{int(n):02d}" for n in part.split("-")) for part in parts)


def _weekdays(expr: str) -> str:
    names = []
    for part in expr.split(","):
        if not _PLAIN.match(part) or any(int(n) > 7 for n in part.split("-")):
            raise ValueError(expr)
        names.append("..".join(_DAY_NAMES[int(n)] for n in part.split("-")))
    return ",".join(names)


def unit_name(schedule: ZonedSchedule) -> str:
    """``marketing-leads-NAME`` (without suffix); ScheduleError for a name systemd refuses."""
    if not _UNIT_NAME.match(schedule.name):
        raise ScheduleError(
            f"schedule name {schedule.name!r} is not a valid systemd unit name (letters, digits, "
            "':', '_', '.', '-')"
        )
    return UNIT_PREFIX + schedule.name


def unit_files(schedule: ZonedSchedule, project_root: Path, meltano: str) -> dict[str, str]:
    """The ``.service`` (``meltano run JOB`` in the project) and ``.timer`` texts, by file name."""
    name = unit_name(schedule)
    calendars = "".join(f"OnCalendar={spec}\n" for spec in on_calendar(schedule))
    command = " ".join(_exec_word(word) for word in (meltano, "run", schedule.job))
    service = (
        f"{_HEADER}[Unit]\nDescription=Meltano job {schedule.job} "
        f"({schedule.name}: {schedule.description})\n\n"
        f"[Service]\nType=oneshot\nWorkingDirectory={_escape(str(project_root.resolve()))}\n"
        f"ExecStart={command}\n"
    )
    timer = (
        f"{_HEADER}[Unit]\nDescription=Run {name}.service: {schedule.description}\n\n"
        f"[Timer]\n{calendars}Persistent=true\n\n[Install]\nWantedBy=timers.target\n"
    )
    return {f"{name}.service": service, f"{name}.timer": timer}


def _escape(text: str) -> str:
    """Unit-file escaping of specifiers (%) and variables ($)."""
    return text.replace("%", "%%").replace("$", "$$")


def _exec_word(word: str) -> str:
    escaped = _escape(word.replace("\\", "\\\\").replace('"', '\\"'))
    return escaped if re.fullmatch(r"[\w./:@+=,-]+", word) else f'"{escaped}"'


def write_units(
    schedules: list[ZonedSchedule], directory: Path, project_root: Path, meltano: str
) -> UnitsReport:
    """Write every schedule's units into ``directory``; skip (and say why) what systemd cannot."""
    report = UnitsReport()
    directory.mkdir(parents=True, exist_ok=True)
    for schedule in schedules:
        try:
            files = unit_files(schedule, project_root, meltano)
        except ScheduleError as exc:
            report.skipped.append(f"{schedule.name}: {exc}; write its timer by hand")
            continue
        for file_name, text in files.items():
            (directory / file_name).write_text(text)
            report.written.append(str(directory / file_name))
    return report


def edge_notes(schedule: ZonedSchedule, now: datetime) -> list[str]:
    """The runs of the next year where a systemd timer parts from the rules, in words."""
    choice = schedule.choice
    if choice is None or schedule.once_at is not None:
        return []
    notes = []
    for run, edge in dst_edges(choice, now):
        local = f"{run.date()} {choice.at:%H:%M}"
        if edge == "nonexistent":
            notes.append(
                f"{schedule.name}: {local} does not exist in {choice.tz}; the systemd timer "
                f"skips that run (Airflow and the UTC cron run it at {run:%H:%M %Z})"
            )
        else:
            first = run.replace(fold=0)
            notes.append(
                f"{schedule.name}: {local} happens twice in {choice.tz}; the systemd timer runs "
                f"at the first ({first:%H:%M %Z}), Airflow and the UTC cron at the second "
                f"({run:%H:%M %Z})"
            )
    return notes
