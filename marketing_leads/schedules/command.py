"""`marketing-leads schedule`: a Meltano schedule for a person's local time, and `--check`.

The strategy and its reasons are in :mod:`marketing_leads.schedules.rules` and
docs/schedules.md. This module only parses arguments, prints and calls the project writer.
"""

from __future__ import annotations

import argparse
import io
import json
import shlex
import sys
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from ruamel.yaml import YAML

from marketing_leads.schedules.meltano_project import MeltanoProject
from marketing_leads.schedules.rules import (
    ENV_CHOICE,
    ENV_GROUP,
    FREQUENCIES,
    UTC,
    Choice,
    Plan,
    ScheduleError,
    ScheduleSpec,
    crons_for_run,
    intended_runs,
    make_choice,
    parse_label,
    plan,
    schedule_specs,
)

EXIT_OK, EXIT_STALE, EXIT_USAGE = 0, 1, 2
_LOCAL_FORMAT = "%a %Y-%m-%d %H:%M %Z"


def add_schedule_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the `schedule` subcommand on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "schedule",
        help="print or write the Meltano schedule for a local time and time zone",
        description=(
            "Turn 'every week on Monday at 09:00 in America/New_York' into a Meltano schedule "
            "(cron read as UTC), show the next runs in local time and UTC and warn where "
            "daylight-saving time moves them. --check reports crons made stale by a DST change."
        ),
    )
    parser.add_argument("--job", help="Meltano job the schedule runs")
    parser.add_argument("--every", choices=FREQUENCIES, help="how often")
    parser.add_argument("--on", help="weekly: mon..sun; monthly: day of month 1-31")
    parser.add_argument("--at", help="local time HH:MM (24-hour), default 00:00")
    parser.add_argument("--tz", help="IANA time zone, e.g. Europe/Berlin")
    parser.add_argument("--date", help="YYYY-MM-DD, for --every once")
    parser.add_argument("--name", help="schedule name (default: JOB-EVERY)")
    parser.add_argument("--write", action="store_true", help="add or update it in meltano.yml")
    parser.add_argument(
        "--check",
        action="store_true",
        help="report schedules written by this command whose cron is stale (exit 1)",
    )
    parser.add_argument("--project-dir", default=".", help="Meltano project directory")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--now", help=argparse.SUPPRESS)
    return parser


def run_schedule(args: argparse.Namespace) -> int:
    """Run the subcommand; 0 ok, 1 stale schedules (--check), 2 bad input or project."""
    try:
        now = _parse_now(args.now)
        if args.check:
            return _check(args, now)
        return _schedule(args, now)
    except ScheduleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError(f"--now must be an ISO 8601 instant, got {value!r}") from None
    if parsed.tzinfo is None:
        raise ScheduleError(f"--now needs a UTC offset (e.g. {value}+00:00)")
    return parsed.astimezone(UTC)


def _schedule(args: argparse.Namespace, now: datetime) -> int:
    for option in ("job", "every", "tz"):
        if not getattr(args, option):
            raise ScheduleError(f"--{option} is required (or use --check)")
    choice = make_choice(args.every, tz=args.tz, at=args.at, on=args.on, on_date=args.date)
    name = args.name or f"{args.job}-{args.every}"
    result = plan(choice, now, fix_hint=_command_line(choice, args.job, name))
    specs = schedule_specs(choice, result.crons, name, args.job)
    actions = MeltanoProject(args.project_dir).apply(specs) if args.write else []
    if args.json:
        print(json.dumps(_as_json(result, specs, actions), indent=2))
    else:
        _print_plan(result, specs, actions)
    return EXIT_OK


def _command_line(choice: Choice, job: str, name: str) -> str:
    words = ["marketing-leads", "schedule", "--job", job, "--every", choice.every]
    on = choice.as_dict()["on"]
    if on is not None:
        words += ["--on", str(on)]
    if choice.date is not None:
        words += ["--date", choice.date.isoformat()]
    words += ["--at", f"{choice.at:%H:%M}", "--tz", choice.tz, "--name", name, "--write"]
    return shlex.join(words)


def _as_json(result: Plan, specs: list[ScheduleSpec], actions: list[str]) -> dict[str, Any]:
    return {
        "name": specs[0].name,
        "job": specs[0].job,
        "interval": specs[0].interval,
        "timezone": result.choice.tz,
        "choice": result.choice.as_dict(),
        "schedules": [spec.as_dict() for spec in specs],
        "next_runs": [
            {
                "local": run.fires.isoformat(),
                "utc": run.fires.astimezone(UTC).isoformat(),
                "intended_local": run.intended.isoformat() if run.intended else None,
                "on_time": run.on_time,
            }
            for run in result.runs
        ],
        "warnings": result.warnings,
        "notes": result.notes,
        "written": actions,
    }


def _yaml_snippet(specs: list[ScheduleSpec]) -> str:
    yaml = YAML()
    buffer = io.StringIO()
    yaml.dump({"schedules": [spec.as_dict() for spec in specs]}, buffer)
    return buffer.getvalue()


def _print_plan(result: Plan, specs: list[ScheduleSpec], actions: list[str]) -> None:
    console = Console(highlight=False)
    choice = result.choice
    title = f"Next runs of {specs[0].name} ({choice.label})"
    table = Table(title=title)
    for column in ("cron fires (local)", "UTC", "intended (local)", ""):
        table.add_column(column, no_wrap=True)
    for run in result.runs:
        status = "ok" if run.on_time else ("extra run" if run.intended is None else "MOVED")
        intended = "-"
        if run.intended is not None:
            same_day = run.intended.date() == run.fires.date()
            intended = run.intended.strftime("%H:%M %Z" if same_day else _LOCAL_FORMAT)
        table.add_row(
            run.fires.strftime(_LOCAL_FORMAT),
            run.fires.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            intended,
            status,
        )
    console.print(table)
    if actions:
        console.print(f"Meltano project updated: {'; '.join(actions)}")
    else:
        console.print("Meltano schedule (add to meltano.yml, or re-run with --write):")
        console.print(_yaml_snippet(specs), markup=False)
    if choice.every == "once":
        console.print(
            f"One-time run: Meltano does not run @once schedules itself; at "
            f"{result.runs[0].fires.strftime(_LOCAL_FORMAT)} run: meltano run {specs[0].job}",
            markup=False,
        )
    for warning in result.warnings:
        console.print(f"[bold yellow]WARNING:[/] {warning}", soft_wrap=True)
    for note in result.notes:
        console.print(f"note: {note}", soft_wrap=True, markup=False)


def _check(args: argparse.Namespace, now: datetime) -> int:
    project = MeltanoProject(args.project_dir)
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in project.schedules():
        env = entry.get("env") or {}
        if ENV_CHOICE in env:
            groups.setdefault(env.get(ENV_GROUP, entry["name"]), []).append(entry)
    rows = []
    for group, entries in sorted(groups.items()):
        choice = parse_label(entries[0]["env"][ENV_CHOICE])
        expected = schedule_specs(choice, _current_crons(choice, now), group, "")
        actual = {entry["name"]: entry.get("interval") for entry in entries}
        wanted = {spec.name: spec.interval for spec in expected}
        for name in sorted(actual.keys() | wanted.keys()):
            rows.append(
                {
                    "name": name,
                    "choice": choice.label,
                    "interval": actual.get(name),
                    "expected": wanted.get(name),
                    "stale": actual.get(name) != wanted.get(name),
                    "fix": _command_line(choice, entries[0]["job"]["name"], group),
                }
            )
    stale = [row for row in rows if row["stale"]]
    if args.json:
        print(json.dumps({"checked_at": now.isoformat(), "schedules": rows}, indent=2))
    else:
        _print_check(rows, stale)
    return EXIT_STALE if stale else EXIT_OK


def _current_crons(choice: Choice, now: datetime) -> list[str]:
    """The crons right for the period of the next run (a past one-time run stays @once)."""
    upcoming = intended_runs(choice, now, 1)
    if not upcoming:
        return ["@once"]
    return crons_for_run(choice, upcoming[0])[0]


def _print_check(rows: list[dict[str, Any]], stale: list[dict[str, Any]]) -> None:
    console = Console(highlight=False)
    if not rows:
        console.print("No schedules written by `marketing-leads schedule` in this project.")
        return
    table = Table(title="Schedules written by marketing-leads schedule")
    for column in ("name", "choice", "interval", "expected now", ""):
        table.add_column(column)
    for row in rows:
        status = "STALE" if row["stale"] else "ok"
        table.add_row(
            row["name"], row["choice"], row["interval"] or "-", row["expected"] or "-", status
        )
    console.print(table)
    for command in sorted({row["fix"] for row in stale}):
        console.print(
            f"stale: daylight-saving time moved the run; fix with: {command}", markup=False
        )
