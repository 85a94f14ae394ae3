"""``when_no_longer_matching: remove``: a contact that left India leaves the India list.

The real mapper and target, piped: a first run loads contact 21 while it is in India; the
second replays ``tests/mapper/fixtures/contacts_left_india.jsonl``, where 21 has moved to the
United States.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lead_store import admin, open_store
from tests.mapper.conftest import FIXTURES, INDIA_CONFIG

from .conftest import executable

pytestmark = pytest.mark.e2e

LEFT_INDIA = (FIXTURES / "contacts_left_india.jsonl").read_text()


def _pipe(source: str, store_url: str, tmp_path: Path, **mapping: str) -> None:
    mapper_config = tmp_path / "mapping.json"
    mapper_config.write_text(json.dumps({**INDIA_CONFIG, **mapping}))
    target_config = tmp_path / "target.json"
    # One India contact of a handful leaves: more than the removal guard's 10% default, which is
    # not this test's subject (tests/e2e/test_plan_and_guard.py is).
    target_config.write_text(json.dumps({"database_url": store_url, "max_removal_fraction": 1}))
    text = source
    for command in (
        [executable("map-marketing-leads"), "--config", str(mapper_config)],
        [executable("target-marketing-leads"), "--config", str(target_config)],
    ):
        done = subprocess.run(
            command, input=text, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        text = done.stdout


def _list_and_last_outcomes(store_url: str) -> tuple[list[str], list[tuple]]:
    engine = open_store(store_url)
    try:
        with engine.connect() as conn:
            members = sorted(m["email"] for m in admin.members(conn, "India customers") or [])
            run_id = admin.history(conn)[0]["run_id"]
            rows = conn.execute(admin.outcomes_query(run_id))
            return members, [(r.source_id, r.outcome, r.reason) for r in rows]
    finally:
        engine.dispose()


@pytest.mark.parametrize("setting", ["keep", "remove"])
def test_a_contact_that_left_india_stays_or_leaves(
    setting: str, sqlite_url: str, tmp_path: Path
) -> None:
    _pipe(LEFT_INDIA.replace('"United States"', '"India"'), sqlite_url, tmp_path)
    _pipe(LEFT_INDIA, sqlite_url, tmp_path, when_no_longer_matching=setting)

    members, outcomes = _list_and_last_outcomes(sqlite_url)
    if setting == "keep":
        assert members == ["maya@example.com", "ravi@example.in"]
        assert [(source, outcome) for source, outcome, _ in outcomes] == [
            ("20", "duplicate"),
            ("22", "deleted"),
        ]
    else:
        assert members == ["ravi@example.in"]
        assert [(source, outcome) for source, outcome, _ in outcomes] == [
            ("20", "duplicate"),
            ("21", "removed"),
            ("22", "deleted"),
        ]
