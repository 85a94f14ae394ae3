"""Field map resolution and the look-up of source fields in a JSON schema."""

from __future__ import annotations

import copy

import pytest

from transforms.errors import MapperConfigError
from transforms.field_map import check_fields_exist, nullable, resolve_field_map, schema_at
from transforms.paths import FieldReference, compile_getter

from .conftest import fixture_messages

CONTACTS_SCHEMA = fixture_messages("contacts_india_filter.jsonl")[0]["schema"]


def paths(field_map: dict[str, FieldReference | None]) -> dict[str, str | None]:
    return {name: ref.path if ref else None for name, ref in field_map.items()}


def test_email_and_names_are_pre_mapped() -> None:
    resolved = resolve_field_map(None)
    assert paths(resolved.top_level) == {
        "email": "email",
        "first_name": "first_name",
        "last_name": "last_name",
    }
    assert resolved.attributes == {}


def test_other_lead_fields_go_to_attributes_and_names_can_be_repointed() -> None:
    resolved = resolve_field_map(
        {
            "first_name": "contact_name",
            "company": "company_name",
            "country": "billing_address.country",
        }
    )
    assert paths(resolved.top_level)["first_name"] == "contact_name"
    assert paths(resolved.attributes) == {
        "company": "company_name",
        "country": "billing_address.country",
    }
    assert resolved.attributes["country"].setting == "field_map.country"


@pytest.mark.parametrize("unmapped", [None, ""])
def test_first_and_last_name_can_be_unmapped(unmapped: str | None) -> None:
    resolved = resolve_field_map({"first_name": unmapped, "last_name": unmapped})
    assert resolved.top_level["first_name"] is None
    assert resolved.top_level["last_name"] is None
    assert [ref.path for ref in resolved.references] == ["email"]


@pytest.mark.parametrize("unmapped", [None, ""])
def test_email_must_stay_mapped(unmapped: str | None) -> None:
    with pytest.raises(MapperConfigError) as caught:
        resolve_field_map({"email": unmapped})
    assert str(caught.value) == (
        "field_map.email must stay mapped: the target matches leads by email; "
        "map it to the source field that holds the address"
    )


@pytest.mark.parametrize(
    ("field_map", "message"),
    [
        ({"company": "billing_address."}, "field_map.company has an empty part in field path "),
        ({"company": 3}, "field_map.company must be a field name, got 3"),
        ({" ": "company_name"}, "field_map has an empty lead field name"),
    ],
)
def test_bad_field_map_entries(field_map: dict, message: str) -> None:
    with pytest.raises(MapperConfigError, match=message.replace(".", r"\.")):
        resolve_field_map(field_map)


@pytest.mark.parametrize(
    ("keys", "expected_type"),
    [
        (("email",), ["string", "null"]),
        (("contact_id",), ["string"]),
        (("outstanding_receivable_amount",), ["number", "null"]),
        (("billing_address", "country"), ["string", "null"]),
        (("cf_industry",), ["string", "null"]),
    ],
)
def test_schema_at_finds_declared_and_nested_fields(keys: tuple, expected_type: list) -> None:
    found = schema_at(CONTACTS_SCHEMA, keys)
    assert found is not None
    assert found["type"] == expected_type


def test_schema_at_misses_undeclared_fields_even_when_additional_properties_is_true() -> None:
    assert CONTACTS_SCHEMA["properties"]["billing_address"]["additionalProperties"] is True
    assert schema_at(CONTACTS_SCHEMA, ("compnay_name",)) is None
    assert schema_at(CONTACTS_SCHEMA, ("billing_address", "contry")) is None
    assert schema_at(CONTACTS_SCHEMA, ("email", "domain")) is None


def test_undeclared_custom_fields_are_accepted_with_unknown_type_unless_forbidden() -> None:
    assert schema_at(CONTACTS_SCHEMA, ("cf_vat_id",)) == {}
    assert schema_at(CONTACTS_SCHEMA, ("custom_field_hash", "cf_vat_id")) == {}
    closed = {**CONTACTS_SCHEMA, "additionalProperties": False}
    assert schema_at(closed, ("cf_vat_id",)) is None
    assert schema_at(CONTACTS_SCHEMA, ("vat_id",)) is None


def test_schema_at_uses_pattern_and_typed_additional_properties_and_any_of() -> None:
    schema = {
        "type": "object",
        "properties": {
            "hash": {"type": "object", "additionalProperties": {"type": "integer"}},
            "addr": {
                "anyOf": [
                    {"type": "object", "properties": {"zip": {"type": "string"}}},
                    {"type": "null"},
                ]
            },
        },
        "patternProperties": {"^x_": {"type": "boolean"}},
        "additionalProperties": False,
    }
    assert schema_at(schema, ("x_flag",)) == {"type": "boolean"}
    assert schema_at(schema, ("hash", "anything")) == {"type": "integer"}
    assert schema_at(schema, ("addr", "zip")) == {"type": "string"}
    assert schema_at(schema, ("addr", "city")) is None


def test_check_fields_exist_names_every_missing_field_and_its_setting_in_one_line() -> None:
    references = (
        FieldReference("field_map.email", ("email",)),
        FieldReference("field_map.company", ("compnay_name",)),
        FieldReference("criteria.conditions[0].field", ("billing_address", "contry")),
    )
    with pytest.raises(MapperConfigError) as caught:
        check_fields_exist(CONTACTS_SCHEMA, references, "contacts")
    assert str(caught.value) == (
        "the schema of stream 'contacts' has no field 'compnay_name' (field_map.company), "
        "'billing_address.contry' (criteria.conditions[0].field): "
        "fix the setting or the tap's schema"
    )


def test_check_fields_exist_passes_when_all_fields_exist() -> None:
    check_fields_exist(CONTACTS_SCHEMA, resolve_field_map({"c": "cf_industry"}).references, "s")


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, {"type": ["string", "null"]}),
        (
            {"type": ["string"], "format": "date-time"},
            {"type": ["string", "null"], "format": "date-time"},
        ),
        ({"type": ["integer", "null"]}, {"type": ["integer", "null"]}),
        ({"type": "null"}, {"type": "null"}),
        ({"anyOf": [{"type": "string"}]}, {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        ({}, {}),
    ],
)
def test_nullable(schema: dict, expected: dict) -> None:
    original = copy.deepcopy(schema)
    assert nullable(schema) == expected
    assert schema == original, "the source schema must not be modified"


def test_getters_read_nested_paths_and_never_raise() -> None:
    get_country = compile_getter(("billing_address", "country"))
    assert get_country({"billing_address": {"country": "India"}}) == "India"
    assert get_country({"billing_address": None}) is None
    assert get_country({"billing_address": ["India"]}) is None
    assert get_country({}) is None
    assert compile_getter(("email",))({"email": "a@b.c"}) == "a@b.c"
