"""--write and --check against a real (offline) Meltano project in a temp directory."""

from __future__ import annotations

import argparse
import json
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

    code, rows = check(project, "2026-11-03T12:00:00Z", capsys)
    assert code == 1
    assert rows[0]["expected"] == "0 14 * * 1"
    assert rows[0]["stale"] is True
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
