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
    load(first, store_url, tmp_path)
    assert members(store_url) == EMAILS

    delete_contact(postgres_url, 2)
    second = tap_output(postgres_url, tmp_path)
    assert kinds(second)[-2:] == ["ACTIVATE_VERSION", "STATE"]
    stderr = load(second, store_url, tmp_path)

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
