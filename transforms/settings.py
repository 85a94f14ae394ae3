"""The mapper's settings: declared once (for validation and ``--about``), then checked together.

``CONFIG_SCHEMA`` is what the SDK validates at start-up and prints with ``--about``.
``MapperSettings.from_config`` adds the checks JSON Schema cannot express (criteria that
compile, email still mapped, ...) and fails with one line. Checks that need the source
stream's schema (does the field exist?) run when that SCHEMA message arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from singer_sdk import typing as th

from transforms.criteria import MATCH_MODES, OPERATORS, Criteria, compile_criteria
from transforms.errors import MapperConfigError
from transforms.field_map import PRE_MAPPED, FieldMap, resolve_field_map
from transforms.paths import FieldReference, parse_path

KEEP = "keep"
REMOVE = "remove"
NO_LONGER_MATCHING = (KEEP, REMOVE)
"""Values of ``when_no_longer_matching``."""

_OPERATOR_HELP = "; ".join(f"{op.name}: {op.description}" for op in OPERATORS.values())

_CONDITION = th.ObjectType(
    th.Property(
        "field",
        th.StringType,
        required=True,
        description="Source field to test; a dot path reaches into objects "
        "(billing_address.country); cf_* names custom fields.",
    ),
    th.Property(
        "operator",
        th.StringType,
        required=True,
        allowed_values=list(OPERATORS),
        description=f"How to compare. {_OPERATOR_HELP}.",
    ),
    th.Property(
        "value",
        th.AnyType(),
        description="What to compare with: text or number; a list for in/not_in; an ISO 8601 "
        "date-time for before/after (no offset means UTC); none for is_empty/is_not_empty.",
    ),
    additional_properties=False,
)

CONFIG_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property(
        "sync_name",
        th.StringType(min_length=1),
        required=True,
        description="Names this sync in the lead store and tags every metric.",
    ),
    th.Property(
        "mailing_list",
        th.StringType(min_length=1),
        required=True,
        description="The mailing list the leads join.",
    ),
    th.Property(
        "source_stream",
        th.StringType(min_length=1),
        default="contacts",
        description="The input stream turned into leads; every other stream passes through "
        "untouched.",
    ),
    th.Property(
        "criteria",
        th.ObjectType(
            th.Property(
                "match",
                th.StringType,
                # No `default=` here: the SDK's validator writes defaults into the instance and
                # crashes on `criteria: null`; compile_criteria applies the default instead.
                allowed_values=list(MATCH_MODES),
                description="all (default): every condition must hold; any: at least one.",
            ),
            th.Property(
                "conditions",
                th.ArrayType(_CONDITION),
                required=True,
                description="At least one {field, operator, value} condition; operators: "
                f"{', '.join(OPERATORS)}. Text comparisons ignore case and surrounding space; "
                "numbers compare as numbers; dates as instants (no offset means UTC); a missing "
                "field is empty.",
            ),
            additional_properties=False,
        ),
        nullable=True,
        description="Which source records become leads. Absent or null: all of them. Deleted "
        "records (tombstones) always pass.",
    ),
    th.Property(
        "field_map",
        th.ObjectType(additional_properties=th.CustomType({"type": ["string", "null"]})),
        default={},
        description="Lead field -> source field (dot paths allowed, cf_* custom fields "
        f"allowed). Pre-mapped: {PRE_MAPPED}. email must stay mapped; null or '' unmaps "
        "first_name/last_name. Fields other than email/first_name/last_name go into the "
        "lead's attributes object; unmapped source fields are dropped.",
    ),
    th.Property(
        "source_org_id_field",
        th.StringType(min_length=1),
        default="organization_id",
        description="Source field that becomes the lead's source_org_id (part of its key).",
    ),
    th.Property(
        "source_id_field",
        th.StringType(min_length=1),
        default="contact_id",
        description="Source field that becomes the lead's source_id (part of its key).",
    ),
    th.Property(
        "source_modified_at_field",
        th.StringType(min_length=1),
        default="last_modified_time",
        description="Source date-time field that becomes the lead's source_modified_at.",
    ),
    th.Property(
        "source_system",
        th.StringType(min_length=1),
        default="zoho_invoice",
        description="Value of every lead's source_system field.",
    ),
    th.Property(
        "when_no_longer_matching",
        th.StringType,
        default=KEEP,
        allowed_values=list(NO_LONGER_MATCHING),
        description="What a changed contact that fails the criteria does to its lead. keep "
        "(default, as MarketingHub): nothing, the lead stays on the list. remove: the contact "
        "reaches the target as a lead with meets_criteria false, its link to the lead ends "
        "(outcome removed) and the lead leaves the list when no other contact holds it.",
    ),
).to_dict()


def _setting(config: Mapping[str, Any], name: str) -> Any:
    """The configured value, or the default declared in ``CONFIG_SCHEMA`` (one source of truth)."""
    value = config.get(name)
    return CONFIG_SCHEMA["properties"][name].get("default") if value is None else value


def _required_text(config: Mapping[str, Any], name: str) -> str:
    value = config.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MapperConfigError(
            f"{name} is required: {CONFIG_SCHEMA['properties'][name]['description']}"
        )
    return value


@dataclass(frozen=True)
class MapperSettings:
    """Settings after every check that needs no source schema."""

    sync_name: str
    mailing_list: str
    source_stream: str
    source_system: str
    criteria: Criteria
    field_map: FieldMap
    source_org_id: FieldReference
    source_id: FieldReference
    source_modified_at: FieldReference
    remove_no_longer_matching: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MapperSettings:
        """Check and compile the config; raises ``MapperConfigError`` with one line."""

        def source_field(name: str) -> FieldReference:
            return FieldReference(name, parse_path(_setting(config, name), setting=name))

        return cls(
            sync_name=_required_text(config, "sync_name"),
            mailing_list=_required_text(config, "mailing_list"),
            source_stream=_setting(config, "source_stream"),
            source_system=_setting(config, "source_system"),
            criteria=compile_criteria(config.get("criteria")),
            field_map=resolve_field_map(_setting(config, "field_map")),
            source_org_id=source_field("source_org_id_field"),
            source_id=source_field("source_id_field"),
            source_modified_at=source_field("source_modified_at_field"),
            remove_no_longer_matching=_setting(config, "when_no_longer_matching") == REMOVE,
        )

    @property
    def field_references(self) -> tuple[FieldReference, ...]:
        """Every source field the settings read, for the check against the source schema."""
        return (
            *self.field_map.references,
            *self.criteria.fields,
            self.source_org_id,
            self.source_id,
            self.source_modified_at,
        )
