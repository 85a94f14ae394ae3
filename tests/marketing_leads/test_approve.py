"""``marketing-leads approve``: only a blocked run, once; who and when are recorded."""

from __future__ import annotations

import getpass
import json

import pytest

from lead_store import admin, open_store
from marketing_leads.cli import main
from target_marketing_leads.errors import RunBlocked
from tests.target.conftest import lead, run_in_process, singer_lines, tombstone


@pytest.fixture
def blocked(store_url: str) -> tuple[str, dict[str, int]]:
    """A store with completed, planned and blocked runs: their ids by status."""
    people = [lead(f"c{i}", f"p{i}@example.com") for i in range(10)]
    run_in_process(store_url, singer_lines(people))
    run_in_process(store_url, singer_lines(people))
    run_in_process(store_url, singer_lines(people), dry_run=True)
    with pytest.raises(RunBlocked):
        run_in_process(store_url, singer_lines([tombstone(f"c{i}") for i in range(5)]))
    engine = open_store(store_url)
    with engine.connect() as conn:
        ids = {run["status"]: run["run_id"] for run in admin.history(conn)}
    engine.dispose()
    return store_url, ids


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    return line


def test_approve_records_who_when_and_how_many(
    blocked: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, ids = blocked
    run_id = ids["blocked"]
    assert main(["--database-url", url, "approve", str(run_id), "--json"]) == 0
    approval = json.loads(capsys.readouterr().out)
    assert approval["run_id"] == run_id
    assert approval["approved_by"] == getpass.getuser()
    assert approval["removals"] == 5
    assert approval["approved_at"].endswith("+00:00")
    assert main(["--database-url", url, "history", "--json"]) == 0
    newest = json.loads(capsys.readouterr().out)["runs"][0]
    assert (newest["status"], newest["approved_by"]) == ("blocked", getpass.getuser())
    assert main(["--database-url", url, "history"]) == 0
    assert f"blocked, approved by {getpass.getuser()}" in capsys.readouterr().out


def test_approve_refuses_what_it_cannot_approve(
    blocked: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, ids = blocked
    run_id = ids["blocked"]
    base = ["--database-url", url, "approve"]
    assert _error(capsys, *base, "9999") == "marketing-leads: error: no run with id 9999"
    completed, planned = ids["completed"], ids["planned"]
    assert _error(capsys, *base, str(completed)) == (
        f"marketing-leads: error: run {completed} is completed, not blocked: only a blocked run "
        "can be approved"
    )
    assert _error(capsys, *base, str(planned)).startswith(
        f"marketing-leads: error: run {planned} is planned"
    )
    assert main([*base, str(run_id)]) == 0
    capsys.readouterr()
    assert _error(capsys, *base, str(run_id)).startswith(
        f"marketing-leads: error: run {run_id} was already approved by {getpass.getuser()} at "
    )
