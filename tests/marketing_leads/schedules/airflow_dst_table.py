"""Print Airflow's runs of "daily at 09:00" around each zone's DST changes, beside the intent.

    .venv/bin/python -m tests.marketing_leads.schedules.airflow_dst_table

Builds (or reuses) the Airflow virtualenv, writes a copy of the example project with a daily
09:00 schedule in New York, Berlin, Sydney and Kolkata, loads the project's DAGs with Airflow
(airflow_probe) and prints a Markdown table: for the day before, of and after each change of
2026/27, the run as Airflow computed it, in UTC and in the zone, and the intended local time
computed with zoneinfo. Kolkata has no DST: it is shown on New York's dates.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.marketing_leads.schedules.airflow_harness import airflow_python, example_project, probe
from tests.marketing_leads.schedules.expected import EARLIEST, LATEST, UTC

CHANGES = {
    "America/New_York": [date(2026, 11, 1), date(2027, 3, 14)],
    "Europe/Berlin": [date(2026, 10, 25), date(2027, 3, 28)],
    "Australia/Sydney": [date(2026, 10, 4), date(2027, 4, 4)],
    "Asia/Kolkata": [date(2026, 11, 1), date(2027, 3, 14)],  # no DST: New York's dates
}


def main() -> None:
    python = airflow_python()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        daily = ["--job", "trade-fair-events", "--every", "daily", "--at", "09:00"]
        recorded = [
            [*daily, "--tz", zone, "--name", _name(zone), "--now", "2026-09-20T12:00:00Z"]
            for zone in CHANGES
        ]
        project = example_project(work / "project", written=[], recorded=recorded)
        dags = probe(python, work, EARLIEST.isoformat(), LATEST.isoformat(), project=project)
    print("| zone | DST change | Airflow run (UTC) | Airflow run (local) | intended (local) | |")
    print("|---|---|---|---|---|---|")
    for zone, changes in CHANGES.items():
        runs = [datetime.fromisoformat(r) for r in dags["dags"][f"meltano_{_name(zone)}"]["runs"]]
        for change in changes:
            for day in (change - timedelta(days=1), change, change + timedelta(days=1)):
                intended = datetime.combine(day, time(9), ZoneInfo(zone))
                [run] = [r for r in runs if r.astimezone(ZoneInfo(zone)).date() == day]
                local = run.astimezone(ZoneInfo(zone))
                same = "yes" if run == intended.astimezone(UTC) else "NO"
                print(
                    f"| {zone} | {change} | {run:%Y-%m-%d %H:%M} | {local:%a %Y-%m-%d %H:%M %Z} "
                    f"| {intended:%H:%M %Z} | {same} |"
                )


def _name(zone: str) -> str:
    return "daily-" + zone.split("/")[1].lower().replace("_", "-")


if __name__ == "__main__":
    main()
