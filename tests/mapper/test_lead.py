"""The leads stream: its schema derived from the source schema, and the lead records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from transforms.errors import MapperConfigError
from transforms.lead import LeadBuilder, derive_leads_schema
from transforms.settings import MapperSettings

from .conftest import INDIA_CONFIG, fixture_messages

CONTACTS_SCHEMA = fixture_messages("contacts_india_filter.jsonl")[0]["schema"]

LEAD_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "attributes",
    "mailing_list",
    "sync_name",
    "source_system",
    "source_org_id",
    "source_id",
    "source_modified_at",
    "_sdc_deleted_at",
    "meets_criteria",
]


def settings(**overrides: object) -> MapperSettings:
    return MapperSettings.from_config({**INDIA_CONFIG, **overrides})


def test_leads_schema_has_the_contract_fields_with_types_carried_over() -> None:
    field_map = {"company": "company_name", "amount": "outstanding_receivable_amount"}
    schema = derive_leads_schema(settings(field_map=field_map), CONTACTS_SCHEMA)
    properties = schema["properties"]
    assert list(properties) == LEAD_FIELDS
    assert properties["email"] == {"type": ["string", "null"]}
    assert properties["attributes"] == {
        "type": "object",
        "properties": {
            "company": {"type": ["string", "null"]},
            "amount": {"type": ["number", "null"]},
        },
    }
    assert properties["source_id"] == {"type": "string"}
    assert properties["source_org_id"] == {"type": "string"}
    assert properties["source_modified_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert properties["_sdc_deleted_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert properties["mailing_list"] == {"type": "string", "enum": ["India customers"]}
    assert properties["meets_criteria"] == {"type": ["boolean", "null"]}


def test_leads_schema_carries_nested_object_and_custom_field_types() -> None:
    field_map = {"address": "billing_address", "vat": "cf_vat_id", "industry": "cf_industry"}
    attributes = derive_leads_schema(settings(field_map=field_map), CONTACTS_SCHEMA)["properties"][
        "attributes"
    ]["properties"]
    address = attributes["address"]
    assert address["type"] == ["object", "null"]
    assert address["properties"]["country"] == {"type": ["string", "null"]}
    assert attributes["vat"] == {}, "an undeclared custom field has an unknown type"
    assert attributes["industry"] == {"type": ["string", "null"]}


def test_unmapped_names_are_nullable_text_and_unmapped_contact_fields_are_absent() -> None:
    schema = derive_leads_schema(settings(field_map={"first_name": ""}), CONTACTS_SCHEMA)
    assert schema["properties"]["first_name"] == {"type": ["string", "null"]}
    assert "company_name" not in schema["properties"]
    assert schema["properties"]["attributes"]["properties"] == {}


def test_leads_schema_fails_on_a_field_the_source_lacks() -> None:
    with pytest.raises(MapperConfigError, match=r"has no field 'org' \(source_org_id_field\)"):
        derive_leads_schema(settings(source_org_id_field="org"), CONTACTS_SCHEMA)


def test_lead_record_from_a_contact() -> None:
    contact = fixture_messages("contacts_india_filter.jsonl")[1]["record"]
    lead = LeadBuilder(settings())(contact, meets_criteria=True)
    assert lead == {
        "email": "asha@example.in",
        "first_name": "Asha",
        "last_name": "Rao",
        "attributes": {"company": "Acme", "industry": "Retail", "city": ""},
        "mailing_list": "India customers",
        "sync_name": "india-customers",
        "source_system": "zoho_invoice",
        "source_org_id": "900001",
        "source_id": "1",
        "source_modified_at": "2026-06-09T10:00:00.000000+00:00",
        "_sdc_deleted_at": None,
        "meets_criteria": True,
    }
    assert list(lead) == LEAD_FIELDS


def test_tombstone_lead_carries_deleted_at_and_whatever_exists() -> None:
    tombstone = {
        "contact_id": "11",
        "organization_id": "900001",
        "_sdc_deleted_at": "2026-06-09T12:00:00.000000+00:00",
    }
    lead = LeadBuilder(settings())(tombstone, meets_criteria=None)
    assert lead["_sdc_deleted_at"] == "2026-06-09T12:00:00.000000+00:00"
    assert (lead["source_org_id"], lead["source_id"]) == ("900001", "11")
    assert lead["email"] is None
    assert lead["attributes"] == {"company": None, "industry": None, "city": None}


def test_source_key_fields_are_settings_so_any_tap_can_feed_the_mapper() -> None:
    custom = settings(
        source_org_id_field="account.id",
        source_id_field="id",
        source_modified_at_field="updated_at",
        source_system="hubspot",
        field_map={},
    )
    record = {"id": 7, "account": {"id": "a1"}, "updated_at": "2026-01-01T00:00:00Z", "email": "x"}
    lead = LeadBuilder(custom)(record, meets_criteria=True)
    assert (lead["source_org_id"], lead["source_id"]) == ("a1", "7")
    assert lead["source_modified_at"] == "2026-01-01T00:00:00Z"
    assert lead["source_system"] == "hubspot"


@pytest.mark.parametrize(
    ("source_id", "expected"),
    [(7, "7"), (Decimal("12345678901234567890"), "12345678901234567890"), ("c-9", "c-9")],
)
def test_source_ids_leave_as_strings_whatever_the_source_type(
    source_id: object, expected: str
) -> None:
    record = {"contact_id": source_id, "organization_id": 42, "email": "ann@example.com"}
    lead = LeadBuilder(settings(field_map={}))(record, meets_criteria=True)
    assert (lead["source_org_id"], lead["source_id"]) == ("42", expected)
