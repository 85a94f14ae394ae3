"""A full-table source's opening ACTIVATE_VERSION, and a load never closed, remove nothing.

Real meltanolabs-tap-postgres 0.10.0 in FULL_TABLE mode with ``emit_activate_version_messages``
sends ACTIVATE_VERSION before its records and no closing one. A contact missing from such a
load may still be at the source (the load may have been cut short), so its lead stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .full_table_source import (
    create_contacts,
    delete_contact,
    kinds,
    last_run_outcomes,
    loaded,
    members,
    tap_output,
)

pytestmark = pytest.mark.e2e

EMAILS = ["ann@example.com", "bob@example.com", "cy@example.com"]


def test_an_opening_activate_version_removes_nothing(
    store_url: str, postgres_url: str, tmp_path: Path
) -> None:
    create_contacts(postgres_url, EMAILS)
    first = tap_output(postgres_url, tmp_path, closing=False)
    versions = {m["version"] for m in first if m["type"] in ("ACTIVATE_VERSION", "RECORD")}
    assert kinds(first) == ["SCHEMA", "ACTIVATE_VERSION", "RECORD", "STATE"]
    assert len(versions) == 1, "every record carries the version its ACTIVATE_VERSION opened"
    loaded(first, store_url, tmp_path)

    delete_contact(postgres_url, 2)
    stderr = loaded(tap_output(postgres_url, tmp_path, closing=False), store_url, tmp_path)

    assert members(store_url) == EMAILS
    assert last_run_outcomes(store_url) == [("1", "duplicate", None), ("3", "duplicate", None)]
    assert "opens a full load" in stderr
