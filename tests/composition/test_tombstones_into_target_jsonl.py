"""Tombstones into target-jsonl (singer-python, Draft 4 validation): every property, valid."""

from __future__ import annotations

import json

import pytest

from tests.composition.conftest import deletion_between_two_runs, schema_of
from tests.singer_tools import TARGET_JSONL, installed

pytestmark = pytest.mark.e2e


def test_tombstones_arrive_with_every_property(sandbox, run_tap_cli, run_target, tmp_path):
    target_jsonl = installed(*TARGET_JSONL)
    config = sandbox.tap_config(max_requests_per_minute=0, detect_deletions=True)
    _, second, deleted = deletion_between_two_runs(sandbox, run_tap_cli, config)
    target_config = {"destination_path": str(tmp_path), "do_timestamp_file": False}
    done = run_target(target_jsonl, target_config, second)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = (tmp_path / "contacts.jsonl").read_text(encoding="utf-8").splitlines()
    written = [json.loads(line) for line in lines]
    assert sorted(r["contact_id"] for r in written) == sorted(deleted)
    properties = set(schema_of(second)["properties"])
    for record in written:
        assert set(record) == properties
        assert record["_sdc_deleted_at"] and record["organization_id"]
