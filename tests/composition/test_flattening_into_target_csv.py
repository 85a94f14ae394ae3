"""The tap's flattened records into meltanolabs-target-csv: every field of every record lands.

Before the nested objects were declared, target-csv stopped with ``dict contains fields not in
fieldnames`` on the first contact with an address (``billing_address__latitude``).
``add_record_metadata`` is on: without it, SDK targets drop every ``_sdc_*`` property, the
tombstones' ``_sdc_deleted_at`` included.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.composition.conftest import deletion_between_two_runs, schema_of, tombstones
from tests.singer_tools import TARGET_CSV, installed

pytestmark = pytest.mark.e2e

KEYS = {"contacts": "contact_id", "organizations": "organization_id"}


def as_csv_text(value: Any, field_schema: dict) -> Any:
    """What a CSV cell holds for ``value``; instants compared as instants (the SDK re-formats)."""
    if value is None:
        return ""
    if field_schema.get("format") == "date-time":
        return dt.datetime.fromisoformat(value)
    return str(value)


def cell(text: str, field_schema: dict) -> Any:
    if text and field_schema.get("format") == "date-time":
        return dt.datetime.fromisoformat(text)
    return text


def test_every_field_of_every_record_reaches_the_csv(sandbox, run_tap_cli, run_target, tmp_path):
    target_csv = installed(*TARGET_CSV)
    config = sandbox.tap_config(
        max_requests_per_minute=0,
        detect_deletions=True,
        fetch_contact_details=True,
        flattening_enabled=True,
        flattening_max_depth=1,
    )
    first, second, _ = deletion_between_two_runs(sandbox, run_tap_cli, config)
    assert tombstones(second)
    for n, run in enumerate((first, second)):
        out = tmp_path / f"csv-{n}"
        target_config = {"output_path": str(out), "add_record_metadata": True}
        done = run_target(target_csv, target_config, run)
        assert done.returncode == 0, done.stderr[-2000:]
        for stream, key in KEYS.items():
            properties = schema_of(run, stream)["properties"]
            with Path(out, f"{stream}.csv").open(newline="", encoding="utf-8") as file:
                reader = csv.DictReader(file)
                added = set(reader.fieldnames or ()) - set(properties)
                assert set(properties) <= set(reader.fieldnames or ())
                assert all(name.startswith("_sdc_") for name in added)  # the target's own
                rows = {row[key]: row for row in reader}
            records = run.records(stream)
            assert len(rows) == len(records)
            for record in records:
                row = rows[record[key]]
                expected = {f: as_csv_text(v, properties[f]) for f, v in record.items()}
                assert {f: cell(row[f], properties[f]) for f in record} == expected
