"""The mapper wired on the SDK, run in-process on Singer fixture files."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.singerlib.exceptions import InvalidInputLine

from transforms.errors import MapperConfigError
from transforms.mapper import MarketingLeadsMapper

from .conftest import INDIA_CONFIG, fixture_messages


def summary(messages: list[dict[str, Any]]) -> list[tuple]:
    """(type, stream, source id) for each message: enough to check order and routing."""
    rows = []
    for message in messages:
        record = message.get("record") or {}
        ident = record.get("source_id") or record.get("organization_id")
        rows.append((message["type"], message.get("stream"), ident))
    return rows


def test_records_that_meet_the_criteria_become_leads_in_order_with_state(run_mapper) -> None:
    out = run_mapper(INDIA_CONFIG, "contacts_india_filter.jsonl")
    assert summary(out) == [
        ("SCHEMA", "leads", None),
        ("RECORD", "leads", "1"),  # India
        ("RECORD", "leads", "3"),  # "  INDIA "
        ("STATE", None, None),
        ("RECORD", "leads", "4"),  # "india"
        ("STATE", None, None),
    ]  # 2 (United States) and 5 (no address) are filtered out
    source_states = [
        m for m in fixture_messages("contacts_india_filter.jsonl") if m["type"] == "STATE"
    ]
    assert [m["value"] for m in out if m["type"] == "STATE"] == [m["value"] for m in source_states]
    assert out[0]["key_properties"] == ["source_org_id", "source_id"]
    assert out[0]["bookmark_properties"] == ["source_modified_at"]
    lead = out[1]["record"]
    assert lead["attributes"] == {"company": "Acme", "industry": "Retail", "city": ""}
    assert set(lead) == set(out[0]["schema"]["properties"])
    assert out[1]["time_extracted"].startswith("2026-06-10T08:00:00")


def test_without_criteria_every_contact_becomes_a_lead(run_mapper) -> None:
    config = {key: value for key, value in INDIA_CONFIG.items() if key != "criteria"}
    out = run_mapper(config, "contacts_india_filter.jsonl")
    assert [row[2] for row in summary(out) if row[0] == "RECORD"] == ["1", "2", "3", "4", "5"]


def test_tombstones_pass_whether_or_not_they_meet_the_criteria(run_mapper) -> None:
    out = run_mapper(INDIA_CONFIG, "contacts_tombstones.jsonl")
    leads = {m["record"]["source_id"]: m["record"] for m in out if m["type"] == "RECORD"}
    assert sorted(leads) == ["10", "11", "12"]
    assert leads["10"]["_sdc_deleted_at"] is None
    assert leads["11"]["_sdc_deleted_at"] == "2026-06-09T12:00:00.000000+00:00"
    assert leads["12"]["_sdc_deleted_at"] == "2026-06-09T12:01:00.000000+00:00"
    assert leads["11"]["email"] is None
    assert leads["11"]["source_org_id"] == "900001"


def test_tombstones_pass_even_criteria_that_nothing_meets(run_mapper) -> None:
    never = {
        "conditions": [{"field": "email", "operator": "ends_with", "value": "@nowhere.invalid"}]
    }
    out = run_mapper({**INDIA_CONFIG, "criteria": never}, "contacts_tombstones.jsonl")
    assert [row[2] for row in summary(out) if row[0] == "RECORD"] == ["11", "12"]


def test_other_streams_state_and_activate_version_pass_through(run_mapper) -> None:
    source = fixture_messages("mixed_streams_passthrough.jsonl")
    out = run_mapper(INDIA_CONFIG, "mixed_streams_passthrough.jsonl")
    assert [(m["type"], m.get("stream")) for m in out] == [
        ("SCHEMA", "organizations"),
        ("RECORD", "organizations"),
        ("STATE", None),
        ("SCHEMA", "leads"),
        ("ACTIVATE_VERSION", "leads"),
        ("RECORD", "leads"),
        ("STATE", None),
        ("ACTIVATE_VERSION", "organizations"),
        ("STATE", None),
    ]
    assert out[0] == source[0], "another stream's SCHEMA is untouched"
    assert out[1]["record"] == source[1]["record"]
    assert out[1]["version"] == 7
    assert out[4]["version"] == 3
    assert [m for m in out if m["type"] == "STATE"] == [m for m in source if m["type"] == "STATE"]


def test_source_stream_is_a_setting(run_mapper) -> None:
    """With source_stream=organizations, contacts pass through and organizations become leads."""
    config = {
        **INDIA_CONFIG,
        "source_stream": "organizations",
        "criteria": None,
        "field_map": {"email": "name", "first_name": "", "last_name": ""},
        "source_id_field": "organization_id",
        "source_modified_at_field": "updated_at",
    }
    out = run_mapper(config, "mixed_streams_passthrough.jsonl")
    streams = [(m["type"], m.get("stream")) for m in out if m["type"] in ("SCHEMA", "RECORD")]
    assert streams == [
        ("SCHEMA", "leads"),
        ("RECORD", "leads"),
        ("SCHEMA", "contacts"),
        ("RECORD", "contacts"),
    ]
    assert out[1]["record"]["email"] == "Acme India"
    assert out[1]["record"]["source_modified_at"] == "2026-06-01T00:00:00+00:00"


def test_metrics_count_in_met_filtered_and_tombstones(run_mapper, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="singer_sdk.metrics"):
        run_mapper(INDIA_CONFIG, "contacts_india_filter.jsonl")
        run_mapper(INDIA_CONFIG, "contacts_tombstones.jsonl")
    points = [
        json.loads(r.getMessage().removeprefix("METRIC: "))
        for r in caplog.records
        if r.getMessage().startswith("METRIC: ")
    ]
    counts = [(p["tags"]["outcome"], p["value"]) for p in points]
    assert counts == [
        ("in", 5),
        ("met_criteria", 3),
        ("filtered_out", 2),
        ("leaving", 0),
        ("tombstone", 0),
        ("in", 3),
        ("met_criteria", 1),
        ("filtered_out", 0),
        ("leaving", 0),
        ("tombstone", 2),
    ]
    assert {p["metric"] for p in points} == {"mapper_records"}
    assert {p["type"] for p in points} == {"counter"}
    assert {p["tags"]["sync"] for p in points} == {"india-customers"}
    assert {p["tags"]["stream"] for p in points} == {"contacts"}


def test_a_field_the_source_schema_lacks_fails_when_the_schema_arrives(run_mapper, capsys) -> None:
    config = {**INDIA_CONFIG, "field_map": {"company": "compnay_name"}}
    with pytest.raises(MapperConfigError) as caught:
        run_mapper(config, "contacts_india_filter.jsonl")
    assert str(caught.value) == (
        "the schema of stream 'contacts' has no field 'compnay_name' (field_map.company): "
        "fix the setting or the tap's schema"
    )
    assert capsys.readouterr().out == "", "no message may move before the failure"


def test_a_record_before_its_schema_is_an_error(run_mapper) -> None:
    record_line = json.dumps(
        {"type": "RECORD", "stream": "contacts", "record": {"contact_id": "1"}}
    )
    with pytest.raises(
        InvalidInputLine, match="RECORD of stream 'contacts' came before its SCHEMA"
    ):
        run_mapper(INDIA_CONFIG, text=record_line + "\n")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"field_map": {"email": ""}}, "field_map.email must stay mapped"),
        ({"criteria": {"conditions": []}}, "criteria.conditions is empty"),
        (
            {"criteria": {"conditions": [{"field": "x", "operator": "before", "value": "soon"}]}},
            "criteria.conditions[0]: operator 'before' needs an ISO 8601 date",
        ),
    ],
)
def test_cross_setting_errors_fail_at_start_up(overrides: dict, message: str) -> None:
    with pytest.raises(MapperConfigError) as caught:
        MarketingLeadsMapper(config={**INDIA_CONFIG, **overrides})
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"criteria": {"conditions": [{"field": "x", "operator": "equals", "value": "India"}]}},
            "'equals' is not one of ['is', 'is_not',",
        ),
        ({"criteria": {"match": "some", "conditions": []}}, "'some' is not one of ['all', 'any']"),
        ({"sync_name": None}, "None is not of type 'string' in config['sync_name']"),
    ],
)
def test_schema_errors_fail_at_start_up_through_the_sdk(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        MarketingLeadsMapper(config={**INDIA_CONFIG, **overrides})
    assert any(error.startswith(message) for error in caught.value.errors), caught.value.errors


def test_about_documents_every_setting(capsys) -> None:
    MarketingLeadsMapper.print_about("json")
    about = json.loads(capsys.readouterr().out)
    settings = about["settings"]["properties"]
    assert list(settings) == [
        "sync_name",
        "mailing_list",
        "source_stream",
        "criteria",
        "field_map",
        "source_org_id_field",
        "source_id_field",
        "source_modified_at_field",
        "source_system",
        "when_no_longer_matching",
    ]
    undocumented = [name for name, spec in settings.items() if not spec.get("description")]
    assert undocumented == []
    assert about["settings"]["required"] == ["sync_name", "mailing_list"]
    condition = settings["criteria"]["properties"]["conditions"]["items"]["properties"]
    assert all(spec.get("description") for spec in condition.values())
    assert "stream-maps" not in about["capabilities"]
