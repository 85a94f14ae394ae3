"""Tombstones into meltanolabs-target-csv: rows that say which contact was deleted.

Without ``add_record_metadata`` an SDK target drops every ``_sdc_*`` property, the tombstone's
``_sdc_deleted_at`` included: the row still names the contact (its keys, every other column
empty). With ``add_record_metadata: true`` the row carries ``_sdc_deleted_at`` too.
"""

from __future__ import annotations

import csv

import pytest

from tests.composition.conftest import deletion_between_two_runs, tombstones
from tests.singer_tools import TARGET_CSV, installed

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("add_record_metadata", [False, True])
def test_a_tombstone_row_names_the_deleted_contact(
    add_record_metadata, sandbox, run_tap_cli, run_target, tmp_path
):
    target_csv = installed(*TARGET_CSV)
    config = sandbox.tap_config(max_requests_per_minute=0, detect_deletions=True)
    _, second, deleted = deletion_between_two_runs(sandbox, run_tap_cli, config)
    assert sorted(t["contact_id"] for t in tombstones(second)) == sorted(deleted)
    target_config = {"output_path": str(tmp_path), "add_record_metadata": add_record_metadata}
    done = run_target(target_csv, target_config, second)
    assert done.returncode == 0, done.stderr[-2000:]
    with (tmp_path / "contacts.csv").open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    assert sorted(row["contact_id"] for row in rows) == sorted(deleted)
    for row in rows:
        assert row["organization_id"]
        assert row["contact_name"] == row["email"] == ""
        if add_record_metadata:
            assert row["_sdc_deleted_at"]
    assert ("_sdc_deleted_at" in (reader.fieldnames or ())) is add_record_metadata
