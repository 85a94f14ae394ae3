"""A row deleted from a full-table source takes its lead off the list once a load closes.

The source is the real pipelinewise-tap-postgres in FULL_TABLE mode: it opens a table's first
load with ACTIVATE_VERSION and closes every complete load with another one of the same version.
(meltanolabs-tap-postgres only opens its loads: ``tests/e2e/test_full_table_opening.py``.)
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
    loaded,
    members,
    tap_output,
)

pytestmark = pytest.mark.e2e

EMAILS = ["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]


def test_a_deleted_row_leaves_the_list_with_outcome_deleted(
    store_url: str, postgres_url: str, tmp_path: Path
) -> None:
    create_contacts(postgres_url, EMAILS)
    first = tap_output(postgres_url, tmp_path)
    assert kinds(first) == ["SCHEMA", "STATE", "ACTIVATE_VERSION", "RECORD", "ACTIVATE_VERSION",
                            "STATE"]  # fmt: skip
    loaded(first, store_url, tmp_path)
    assert members(store_url) == EMAILS

    delete_contact(postgres_url, 2)
    second = tap_output(postgres_url, tmp_path)
    assert kinds(second)[-2:] == ["ACTIVATE_VERSION", "STATE"]
    stderr = loaded(second, store_url, tmp_path)

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


def test_the_removal_guard_blocks_a_full_load_that_drops_too_many(
    store_url: str, postgres_url: str, tmp_path: Path
) -> None:
    """One row of four gone is 25% of the list: over the guard's 10% default, nothing applies."""
    create_contacts(postgres_url, EMAILS)
    loaded(tap_output(postgres_url, tmp_path), store_url, tmp_path)
    delete_contact(postgres_url, 2)

    blocked = load(
        tap_output(postgres_url, tmp_path), store_url, tmp_path, max_removal_fraction=0.1
    )

    assert blocked.returncode == 1
    assert "would remove 1 of 4 members of 'Customers' (25%, limit 10%)" in blocked.stderr
    assert not [line for line in blocked.stdout.splitlines() if '"STATE"' in line]
    assert members(store_url) == EMAILS
