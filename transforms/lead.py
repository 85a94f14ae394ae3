"""How a lead is built from a source record, and the ``leads`` SCHEMA derived for a mapping.

The stream's shape is :mod:`leads_contract`'s. Every lead carries every key; a source field that
is missing gives ``null``. Values are carried as they are (Zoho's "" stays ""): the target,
not the mapper, decides what an empty email means. The source contact's ids leave as strings
whatever the source's type (Zoho's ids are numeric text; another tap's may be integers), so
the key of a lead is the same whichever tap produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from leads_contract import DELETED_AT, FIELDS, MEETS_CRITERIA, pin_run
from transforms.field_map import check_fields_exist, nullable, schema_at
from transforms.paths import FieldReference, always_none, compile_getter
from transforms.settings import MapperSettings

_ANY_NULLABLE_TEXT = {"type": ["string", "null"]}


def _field_schema(source_schema: Mapping[str, Any], ref: FieldReference | None) -> dict[str, Any]:
    if ref is None:
        return dict(_ANY_NULLABLE_TEXT)
    return nullable(schema_at(source_schema, ref.keys) or {})


def derive_leads_schema(settings: MapperSettings, source_schema: Mapping[str, Any]) -> dict:
    """The ``leads`` SCHEMA: types carried over from the source schema for each mapped field.

    Fails with one line (``MapperConfigError``) if a setting names a field the source lacks.
    """
    check_fields_exist(source_schema, settings.field_references, settings.source_stream)
    field_map = settings.field_map
    top = {name: _field_schema(source_schema, ref) for name, ref in field_map.top_level.items()}
    attributes = {
        name: _field_schema(source_schema, ref) for name, ref in field_map.attributes.items()
    }
    properties = source_schema.get("properties")
    deleted_at = properties.get(DELETED_AT) if isinstance(properties, Mapping) else None
    schema = {
        "type": "object",
        "properties": {
            **top,
            "attributes": {"type": "object", "properties": attributes},
            "mailing_list": dict(FIELDS["mailing_list"]),
            "sync_name": dict(FIELDS["sync_name"]),
            "source_system": dict(FIELDS["source_system"]),
            "source_org_id": dict(FIELDS["source_org_id"]),
            "source_id": dict(FIELDS["source_id"]),
            "source_modified_at": _field_schema(source_schema, settings.source_modified_at),
            DELETED_AT: nullable(deleted_at)
            if isinstance(deleted_at, Mapping) and deleted_at
            else dict(FIELDS[DELETED_AT]),
            MEETS_CRITERIA: dict(FIELDS[MEETS_CRITERIA]),
        },
    }
    return pin_run(schema, settings.sync_name, settings.mailing_list)


def as_text(value: Any) -> Any:
    """A source id as text: ``42`` becomes ``"42"``; null stays null (the target refuses it)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return value  # an object or a list is no id: the target names it in one line
    return str(value)


class LeadBuilder:
    """Turns one source record into one lead record; every path is compiled up front."""

    def __init__(self, settings: MapperSettings) -> None:
        def getter(ref: FieldReference | None) -> Any:
            return always_none if ref is None else compile_getter(ref.keys)

        top = settings.field_map.top_level
        self._email = getter(top["email"])
        self._first_name = getter(top["first_name"])
        self._last_name = getter(top["last_name"])
        self._attributes = tuple(
            (name, compile_getter(ref.keys)) for name, ref in settings.field_map.attributes.items()
        )
        self._org_id = getter(settings.source_org_id)
        self._id = getter(settings.source_id)
        self._modified_at = getter(settings.source_modified_at)
        self._mailing_list = settings.mailing_list
        self._sync_name = settings.sync_name
        self._source_system = settings.source_system

    def __call__(self, record: Mapping[str, Any], *, meets_criteria: bool | None) -> dict[str, Any]:
        """The lead for ``record``; a tombstone gives a lead with ``_sdc_deleted_at`` set.

        ``meets_criteria``: the criteria's verdict, or None for a tombstone (not judged).
        """
        return {
            "email": self._email(record),
            "first_name": self._first_name(record),
            "last_name": self._last_name(record),
            "attributes": {name: get(record) for name, get in self._attributes},
            "mailing_list": self._mailing_list,
            "sync_name": self._sync_name,
            "source_system": self._source_system,
            "source_org_id": as_text(self._org_id(record)),
            "source_id": as_text(self._id(record)),
            "source_modified_at": self._modified_at(record),
            DELETED_AT: record.get(DELETED_AT),
            MEETS_CRITERIA: meets_criteria,
        }
