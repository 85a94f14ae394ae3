"""`marketing-leads schedule` argument handling and output (no Meltano project needed)."""

from __future__ import annotations

import argparse
import json

import pytest

from marketing_leads.schedules.command import add_schedule_parser, run_schedule


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="marketing-leads")
    add_schedule_parser(parser.add_subparsers(dest="command"))
    return run_schedule(parser.parse_args(["schedule", *argv]))


WEEKLY_NY = ["--job", "acme", "--every", "weekly", "--on", "mon", "--at", "09:00"]
WEEKLY_NY += ["--tz", "America/New_York", "--now", "2026-10-20T12:00:00Z"]


def test_json_output_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*WEEKLY_NY, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)

    assert out["name"] == "acme-weekly"
    assert out["job"] == "acme"
    assert out["interval"] == "0 13 * * 1"
    assert out["timezone"] == "America/New_York"
    assert out["choice"] == {
        "every": "weekly",
        "on": "mon",
        "at": "09:00",
        "tz": "America/New_York",
        "date": None,
    }
    assert out["schedules"] == [
        {
            "name": "acme-weekly",
            "interval": "0 13 * * 1",
            "job": "acme",
            "env": {
                "MARKETING_LEADS_SCHEDULE": "weekly mon 09:00 America/New_York",
                "MARKETING_LEADS_SCHEDULE_GROUP": "acme-weekly",
            },
        }
    ]
    assert out["next_runs"][1] == {
        "local": "2026-11-02T08:00:00-05:00",
        "utc": "2026-11-02T13:00:00+00:00",
        "intended_local": "2026-11-02T09:00:00-05:00",
        "on_time": False,
    }
    assert len(out["next_runs"]) == 5
    assert len(out["warnings"]) == 1
    assert "--name acme-weekly --write" in out["warnings"][0]
    assert out["written"] == []


def test_people_output_shows_table_yaml_and_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(WEEKLY_NY) == 0
    out = capsys.readouterr().out

    assert "Mon 2026-11-02 08:00 EST │ 2026-11-02 13:00 │ 09:00 EST" in out
    assert "MOVED" in out
    assert "interval: 0 13 * * 1" in out
    assert "MARKETING_LEADS_SCHEDULE: weekly mon 09:00 America/New_York" in out
    assert "WARNING:" in out


def test_once_prints_the_meltano_run_command(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--job", "acme", "--every", "once", "--date", "2026-12-24", "--at", "09:00"]
    assert run([*argv, "--tz", "Europe/Berlin", "--now", "2026-10-20T12:00:00Z"]) == 0
    out = capsys.readouterr().out

    assert "interval: '@once'" in out
    assert "meltano run acme" in out
    assert "Thu 2026-12-24 09:00 CET │ 2026-12-24 08:00" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--every", "daily", "--tz", "UTC"], "--job is required"),
        (["--job", "a", "--every", "daily", "--tz", "Nowhere/Land"], "unknown time zone"),
        (["--job", "a", "--every", "weekly", "--tz", "UTC"], "--on is required for weekly"),
        (["--job", "a", "--every", "daily", "--tz", "UTC", "--now", "yesterday"], "--now must"),
        (["--check", "--project-dir", "/nonexistent-dir"], "no meltano.yml"),
        (["--systemd", "units", "--project-dir", "/nonexistent-dir"], "no meltano.yml"),
        (["--job", "a", "--every", "daily", "--tz", "UTC", "--systemd", "units"], "add --write"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("error: ")
    assert message in captured.err


def test_write_without_meltano_project_is_one_clear_error(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*WEEKLY_NY, "--write", "--project-dir", str(tmp_path)]) == 2
    assert "no meltano.yml in" in capsys.readouterr().err
