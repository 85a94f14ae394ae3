"""``history --csv`` for spreadsheets, the history table at 80 columns, ``report`` errors."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import pytest

from marketing_leads.cli import main
from tests.target.conftest import CLI_EXE, lead, run_unguarded, singer_lines

from .conftest import cli_json


def test_history_csv_has_the_json_numbers(filled_store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    runs = cli_json(capsys, filled_store, "history")["runs"]
    assert main(["--database-url", filled_store, "history", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    plain = [key for key in runs[0] if key != "ignored_reasons"]
    assert list(rows[0])[: len(plain)] == plain
    assert len(rows) == len(runs)
    for row, run in zip(rows, runs, strict=True):
        assert {k: row[k] for k in plain} == {
            k: "" if run[k] is None else str(run[k]) for k in plain
        }
        reasons = {k.removeprefix("ignored_"): int(v) for k, v in row.items() if k not in plain}
        stored = {r: n for r, n in run["ignored_reasons"].items() if n}
        assert {r: n for r, n in reasons.items() if n} == stored
        assert sum(reasons.values()) == run["ignored"]


def test_history_csv_of_an_empty_store_is_a_header(sqlite_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--database-url", sqlite_url, "history", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("run_id,sync,list,started_at,finished_at,status,total,new,")


def test_csv_and_json_together_is_a_usage_error(sqlite_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exited:
        main(["--database-url", sqlite_url, "history", "--csv", "--json"])
    assert exited.value.code == 2
    assert "--csv and --json cannot be used together" in capsys.readouterr().err


def test_history_table_reads_in_80_columns(filled_store: str) -> None:
    env = {**os.environ, "MARKETING_LEADS_DATABASE_URL": filled_store, "COLUMNS": "80"}
    shown = subprocess.run(
        [CLI_EXE, "history"], capture_output=True, text=True, check=True, env=env
    ).stdout
    store_line, *lines = shown.splitlines()
    assert store_line == f"store: {filled_store}"  # whole, to be copied: may pass 80 columns
    assert max(len(line) for line in lines) <= 80
    assert "Import history" in shown
    run_lines = [line for line in lines if "daily" in line or "weekly" in line]
    assert len(run_lines) == 4
    for line in run_lines:  # the finish time to the minute, whole, on the run's first line
        date = line.split()[2:4]
        assert len(date[0]) == 10 and len(date[1]) == 5, line
    for reason in ("invalid_pattern 1", "role_address 1", "file_duplicate 1", "bounced 1"):
        assert any(line.rstrip().endswith(reason) for line in lines), reason


def _history_header(url: str) -> list[str]:
    env = {**os.environ, "MARKETING_LEADS_DATABASE_URL": url, "COLUMNS": "100"}
    shown = subprocess.run(
        [CLI_EXE, "history"], capture_output=True, text=True, check=True, env=env
    )
    (header,) = [line for line in shown.stdout.splitlines() if line.lstrip().startswith("run ")]
    return header.split()


def test_the_removed_column_appears_once_a_run_removed_a_lead(filled_store: str) -> None:
    assert "rem" not in _history_header(filled_store)
    run_unguarded(filled_store, singer_lines([lead("1", "ann@example.com", meets_criteria=False)]))
    header = _history_header(filled_store)
    assert header[header.index("del") + 1] == "rem"


def test_report_errors_are_one_line(filled_store: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--database-url", filled_store, "report", "--sync", "monthly"]) == 1
    assert capsys.readouterr().err.strip() == (
        "marketing-leads: error: no finished run of sync 'monthly'"
    )
    missing = tmp_path / "no-such-dir" / "r.html"
    assert main(["--database-url", filled_store, "report", "--output", str(missing)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"marketing-leads: error: cannot write {missing}")
    assert "\n" not in err


def test_report_is_written_offline_ready(filled_store: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "report.html"
    assert main(["--database-url", filled_store, "report", "--output", str(output)]) == 0
    assert capsys.readouterr().out.strip() == str(output)
    page = output.read_text(encoding="utf-8")
    assert "plotly.js v" in page  # inlined, not fetched
    assert "<script src=" not in page
    assert "<link " not in page


def test_a_huge_last_run_is_capped_with_a_note(
    filled_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page holds the last run's first records only, and says how to get them all."""
    from marketing_leads.report import data

    output = tmp_path / "report.html"
    assert main(["--database-url", filled_store, "report", "--output", str(output)]) == 0
    assert "-capped" not in output.read_text(encoding="utf-8")
    monkeypatch.setattr(data, "MAX_LEAD_ROWS", 2)  # the last run of daily has 3 records
    assert main(["--database-url", filled_store, "report", "--output", str(output)]) == 0
    page = output.read_text(encoding="utf-8")
    daily = page[page.index('data-sync="daily"') : page.index('data-sync="weekly"')]
    assert daily.count('<tr class="lead"') == 2
    assert "Showing the first\n    2 of 3 records" in daily
    assert "marketing-leads outcomes 4 --csv" in daily
    assert "-capped" not in page[page.index('data-sync="weekly"') :]
