"""``marketing-leads``: the stable ``--json`` shapes, tables, suppress and errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from lead_store import redacted
from marketing_leads.cli import main
from tests.target.conftest import CLI_EXE, lead, run_in_process, singer_lines, tombstone

RUN_KEYS = {
    "run_id", "sync", "list", "started_at", "finished_at", "status", "total", "new",
    "re_added", "duplicate", "ignored", "deleted", "removed", "departures", "approved_by",
    "approved_at", "ignored_reasons",
}  # fmt: skip
OUTCOME_KEYS = {"position", "email", "outcome", "reason", "detail", "source_org_id", "source_id",
                "changes"}  # fmt: skip
MEMBER_KEYS = {
    "email", "status", "first_name", "last_name", "attributes", "source_org_id", "source_id",
    "joined_at",
}  # fmt: skip


@pytest.fixture
def loaded(store_url: str) -> str:
    records = [lead("1", "Ann@Example.com"), lead("2", "info@example.com"), tombstone("9")]
    run_in_process(store_url, singer_lines(records))
    run_in_process(store_url, singer_lines([lead("3", "bob@example.com", sync_name="weekly")]))
    return store_url


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_history_json(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    runs = _json(capsys, "--database-url", loaded, "history", "--json")["runs"]
    assert [(r["sync"], r["total"]) for r in runs] == [("weekly", 1), ("daily", 3)]
    assert all(set(r) == RUN_KEYS for r in runs)
    daily = runs[1]
    assert (daily["new"], daily["ignored"], daily["deleted"]) == (1, 1, 1)
    assert daily["ignored_reasons"]["role_address"] == 1
    only = _json(capsys, "--database-url", loaded, "history", "--sync", "weekly", "--json")
    assert [r["sync"] for r in only["runs"]] == ["weekly"]


def test_lists_and_members_json(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    lists = _json(capsys, "--database-url", loaded, "lists", "--json")["lists"]
    assert [(x["list"], x["members"]) for x in lists] == [("Newsletter", 2)]
    members = _json(capsys, "--database-url", loaded, "members", "Newsletter", "--json")
    assert members["list"] == "Newsletter"
    assert [m["email"] for m in members["members"]] == ["ann@example.com", "bob@example.com"]
    assert all(set(m) == MEMBER_KEYS for m in members["members"])


def test_outcomes_json_with_filters(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _json(capsys, "--database-url", loaded, "history", "--sync", "daily", "--json")[
        "runs"
    ][0]["run_id"]
    everything = _json(capsys, "--database-url", loaded, "outcomes", str(run_id), "--json")
    assert set(everything["run"]) == RUN_KEYS
    assert [o["outcome"] for o in everything["outcomes"]] == ["new", "ignored", "deleted"]
    assert all(set(o) == OUTCOME_KEYS for o in everything["outcomes"])
    ignored = _json(
        capsys, "--database-url", loaded, "outcomes", str(run_id), "--reason", "role_address",
        "--json",
    )  # fmt: skip
    assert [o["email"] for o in ignored["outcomes"]] == ["info@example.com"]


def test_suppress_json_and_effect(
    loaded: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    emails = tmp_path / "bounces.txt"
    emails.write_text("ANN@example.com\nnew@example.com\n\njohn..doe@x.com\n")
    result = _json(
        capsys, "--database-url", loaded, "suppress", "--status", "bounced", "--file",
        str(emails), "--json",
    )  # fmt: skip
    assert result["status"] == "bounced"
    assert result["updated"] == ["ann@example.com"]
    assert result["created"] == ["new@example.com"]
    assert [i["email"] for i in result["invalid"]] == ["john..doe@x.com"]
    members = _json(capsys, "--database-url", loaded, "members", "Newsletter", "--json")
    assert [m["email"] for m in members["members"]] == ["bob@example.com"]


def _env(**variables: str) -> dict[str, str]:
    """The environment without any store variable, plus ``variables`` and a wide terminal."""
    unset = ("MARKETING_LEADS_DATABASE_URL", "TARGET_MARKETING_LEADS_DATABASE_URL")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return {**base, "COLUMNS": "200", **variables}


def _cli(tmp_path: Path, *argv: str, **variables: str) -> str:
    """Run the real executable in ``tmp_path`` (so the default store would land there)."""
    return subprocess.run(
        [CLI_EXE, *argv], capture_output=True, text=True, check=True, cwd=tmp_path,
        env=_env(**variables),
    ).stdout  # fmt: skip


def test_tables_by_default_and_env_url(loaded: str, tmp_path: Path) -> None:
    out = _cli(tmp_path, "history", MARKETING_LEADS_DATABASE_URL=loaded)
    assert "Import history" in out
    assert "weekly" in out


def test_the_cli_falls_back_to_the_targets_setting(loaded: str, tmp_path: Path) -> None:
    """A Meltano project that sets only the target's store (the README's recipe) is read."""
    out = _cli(tmp_path, "history", "--json", TARGET_MARKETING_LEADS_DATABASE_URL=loaded)
    assert [r["sync"] for r in json.loads(out)["runs"]] == ["weekly", "daily"]
    assert not (tmp_path / "marketing_leads.db").exists()


def test_its_own_variable_wins_over_the_targets(loaded: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    out = _cli(
        tmp_path, "history", "--json",
        MARKETING_LEADS_DATABASE_URL=loaded, TARGET_MARKETING_LEADS_DATABASE_URL=other,
    )  # fmt: skip
    assert len(json.loads(out)["runs"]) == 2


def test_every_table_names_the_store_it_read(loaded: str, tmp_path: Path) -> None:
    shown = redacted(loaded)
    for argv in (("history",), ("lists",), ("members", "Newsletter")):
        out = _cli(tmp_path, *argv, MARKETING_LEADS_DATABASE_URL=loaded)
        assert f"store: {shown}" in out, (argv, out)


def test_an_empty_default_store_says_which_store_it_is(tmp_path: Path) -> None:
    out = _cli(tmp_path, "history")
    assert out.strip() == ("Import history: nothing to show (store sqlite:///marketing_leads.db).")


def test_a_password_in_the_url_is_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://ann:s3cret@127.0.0.1:1/leads"
    assert redacted(url) == "postgresql+psycopg://ann:***@127.0.0.1:1/leads"
    assert "s3cret" not in redacted(url)


def test_errors_are_one_line_and_exit_1(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", loaded, "members", "Nope"]) == 1
    assert capsys.readouterr().err.strip() == "marketing-leads: error: no mailing list named 'Nope'"
    assert main(["--database-url", loaded, "outcomes", "999"]) == 1
    assert "no run with id 999" in capsys.readouterr().err


def test_reading_commands_do_not_wait_for_a_running_target(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from lead_store import open_store

    run_in_process(sqlite_url, singer_lines([lead("1", "ann@example.com")]))
    writer = open_store(sqlite_url, lock_timeout=1).connect()
    writer.begin()  # BEGIN IMMEDIATE: holds the write lock, as a running target does
    try:
        runs = _json(capsys, "--database-url", sqlite_url, "history", "--json")["runs"]
        assert [r["new"] for r in runs] == [1]
    finally:
        writer.close()
