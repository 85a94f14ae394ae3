"""Every record the tap writes has exactly the keys, at every depth, of the SCHEMA it sent.

Flattening (the SDK's, from the tap's own ``flattening_enabled``) and column-based targets take
their columns from the SCHEMA message, so a key it lacks breaks them (target-csv: ``dict
contains fields not in fieldnames``) or is silently dropped (target-postgres).
"""

from __future__ import annotations

import json

import pytest

from tests.composition.conftest import deletion_between_two_runs, schema_of, tombstones
from tests.record_keys import key_mismatches

pytestmark = pytest.mark.e2e

FLATTENING = {
    "nested": {},
    "flattened to depth 1": {"flattening_enabled": True, "flattening_max_depth": 1},
    "flattened to depth 3": {"flattening_enabled": True, "flattening_max_depth": 3},
}


@pytest.mark.parametrize("flattening", FLATTENING.values(), ids=FLATTENING.keys())
def test_every_record_has_exactly_the_keys_of_its_schema(flattening, sandbox, run_tap_cli):
    config = sandbox.tap_config(
        max_requests_per_minute=0, detect_deletions=True, fetch_contact_details=True, **flattening
    )
    first, second, deleted = deletion_between_two_runs(sandbox, run_tap_cli, config)
    assert sorted(t["contact_id"] for t in tombstones(second)) == sorted(deleted)
    for run in (first, second):
        for stream in ("organizations", "contacts"):
            schema = schema_of(run, stream)
            records = run.records(stream)
            problems = {p for record in records for p in key_mismatches(record, schema)}
            assert problems == set(), stream
    live = first.records()
    assert all(r["_sdc_deleted_at"] is None for r in live)
    if flattening:
        columns = schema_of(first)["properties"]
        # custom_field_hash declares no properties (its cf_* keys differ per organization):
        # flattening keeps it whole as one JSON text column.
        assert columns["custom_field_hash"]["type"] == ["string", "null"]
        assert {"billing_address__latitude", "shipping_address__longitude"} <= set(columns)
        hashes = [json.loads(r["custom_field_hash"]) for r in live]
        assert any(key.startswith("cf_") for h in hashes for key in h)
