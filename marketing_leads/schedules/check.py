"""``marketing-leads schedule --check``: which schedules are exact all year, which need an update.

Why: a zone-aware runner (the project's Airflow DAGs, systemd timers from ``--systemd``) reads
the local time recorded in a schedule's env and is right all year. An orchestrator that reads
the ``interval`` as UTC is right only until the zone's next daylight-saving change. The check
recomputes every recorded choice's UTC cron for the current instant, says until when it stays
right and what it must become then, and fails (exit 1) when one is stale already, so CI or a
pre-run step can catch it. Hand-written schedules are listed too: their cron means UTC, always.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from marketing_leads.schedules.rules import (
    Choice,
    crons_for_run,
    intended_runs,
    next_cron_change,
    schedule_specs,
)
from marketing_leads.schedules.zoned import group_entries, hand_written, job_name, recorded_choice

ZONE_AWARE_RUNNERS = "the project's Airflow DAGs and systemd timers from --systemd"


def fix_command(choice: Choice, job: str, name: str) -> str:
    """The `marketing-leads schedule ... --write` line that writes this choice again."""
    words = ["marketing-leads", "schedule", "--job", job, "--every", choice.every]
    on = choice.as_dict()["on"]
    if on is not None:
        words += ["--on", str(on)]
    if choice.date is not None:
        words += ["--date", choice.date.isoformat()]
    words += ["--at", f"{choice.at:%H:%M}", "--tz", choice.tz, "--name", name, "--write"]
    return shlex.join(words)


def current_crons(choice: Choice, now: datetime) -> list[str]:
    """The crons right for the period of the next run (a past one-time run stays @once)."""
    upcoming = intended_runs(choice, now, 1)
    if not upcoming:
        return ["@once"]
    return crons_for_run(choice, upcoming[0])[0]


def check_rows(entries: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """One row per job schedule: its UTC cron now and later, and whether it is stale."""
    rows = []
    for group, members in sorted(group_entries(entries).items()):
        choice = recorded_choice(group, members)
        expected = _intervals(choice, current_crons(choice, now), group)
        change = next_cron_change(choice, now)
        later = _intervals(choice, change[1], group) if change else {}
        actual = {entry["name"]: entry.get("interval") for entry in members}
        for name in sorted(actual.keys() | expected.keys()):
            stale = actual.get(name) != expected.get(name)
            rows.append(
                {
                    "name": name,
                    "choice": choice.label,
                    "interval": actual.get(name),
                    "expected": expected.get(name),
                    "stale": stale,
                    "utc_exact_all_year": change is None,
                    "update_after": (
                        change[0].at.astimezone(choice.zone).date().isoformat()
                        if change and not stale
                        else None
                    ),
                    "interval_after": later.get(name) if not stale else None,
                    "fix": fix_command(choice, job_name(members[0]), group),
                }
            )
    for entry, _cron in hand_written(entries):
        rows.append(
            {
                "name": entry["name"],
                "choice": None,
                "interval": entry.get("interval"),
                "expected": entry.get("interval"),
                "stale": False,
                "utc_exact_all_year": True,
                "update_after": None,
                "interval_after": None,
                "fix": None,
            }
        )
    return rows


def _intervals(choice: Choice, crons: list[str], group: str) -> dict[str, str]:
    return {spec.name: spec.interval for spec in schedule_specs(choice, crons, group, "")}


def print_check(rows: list[dict[str, Any]]) -> None:
    """The rows as a table for people, then the fix for each stale group."""
    console = Console(highlight=False)
    if not rows:
        console.print("No job schedules in this project.")
        return
    table = Table(title="Job schedules, and their interval as a UTC cron")
    for column in ("name", "choice", "interval"):
        table.add_column(column, overflow="fold")
    table.add_column("the interval read as UTC", no_wrap=True)
    for row in rows:
        table.add_row(
            row["name"], row["choice"] or "hand-written (UTC)", row["interval"] or "-", _utc(row)
        )
    console.print(table)
    console.print(
        f"Zone-aware runners ({ZONE_AWARE_RUNNERS}) run every schedule above at its local time "
        "all year (a hand-written one at its UTC time): nothing to update. Orchestrators that "
        "read the interval as UTC need the update shown, after that date.",
        soft_wrap=True,
    )
    for command in sorted({row["fix"] for row in rows if row["stale"]}):
        console.print(
            f"stale: daylight-saving time moved the run; fix with: {command}", markup=False
        )


def _utc(row: dict[str, Any]) -> str:
    if row["stale"]:
        return f"STALE: must be {row['expected'] or '(removed)'}"
    if row["choice"] is None:
        return "exact all year (UTC)"
    if row["utc_exact_all_year"]:
        return "exact (one time)" if row["choice"].startswith("once") else "exact all year"
    return f"ok until {row['update_after']}, then {row['interval_after'] or '(removed)'}"
