"""systemd timers from the project's schedules: calendar specs, unit files, systemd's own view.

The calendar checks ask ``systemd-analyze calendar`` (skipped, with the reason, where it is
missing) and compare with instants computed with zoneinfo alone (tests.…expected).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from marketing_leads.schedules.rules import ScheduleError
from marketing_leads.schedules.systemd import (
    cron_to_calendar,
    edge_notes,
    on_calendar,
    unit_files,
    write_units,
)
from marketing_leads.schedules.zoned import ZonedSchedule, zoned_schedules
from tests.marketing_leads.schedules.expected import (
    EARLIEST,
    LATEST,
    UTC,
    day_30_or_last,
    every_day,
    last_day_of_month,
    mondays,
    wall_clock_runs,
)

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (Debian: apt install systemd)"
)


def zoned(label: str, name: str = "acme-sync") -> ZonedSchedule:
    """The zone-aware schedule for a recorded choice, as meltano schedule list shows it."""
    entry = {
        "name": name,
        "interval": "0 0 * * *",  # the UTC interval: zone-aware runners ignore it
        "job": {"name": "acme", "tasks": ["tap target"]},
        "env": {"MARKETING_LEADS_SCHEDULE": label, "MARKETING_LEADS_SCHEDULE_GROUP": name},
    }
    [schedule] = zoned_schedules([entry])
    return schedule


@pytest.mark.parametrize(
    ("label", "calendars"),
    [
        ("daily 09:00 America/New_York", ["*-*-* 09:00:00 America/New_York"]),
        ("weekly mon 09:00 Europe/Berlin", ["Mon *-*-* 09:00:00 Europe/Berlin"]),
        ("weekly sun 23:30 Australia/Sydney", ["Sun *-*-* 23:30:00 Australia/Sydney"]),
        ("monthly 31 09:00 Australia/Sydney", ["*-*~01 09:00:00 Australia/Sydney"]),
        (
            "monthly 30 09:00 Europe/Berlin",
            ["*-*-30 09:00:00 Europe/Berlin", "*-02~01 09:00:00 Europe/Berlin"],
        ),
        (
            "monthly 29 07:15 Asia/Kolkata",
            ["*-01,03..12-29 07:15:00 Asia/Kolkata", "*-02~01 07:15:00 Asia/Kolkata"],
        ),
        ("once 2026-12-24 09:00 Europe/Berlin", ["2026-12-24 08:00:00 UTC"]),
    ],
)
def test_on_calendar_in_the_persons_zone(label: str, calendars: list[str]) -> None:
    assert on_calendar(zoned(label)) == calendars


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [
        ("0 6 * * *", "*-*-* 06:00:00 UTC"),
        ("*/15 * * * *", "*-*-* *:00/15:00 UTC"),
        ("30 8 * * 1-5", "Mon..Fri *-*-* 08:30:00 UTC"),
        ("0 9,17 1,15 * *", "*-*-01,15 09,17:00:00 UTC"),
        ("0 0 1 1 *", "*-01-01 00:00:00 UTC"),
    ],
)
def test_hand_written_crons_keep_their_utc_meaning(cron: str, calendar: str) -> None:
    assert cron_to_calendar(cron, "UTC") == calendar


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 9 1 * 1", "restricts both day of month and weekday"),
        ("0 9 * * mon", "has no systemd equivalent"),
        ("0 9 */2 * *", "has no systemd equivalent"),
        ("0 9 * *", "5 fields expected"),
    ],
)
def test_crons_systemd_cannot_express_are_refused(cron: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        cron_to_calendar(cron, "UTC")


def test_unit_files_run_meltano_in_the_project_once_at_a_time(tmp_path: Path) -> None:
    project = tmp_path / "my project"
    files = unit_files(zoned("weekly mon 09:00 America/New_York"), project, "/opt/m 100%/meltano")

    assert sorted(files) == ["marketing-leads-acme-sync.service", "marketing-leads-acme-sync.timer"]
    service = files["marketing-leads-acme-sync.service"]
    assert "Type=oneshot\n" in service
    assert f"WorkingDirectory={project}\n" in service
    assert 'ExecStart="/opt/m 100%%/meltano" run acme\n' in service
    timer = files["marketing-leads-acme-sync.timer"]
    assert "OnCalendar=Mon *-*-* 09:00:00 America/New_York\n" in timer
    assert "Persistent=true\n" in timer
    assert "WantedBy=timers.target\n" in timer


def test_a_name_systemd_refuses_is_skipped_with_the_reason(tmp_path: Path) -> None:
    schedules = [zoned("daily 09:00 UTC", name="ok"), zoned("daily 09:00 UTC", name="no/slash")]

    report = write_units(schedules, tmp_path / "units", tmp_path, "/usr/bin/meltano")

    assert sorted(Path(p).name for p in report.written) == [
        "marketing-leads-ok.service",
        "marketing-leads-ok.timer",
    ]
    [skipped] = report.skipped
    assert skipped.startswith("no/slash: schedule name 'no/slash' is not a valid systemd unit")


def test_edge_notes_name_the_runs_where_systemd_parts_from_the_rules() -> None:
    now = datetime(2026, 10, 20, tzinfo=UTC)
    notes = edge_notes(zoned("daily 02:30 Europe/Berlin"), now)

    assert notes[0] == (
        "acme-sync: 2026-10-25 02:30 happens twice in Europe/Berlin; the systemd timer runs at "
        "the first (02:30 CEST), Airflow and the UTC cron at the second (02:30 CET)"
    )
    assert notes[1] == (
        "acme-sync: 2027-03-28 02:30 does not exist in Europe/Berlin; the systemd timer skips "
        "that run (Airflow and the UTC cron run it at 03:30 CEST)"
    )
    assert edge_notes(zoned("daily 09:00 Europe/Berlin"), now) == []


def elapses(calendars: list[str], count: int) -> list[str]:
    """UTC instants (ISO) at which systemd would elapse a timer with these OnCalendar= values."""
    base = EARLIEST.strftime("%Y-%m-%d %H:%M:%S UTC")
    found: set[str] = set()
    for spec in calendars:
        done = subprocess.run(
            [
                str(SYSTEMD_ANALYZE),
                "calendar",
                f"--iterations={count}",
                f"--base-time={base}",
                spec,
            ],
            env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        for stamp in re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC", done.stdout):
            instant = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
            if instant <= LATEST:
                found.add(instant.isoformat())
    return sorted(found)


@needs_systemd
@pytest.mark.parametrize(
    ("label", "zone", "at", "on_day"),
    [
        ("daily 09:00 America/New_York", "America/New_York", "09:00", every_day),
        ("daily 09:00 Europe/Berlin", "Europe/Berlin", "09:00", every_day),
        ("daily 09:00 Australia/Sydney", "Australia/Sydney", "09:00", every_day),
        ("daily 09:00 Asia/Kolkata", "Asia/Kolkata", "09:00", every_day),
        ("weekly mon 09:00 America/New_York", "America/New_York", "09:00", mondays),
        ("monthly 31 09:00 Australia/Sydney", "Australia/Sydney", "09:00", last_day_of_month),
        ("monthly 30 09:00 Europe/Berlin", "Europe/Berlin", "09:00", day_30_or_last),
    ],
)
def test_systemd_elapses_at_the_local_time_across_both_dst_changes(
    label: str, zone: str, at: str, on_day: Callable[[date], bool]
) -> None:
    assert elapses(on_calendar(zoned(label)), 200) == wall_clock_runs(zone, at, on_day)


@needs_systemd
def test_systemd_at_times_that_do_not_exist_or_happen_twice() -> None:
    """What docs/schedules.md says systemd does: skips 02:30 on 2027-03-14, runs the first 01:30."""
    gap = elapses(on_calendar(zoned("daily 02:30 America/New_York")), 200)
    fold = elapses(on_calendar(zoned("daily 01:30 America/New_York")), 200)

    assert "2027-03-13T07:30:00+00:00" in gap  # 02:30 EST
    assert [run for run in gap if run.startswith("2027-03-14")] == []  # no run that day
    assert "2027-03-15T06:30:00+00:00" in gap  # 02:30 EDT
    assert [run for run in fold if run.startswith("2026-11-01")] == ["2026-11-01T05:30:00+00:00"]


@needs_systemd
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    meltano = shutil.which("meltano")
    assert meltano, "the tests run with the project's .venv/bin on PATH"
    schedules = [zoned("monthly 30 09:00 Europe/Berlin"), zoned("once 2026-12-24 09:00 UTC", "x")]
    report = write_units(schedules, tmp_path, tmp_path, meltano)

    done = subprocess.run(
        [str(SYSTEMD_ANALYZE), "verify", *report.written],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
