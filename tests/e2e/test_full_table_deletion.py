"""A row deleted from a full-table source takes its lead off the list once a load closes.

meltanolabs-tap-postgres 0.10.0 (singer-sdk 0.54) sends ACTIVATE_VERSION once per run, before
its records, and never after them (``tests/e2e/test_full_table_opening.py`` shows that this
alone removes nothing). Singer-python full-table taps close each complete load with a second
ACTIVATE_VERSION of the same version; this test adds that line after the real tap's output,
once the tap has exited 0, so the real mapper and target see a closed load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from target_marketing_leads.target import FULL_LOAD_CAUSE

from .full_table_source import (
    create_contacts,
    delete_contact,
    kinds,
    last_run_outcomes,
    load,
    members,
    tap_output,
)

pytestmark = pytest.mark.e2e

EMAILS = ["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]


def closed(messages: list[dict]) -> list[dict]:
    """The tap's messages with the closing ACTIVATE_VERSION of its load after the records."""
    (opening,) = [m for m in messages if m["type"] == "ACTIVATE_VERSION"]
    return [*messages, dict(opening)]


def test_a_deleted_row_leaves_the_list_with_outcome_deleted(
    store_url: str, postgres_url: str, tmp_path: Path
) -> None:
    create_contacts(postgres_url, EMAILS)
    first = tap_output(postgres_url, tmp_path)
    assert kinds(first) == ["SCHEMA", "ACTIVATE_VERSION", "RECORD", "STATE"]
    load(closed(first), store_url, tmp_path)
    assert members(store_url) == EMAILS

    delete_contact(postgres_url, 2)
    second = tap_output(postgres_url, tmp_path)
    stderr = load(closed(second), store_url, tmp_path)

    assert members(store_url) == [e for e in EMAILS if e != "bob@example.com"]
    outcomes = last_run_outcomes(store_url)
    # The opening ACTIVATE_VERSION removed nothing: the rows still there are duplicates, not
    # deleted and then re-added.
    assert [(source, outcome) for source, outcome, _ in outcomes] == [
        ("1", "duplicate"),
        ("3", "duplicate"),
        ("4", "duplicate"),
        ("2", "deleted"),
    ]
    detail = outcomes[-1][2]
    assert detail is not None and detail.startswith(FULL_LOAD_CAUSE + "; "), detail
    assert "closed a full load" in stderr and "1 contact(s) not in it lost their link" in stderr
