"""The leads contract: what the mapper writes is what the target accepts, declared once."""

from __future__ import annotations

import copy
import io
import json
import typing as t
from contextlib import redirect_stdout

import pytest

from leads_contract import (
    DELETED_AT,
    FIELDS,
    KEY_PROPERTIES,
    LEADS_SCHEMA_MESSAGE,
    LEADS_STREAM,
    REQUIRED_PROPERTIES,
    LeadsContractError,
    check_leads_schema,
)
from tests.mapper.conftest import FIXTURES, INDIA_CONFIG
from transforms.mapper import MarketingLeadsMapper

FIELD_MAPS: list[dict[str, t.Any]] = [
    {},
    INDIA_CONFIG["field_map"],
    {"first_name": None, "last_name": "", "vat": "cf_vat_id", "address": "billing_address"},
]


def mapper_output(config: dict[str, t.Any], fixture: str) -> list[dict[str, t.Any]]:
    """Run the real mapper on a fixture file; return the messages it wrote."""
    out = io.StringIO()
    with redirect_stdout(out):
        MarketingLeadsMapper(config=config).listen(io.StringIO((FIXTURES / fixture).read_text()))
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("field_map", FIELD_MAPS)
@pytest.mark.parametrize("fixture", ["contacts_india_filter.jsonl", "contacts_tombstones.jsonl"])
def test_the_mappers_schema_passes_the_targets_contract_check(
    field_map: dict[str, t.Any], fixture: str
) -> None:
    config = {**INDIA_CONFIG, "field_map": field_map}
    messages = mapper_output(config, fixture)
    schemas = [m for m in messages if m["type"] == "SCHEMA" and m["stream"] == LEADS_STREAM]
    assert schemas, "the mapper wrote no leads SCHEMA"
    for message in schemas:
        check_leads_schema(message["stream"], message["schema"])  # raises if refused
        assert tuple(message["key_properties"]) == KEY_PROPERTIES
        assert list(message["schema"]["properties"]) == list(FIELDS)
    records = [m["record"] for m in messages if m["type"] == "RECORD"]
    assert records
    for record in records:
        assert list(record) == list(FIELDS)
        assert all(isinstance(record[key], str) for key in KEY_PROPERTIES)


def test_the_minimal_schema_message_passes_and_is_the_declared_fields() -> None:
    check_leads_schema(LEADS_STREAM, LEADS_SCHEMA_MESSAGE["schema"])
    assert LEADS_SCHEMA_MESSAGE["stream"] == LEADS_STREAM
    assert list(LEADS_SCHEMA_MESSAGE["schema"]["properties"]) == list(FIELDS)
    assert DELETED_AT in FIELDS


@pytest.mark.parametrize("missing", sorted(REQUIRED_PROPERTIES))
def test_a_schema_without_a_required_field_is_refused_naming_it(missing: str) -> None:
    schema = copy.deepcopy(LEADS_SCHEMA_MESSAGE["schema"])
    del schema["properties"][missing]
    with pytest.raises(LeadsContractError, match=f"lacks \\['{missing}'\\]"):
        check_leads_schema(LEADS_STREAM, schema)


@pytest.mark.parametrize("schema", [None, [], {"type": "object"}, {"properties": "x"}])
def test_a_schema_without_properties_is_refused(schema: t.Any) -> None:
    with pytest.raises(LeadsContractError, match="has no 'properties' object"):
        check_leads_schema(LEADS_STREAM, schema)
