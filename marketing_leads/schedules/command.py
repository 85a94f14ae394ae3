"""`marketing-leads schedule`: a Meltano schedule for a person's local time, `--systemd`, `--check`.

The strategy and its reasons are in :mod:`marketing_leads.schedules.rules` and
docs/schedules.md. This module only parses arguments, prints and calls the project writer, the
systemd writer (:mod:`.systemd`) and the check (:mod:`.check`).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from ruamel.yaml import YAML

from marketing_leads.schedules.check import check_rows, fix_command, print_check
from marketing_leads.schedules.meltano_project import MeltanoProject, meltano_executable
from marketing_leads.schedules.rules import (
    FREQUENCIES,
    UTC,
    Plan,
    ScheduleError,
    ScheduleSpec,
    make_choice,
    plan,
    schedule_specs,
)
from marketing_leads.schedules.systemd import UnitsReport, edge_notes, write_units
from marketing_leads.schedules.zoned import zoned_schedules

EXIT_OK, EXIT_STALE, EXIT_USAGE = 0, 1, 2
_LOCAL_FORMAT = "%a %Y-%m-%d %H:%M %Z"


def add_schedule_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the `schedule` subcommand on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "schedule",
        help="print or write the Meltano schedule for a local time and time zone",
        description=(
            "Turn 'every week on Monday at 09:00 in America/New_York' into a Meltano schedule "
            "(cron read as UTC, the local time and zone kept for zone-aware runners), show the "
            "next runs in local time and UTC and warn where daylight-saving time moves the UTC "
            "cron. --systemd DIR writes systemd timers in the local zone; --check reports UTC "
            "crons made stale by a DST change."
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
        help="list the project's schedules: exact all year for zone-aware runners, until when "
        "their UTC cron is right; exit 1 when one is stale",
    )
    parser.add_argument(
        "--systemd",
        metavar="DIR",
        help="write a systemd .service and .timer per schedule of the project into DIR "
        "(one machine: runs at the local time all year)",
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
        if args.systemd and not (args.job or args.every or args.tz):
            return _systemd_only(args, now)
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
    if args.systemd and not args.write:
        raise ScheduleError(
            "--systemd writes the timers of the project's schedules: add --write so that this "
            "one is among them, or leave out --job/--every/--tz"
        )
    choice = make_choice(args.every, tz=args.tz, at=args.at, on=args.on, on_date=args.date)
    name = args.name or f"{args.job}-{args.every}"
    result = plan(choice, now, fix_hint=fix_command(choice, args.job, name))
    specs = schedule_specs(choice, result.crons, name, args.job)
    actions = MeltanoProject(args.project_dir).apply(specs) if args.write else []
    units = _write_systemd(args, now) if args.systemd else None
    if args.json:
        out = _as_json(result, specs, actions)
        if units is not None:
            out["systemd"] = _units_json(args, units)
        print(json.dumps(out, indent=2))
    else:
        _print_plan(result, specs, actions)
        if units is not None:
            _print_units(args, units)
    return EXIT_OK


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
    rows = check_rows(MeltanoProject(args.project_dir).schedules(), now)
    if args.json:
        print(json.dumps({"checked_at": now.isoformat(), "schedules": rows}, indent=2))
    else:
        print_check(rows)
    return EXIT_STALE if any(row["stale"] for row in rows) else EXIT_OK


def _write_systemd(args: argparse.Namespace, now: datetime) -> UnitsReport:
    """The project's schedules as systemd units in --systemd DIR, and the runs to know about."""
    project = MeltanoProject(args.project_dir)
    schedules = zoned_schedules(project.schedules())
    meltano = meltano_executable(project.root)
    meltano = str(Path(shutil.which(meltano) or meltano).absolute())
    report = write_units(schedules, Path(args.systemd), project.root, meltano)
    report.notes.extend(note for schedule in schedules for note in edge_notes(schedule, now))
    return report


def _systemd_only(args: argparse.Namespace, now: datetime) -> int:
    report = _write_systemd(args, now)
    if args.json:
        print(json.dumps({"systemd": _units_json(args, report)}, indent=2))
    else:
        _print_units(args, report)
    return EXIT_OK


def _units_json(args: argparse.Namespace, report: UnitsReport) -> dict[str, Any]:
    return {"directory": args.systemd, **asdict(report)}


def _print_units(args: argparse.Namespace, report: UnitsReport) -> None:
    console = Console(highlight=False)
    timers = [Path(path).name for path in report.written if path.endswith(".timer")]
    console.print(
        f"systemd units written to {args.systemd}: {len(report.written)} files", markup=False
    )
    for path in report.written:
        console.print(f"  {path}", markup=False)
    for skipped in report.skipped:
        console.print(f"skipped: {skipped}", soft_wrap=True, markup=False)
    for note in report.notes:
        console.print(f"note: {note}", soft_wrap=True, markup=False)
    if timers:
        console.print(
            "To run them: put these files in ~/.config/systemd/user (or /etc/systemd/system, "
            "then without --user) and run: systemctl --user daemon-reload && "
            f"systemctl --user enable --now {' '.join(timers)}",
            soft_wrap=True,
            markup=False,
        )
