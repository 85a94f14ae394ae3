"""What a zone-aware runner runs: each job schedule of a Meltano project, in its person's zone.

Why this module exists: Airflow's cron timetables and systemd's calendar specs read a cron in an
IANA time zone, so the choice ``marketing-leads schedule --write`` records in a schedule's env
(``MARKETING_LEADS_SCHEDULE: "weekly mon 09:00 America/New_York"``) becomes one wall-clock
schedule that is right all year, while the schedule's UTC ``interval`` stays for orchestrators
that read UTC. Schedules written by hand carry no choice: their cron keeps its UTC meaning.
The Airflow DAG module (orchestrate/airflow/dags) and ``--systemd`` both start here, so one
reading of the recorded choice (:func:`rules.parse_label`) serves every runner.

Imports only the standard library and :mod:`rules` (croniter): it runs inside Airflow's own
environment too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marketing_leads.schedules.rules import (
    ENV_CHOICE,
    ENV_GROUP,
    UTC,
    Choice,
    ScheduleError,
    local_crons,
    parse_label,
    resolve,
)

# Meltano's intervals without a cron: it creates no DAG for them, and neither do we.
NO_CRON = ("@once", "@manual", "@none")


@dataclass(frozen=True)
class ZonedSchedule:
    """One schedule as a zone-aware runner runs it.

    ``crons`` are read in ``timezone`` (wall-clock time); a one-time run has none and
    ``once_at`` (UTC) instead. ``choice`` is None for a schedule written by hand (UTC cron).
    """

    name: str
    job: str
    timezone: str
    crons: tuple[str, ...]
    once_at: datetime | None = None
    choice: Choice | None = None

    @property
    def description(self) -> str:
        """The person's choice, or what a hand-written schedule means."""
        if self.choice is not None:
            return self.choice.label
        return f"hand-written cron {' + '.join(self.crons)} (UTC)"


def group_entries(entries: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Schedules written by ``marketing-leads schedule``, by group (``NAME``, ``NAME-2``, ...)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        env = entry.get("env") or {}
        if ENV_CHOICE in env:
            groups.setdefault(env.get(ENV_GROUP, entry["name"]), []).append(entry)
    return groups


def zoned_schedules(entries: list[dict[str, Any]]) -> list[ZonedSchedule]:
    """The zone-aware schedules for ``meltano schedule list --format=json``'s job schedules.

    One per group written by ``marketing-leads schedule``, one per hand-written schedule with a
    cron; sorted by name. A recorded choice that cannot be read raises ScheduleError.
    """
    found = [_from_choice(name, group) for name, group in group_entries(entries).items()]
    for entry, cron in hand_written(entries):
        found.append(ZonedSchedule(entry["name"], job_name(entry), "UTC", (cron,)))
    return sorted(found, key=lambda schedule: schedule.name)


def recorded_choice(name: str, group: list[dict[str, Any]]) -> Choice:
    """The choice recorded in a group's env; ScheduleError naming the schedule if unreadable."""
    try:
        return parse_label(group[0]["env"][ENV_CHOICE])
    except ScheduleError as exc:
        raise ScheduleError(f"schedule {name!r}: {exc}") from None


def hand_written(entries: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Schedules with a cron and no recorded choice, with their cron (a preset expanded)."""
    found = []
    for entry in entries:
        interval = entry.get("cron_interval") or entry.get("interval")
        if ENV_CHOICE not in (entry.get("env") or {}) and interval and interval not in NO_CRON:
            found.append((entry, str(interval)))
    return found


def _from_choice(name: str, group: list[dict[str, Any]]) -> ZonedSchedule:
    choice = recorded_choice(name, group)
    once_at = None
    if choice.date is not None:
        once_at = resolve(datetime.combine(choice.date, choice.at), choice.zone).astimezone(UTC)
    crons = tuple(local_crons(choice))
    return ZonedSchedule(name, job_name(group[0]), choice.tz, crons, once_at, choice)


def job_name(entry: dict[str, Any]) -> str:
    """The job a listed schedule runs (Meltano lists it as an object with its tasks)."""
    job = entry.get("job")
    return str(job["name"] if isinstance(job, dict) else job)
