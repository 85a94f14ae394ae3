"""``when_no_longer_matching``: a changed contact that fails the criteria is kept out or leaves.

Replays ``contacts_left_india.jsonl``: contact 20 is in India, contact 21 moved to the United
States, contact 22 was deleted.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from singer_sdk.exceptions import ConfigValidationError

from leads_contract import MEETS_CRITERIA
from transforms.mapper import MarketingLeadsMapper

from .conftest import INDIA_CONFIG
from .test_cli import metric_points, run_cli

FIXTURE = "contacts_left_india.jsonl"


def _verdicts(out: list[dict]) -> dict[str, bool | None]:
    return {
        m["record"]["source_id"]: m["record"][MEETS_CRITERIA] for m in out if m["type"] == "RECORD"
    }


def test_keep_is_the_default_and_drops_a_contact_that_left(run_mapper) -> None:
    assert _verdicts(run_mapper(INDIA_CONFIG, FIXTURE)) == {"20": True, "22": None}


def test_remove_sends_a_contact_that_left_as_a_lead_that_no_longer_meets_them(run_mapper) -> None:
    out = run_mapper({**INDIA_CONFIG, "when_no_longer_matching": "remove"}, FIXTURE)
    assert [(m["type"], (m.get("record") or {}).get("source_id")) for m in out] == [
        ("SCHEMA", None),
        ("RECORD", "20"),
        ("RECORD", "21"),
        ("RECORD", "22"),
        ("STATE", None),
    ]
    assert _verdicts(out) == {"20": True, "21": False, "22": None}
    leaving = out[2]["record"]
    assert leaving["email"] == "maya@example.com"
    assert leaving["mailing_list"] == "India customers"
    assert leaving["_sdc_deleted_at"] is None


def test_leaving_contacts_are_counted_apart(run_mapper, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="singer_sdk.metrics"):
        run_mapper({**INDIA_CONFIG, "when_no_longer_matching": "remove"}, FIXTURE)
    points = [
        json.loads(r.getMessage().removeprefix("METRIC: "))
        for r in caplog.records
        if r.getMessage().startswith("METRIC: ")
    ]
    assert {p["tags"]["outcome"]: p["value"] for p in points} == {
        "in": 3,
        "met_criteria": 1,
        "filtered_out": 0,
        "leaving": 1,
        "tombstone": 1,
    }


def test_an_unknown_value_fails_at_start_up() -> None:
    with pytest.raises(ConfigValidationError) as caught:
        MarketingLeadsMapper(config={**INDIA_CONFIG, "when_no_longer_matching": "drop"})
    assert any(
        error.startswith("'drop' is not one of ['keep', 'remove']") for error in caught.value.errors
    ), caught.value.errors


@pytest.mark.e2e
def test_the_executable_replays_the_fixture_with_remove(tmp_path: Path) -> None:
    result = run_cli(tmp_path, {**INDIA_CONFIG, "when_no_longer_matching": "remove"}, FIXTURE)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert _verdicts(records) == {"20": True, "21": False, "22": None}
    counts = {p["tags"]["outcome"]: p["value"] for p in metric_points(result.stderr)}
    assert counts["leaving"] == 1


@pytest.mark.e2e
def test_the_executable_refuses_an_unknown_value_in_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, {**INDIA_CONFIG, "when_no_longer_matching": "drop"}, FIXTURE)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "'drop' is not one of ['keep', 'remove']" in result.stderr
    assert "Traceback" not in result.stderr
