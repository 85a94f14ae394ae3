"""Every record leaves with exactly its schema's properties: tombstones, live rows, orgs."""

from __future__ import annotations

import json
import logging

import pytest
from singer_sdk.testing import tap_sync_test

from tap_zoho_invoice.record_shape import RecordShape
from tap_zoho_invoice.tap import TapZohoInvoice
from tests.record_keys import key_mismatches
from tests.tap.conftest import API, CONFIG, contact, records, serve_contacts

CUSTOM_FIELD = {"index": 1, "label": "Lead Source", "api_name": "cf_lead_source", "value": "Fair"}
HASH = {"cf_lead_source": "Fair", "cf_lead_source_unformatted": "Fair"}


def schemas(messages: list[dict]) -> dict[str, dict]:
    return {m["stream"]: m["schema"] for m in messages if m["type"] == "SCHEMA"}


def sync(tap: TapZohoInvoice) -> list[dict]:
    stdout, _ = tap_sync_test(tap)
    return [json.loads(line) for line in stdout.read().splitlines() if line]


def with_custom_field(contact_id: str, modified: str) -> dict:
    return contact(
        contact_id,
        modified,
        cf_lead_source="Fair",
        custom_fields=[CUSTOM_FIELD],
        custom_field_hash=HASH,
    )


def test_discovered_custom_fields_are_declared_and_reach_the_record(zoho):
    serve_contacts(zoho, [with_custom_field("1", "2026-01-01T10:00:00+0000")])
    catalog = TapZohoInvoice(config=CONFIG).catalog_dict  # samples the first page: cf_lead_source
    messages = sync(TapZohoInvoice(config=CONFIG, catalog=catalog))
    record = records(messages)[0]
    assert record["cf_lead_source"] == "Fair"
    assert record["custom_field_hash"] == HASH
    assert record["custom_fields"][0]["label"] == "Lead Source"
    assert key_mismatches(record, schemas(messages)["contacts"]) == []


def test_a_key_the_catalog_lacks_is_dropped_with_one_warning_and_kept_in_the_hash(
    zoho, run_tap, caplog: pytest.LogCaptureFixture
):
    rows = [with_custom_field(str(i), f"2026-01-0{i}T10:00:00+0000") for i in (1, 2)]
    serve_contacts(zoho, rows)
    with caplog.at_level(logging.WARNING):
        messages, _ = run_tap()  # its catalog comes from a discovery without credentials
    got = records(messages)
    assert all("cf_lead_source" not in r and r["custom_field_hash"] == HASH for r in got)
    warnings = [m for m in caplog.messages if "not in its schema" in m]
    assert len(warnings) == 1
    assert "cf_lead_source" in warnings[0]


def test_live_records_carry_every_property_and_sdc_deleted_at_null(zoho, run_tap):
    serve_contacts(zoho, [contact("1", "2026-01-01T10:00:00+0000")])
    messages, _ = run_tap()
    record = records(messages)[0]
    assert record["_sdc_deleted_at"] is None
    assert key_mismatches(record, schemas(messages)["contacts"]) == []
    # An address Zoho did not send is an object of nulls: flattening gives every record the
    # same columns (a null object would be a column the flattened schema lacks).
    assert set(record["billing_address"].values()) == {None}


def test_tombstones_carry_every_property_null_but_their_keys(zoho, run_tap):
    rows = [contact(str(i), f"2026-01-0{i}T00:00:00+0000") for i in (1, 2)]
    serve_contacts(zoho, rows)
    _, state = run_tap({"detect_deletions": True})
    serve_contacts(zoho, rows[:1])
    messages, _ = run_tap({"detect_deletions": True}, state=state)
    [tombstone] = [r for r in records(messages) if r["_sdc_deleted_at"]]
    assert key_mismatches(tombstone, schemas(messages)["contacts"]) == []
    kept = {"contact_id": "2", "organization_id": "111"}
    assert {k: v for k, v in tombstone.items() if k in kept} == kept
    others = {k: v for k, v in tombstone.items() if k not in {*kept, "_sdc_deleted_at"}}
    assert all(v is None for k, v in others.items() if not k.endswith("_address"))
    assert set(tombstone["shipping_address"].values()) == {None}


def test_address_keys_zoho_sends_are_declared_and_unknown_ones_dropped(zoho, run_tap):
    serve_contacts(zoho, [contact("1", "2026-01-01T10:00:00+0000")])
    address = {"address_id": "9", "city": "Pune", "latitude": "18.5", "longitude": "73.8"}
    detail = {"contact": {"billing_address": {**address, "geo_accuracy": "high"}}}
    zoho.get(f"{API}/contacts/1", json={"code": 0, **detail})
    messages, _ = run_tap({"fetch_contact_details": True})
    record = records(messages)[0]
    assert {k: record["billing_address"][k] for k in address} == address
    assert key_mismatches(record, schemas(messages)["contacts"]) == []


def test_organizations_carry_every_declared_property_only(zoho, run_tap):
    serve_contacts(zoho, [])
    messages, _ = run_tap()
    [org] = records(messages, "organizations")
    assert org["organization_id"] == "111"
    assert org["currency_symbol"] is None
    assert key_mismatches(org, schemas(messages)["organizations"]) == []


def test_arrays_of_declared_objects_are_shaped_item_by_item():
    schema = {
        "type": "object",
        "properties": {
            "items": {
                "type": ["array", "null"],
                "items": {"type": "object", "properties": {"a": {"type": "string"}}},
            },
            "open": {"type": ["object", "null"], "additionalProperties": True},
        },
    }
    shape = RecordShape(schema, "s", logging.getLogger("test"))
    record = {"items": [{"a": "1", "b": "2"}, {}], "open": {"x": {"y": 1}}, "extra": 1}
    assert shape.apply(record) == {"items": [{"a": "1"}, {"a": None}], "open": {"x": {"y": 1}}}
