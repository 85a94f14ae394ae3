"""Bad input: one clear error line and nothing committed, or ``invalid_record`` and go on.

Each case replays a Singer fixture file through the real executable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FIXTURES, outcome_rows, run_executable, store_snapshot

STOPPING = {
    "non_json_line.singer": "input line 3: not JSON",
    "missing_mailing_list.singer": "has no mailing_list",
    "missing_key_property.singer": "missing one or more key_properties",
    "record_before_schema.singer": "before a corresponding schema",
    "schema_without_lead_fields.singer": "lacks ['mailing_list', 'source_id', 'source_org_id'",
}


@pytest.mark.parametrize(("fixture", "message"), sorted(STOPPING.items()))
def test_run_stops_with_one_clear_line_and_commits_nothing(
    fixture: str, message: str, sqlite_url: str
) -> None:
    result = run_executable(sqlite_url, (FIXTURES / fixture).read_text())
    assert result.returncode == 1
    assert result.stdout == ""  # no STATE
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert "Run stopped, nothing committed, no STATE written" in errors[0]
    assert message in errors[0]
    assert "Traceback" not in result.stderr
    db = Path(sqlite_url.removeprefix("sqlite:///"))
    if db.exists():
        assert outcome_rows(sqlite_url) == []
        assert store_snapshot(sqlite_url)["leads"] == []


def test_wrong_field_types_are_ignored_with_their_reason(store_url: str) -> None:
    result = run_executable(store_url, (FIXTURES / "wrong_field_types.singer").read_text())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"bookmarks": {"n": 4}}
    assert [row[3:] for row in outcome_rows(store_url)] == [
        ("ann@example.com", "ignored", "invalid_record"),
        ("bob@example.com", "ignored", "invalid_record"),
        (None, "ignored", "invalid_record"),
        ("cy@example.com", "new", None),
    ]
    details = [row[4] for row in store_snapshot(store_url)["outcomes"]]
    assert details[:3] == [
        "first_name must be a string or null, got list",
        "source_modified_at is not a date-time: 'yesterday'",
        "email must be a string or null, got int",
    ]


def test_bad_line_after_a_good_run_leaves_the_good_run_untouched(sqlite_url: str) -> None:
    good = (FIXTURES / "wrong_field_types.singer").read_text()
    assert run_executable(sqlite_url, good).returncode == 0
    before = store_snapshot(sqlite_url)
    assert run_executable(sqlite_url, (FIXTURES / "non_json_line.singer").read_text()).returncode
    assert store_snapshot(sqlite_url) == before


def test_unusable_database_url_is_one_clear_line(tmp_path: Path) -> None:
    result = run_executable(
        "mysql://user:secret@localhost/db", (FIXTURES / "wrong_field_types.singer").read_text()
    )
    assert result.returncode == 1
    assert "supports sqlite and postgresql" in result.stderr
    assert "secret" not in result.stderr
