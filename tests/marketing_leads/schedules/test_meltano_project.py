"""--write and --check against a real (offline) Meltano project in a temp directory."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pytest

from marketing_leads.schedules.command import add_schedule_parser, run_schedule
from marketing_leads.schedules.meltano_project import meltano_executable

MELTANO_YML = """\
default_environment: dev
project_id: 00000000-0000-4000-8000-000000000001
environments:
- name: dev
# the user's comment must survive
plugins:
  extractors:
  - name: tap-x
    namespace: tap_x
    pip_url: tap-x
  loaders:
  - name: target-x
    namespace: target_x
    pip_url: target-x
jobs:
- name: acme
  tasks:
  - tap-x target-x
"""

pytestmark = pytest.mark.meltano


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    try:
        meltano_executable()
    except ValueError:
        pytest.skip("meltano is not installed")
    monkeypatch.setenv("MELTANO_SEND_ANONYMOUS_USAGE_STATS", "false")
    monkeypatch.setenv("MELTANO_CLI_DISABLE_VERSION_CHECK", "true")
    (tmp_path / "meltano.yml").write_text(MELTANO_YML)
    return tmp_path


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="marketing-leads")
    add_schedule_parser(parser.add_subparsers(dest="command"))
    return run_schedule(parser.parse_args(["schedule", *argv]))


def check(project: Path, now: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    code = run(["--check", "--json", "--project-dir", str(project), "--now", now])
    return code, json.loads(capsys.readouterr().out)["schedules"]


def test_write_then_check_fresh_then_stale_after_dst_then_rewrite(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weekly = ["--job", "acme", "--every", "weekly", "--on", "mon", "--at", "09:00"]
    weekly += ["--tz", "America/New_York", "--project-dir", str(project), "--write", "--json"]

    assert run([*weekly, "--now", "2026-10-20T12:00:00Z"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == ["added acme-weekly: 0 13 * * 1"]
    text = (project / "meltano.yml").read_text()
    assert "# the user's comment must survive" in text
    assert "interval: 0 13 * * 1" in text
    assert "MARKETING_LEADS_SCHEDULE: weekly mon 09:00 America/New_York" in text

    code, rows = check(project, "2026-10-21T12:00:00Z", capsys)
    assert code == 0
    assert [(r["name"], r["interval"], r["stale"]) for r in rows] == [
        ("acme-weekly", "0 13 * * 1", False)
    ]
    assert rows[0]["utc_exact_all_year"] is False
    assert rows[0]["update_after"] == "2026-11-01"
    assert rows[0]["interval_after"] == "0 14 * * 1"

    code, rows = check(project, "2026-11-03T12:00:00Z", capsys)
    assert code == 1
    assert rows[0]["expected"] == "0 14 * * 1"
    assert rows[0]["stale"] is True
    assert rows[0]["update_after"] is None
    assert rows[0]["fix"].endswith("--name acme-weekly --write")

    assert run([*weekly, "--now", "2026-11-03T12:00:00Z"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == ["updated acme-weekly: 0 14 * * 1"]
    code, rows = check(project, "2026-11-03T12:00:00Z", capsys)
    assert code == 0
    assert "interval: 0 14 * * 1" in (project / "meltano.yml").read_text()


def test_write_unknown_job_is_one_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--job", "nope", "--every", "daily", "--at", "09:00", "--tz", "UTC"]
    assert run([*argv, "--project-dir", str(project), "--write"]) == 2
    assert "job 'nope' is not defined" in capsys.readouterr().err
    assert "schedules:" not in (project / "meltano.yml").read_text()


def add_hand_written(project: Path, name: str, cron: str) -> None:
    subprocess.run(
        [meltano_executable(), "schedule", "add", name, "--job", "acme", "--interval", cron],
        cwd=project,
        capture_output=True,
        check=True,
    )


def test_check_says_what_is_exact_all_year_and_what_needs_an_update(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table's cells unwrapped
    for tz in ("America/New_York", "Asia/Kolkata"):
        argv = ["--job", "acme", "--every", "daily", "--at", "09:00", "--tz", tz]
        argv += ["--name", tz.split("/")[1].lower(), "--write", "--project-dir", str(project)]
        assert run([*argv, "--now", "2026-11-03T12:00:00Z"]) == 0
    add_hand_written(project, "by-hand", "0 6 * * *")
    capsys.readouterr()

    code, rows = check(project, "2026-11-03T12:00:00Z", capsys)

    assert code == 0
    summary = {
        r["name"]: (r["utc_exact_all_year"], r["update_after"], r["interval_after"]) for r in rows
    }
    assert summary == {
        "new_york": (False, "2027-03-14", "0 13 * * *"),
        "kolkata": (True, None, None),
        "by-hand": (True, None, None),
    }
    assert run(["--check", "--project-dir", str(project), "--now", "2026-11-03T12:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "ok until 2027-03-14, then 0 13 * * *" in out
    assert "hand-written (UTC)" in out
    assert "at its local time all year" in out


def test_systemd_writes_a_timer_per_schedule_of_the_project(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "units"
    argv = ["--job", "acme", "--every", "weekly", "--on", "mon", "--at", "09:00"]
    argv += ["--tz", "America/New_York", "--project-dir", str(project), "--write"]
    assert run([*argv, "--systemd", str(units), "--now", "2026-10-20T12:00:00Z"]) == 0
    assert "systemd units written to" in capsys.readouterr().out
    add_hand_written(project, "by-hand", "0 6 * * *")

    code = run(["--systemd", str(units), "--project-dir", str(project), "--json"])

    assert code == 0
    report = json.loads(capsys.readouterr().out)["systemd"]
    assert sorted(Path(path).name for path in report["written"]) == [
        "marketing-leads-acme-weekly.service",
        "marketing-leads-acme-weekly.timer",
        "marketing-leads-by-hand.service",
        "marketing-leads-by-hand.timer",
    ]
    assert report["skipped"] == []
    timer = (units / "marketing-leads-acme-weekly.timer").read_text()
    assert "OnCalendar=Mon *-*-* 09:00:00 America/New_York\n" in timer
    assert (
        "OnCalendar=*-*-* 06:00:00 UTC\n" in (units / "marketing-leads-by-hand.timer").read_text()
    )
    service = (units / "marketing-leads-acme-weekly.service").read_text()
    assert f"WorkingDirectory={project.resolve()}\n" in service
    assert f"ExecStart={Path(meltano_executable()).absolute()} run acme\n" in service
