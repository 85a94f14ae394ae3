"""Field mapping: which source field feeds which lead field, and what the source schema says of it.

``field_map`` maps a lead field to a source field (a dot path for nested objects). ``email``,
``first_name`` and ``last_name`` are pre-mapped to the same-named contact fields; a person can
re-point them, and can unmap ``first_name``/``last_name`` with ``null`` or ``""`` (Meltano drops
``null`` values from config, so ``""`` is the portable spelling). ``email`` must stay mapped:
the target matches leads by email.

A source field "exists" when the source SCHEMA declares it in ``properties``, matches a
``patternProperties`` pattern, or sits in an object whose ``additionalProperties`` is a schema.
``additionalProperties: true`` does not count (the SDK writes it on every object, so it says
nothing about which fields exist), with one exception: ``cf_*`` custom fields (top-level or in
``custom_field_hash``), which Zoho names per organisation and a tap may not know at discovery
time, are accepted unless their object forbids extra properties; their type is then unknown
(``{}``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from transforms.errors import MapperConfigError
from transforms.paths import FieldReference, parse_path

PRE_MAPPED: dict[str, str] = {
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
}
TOP_LEVEL_LEAD_FIELDS = tuple(PRE_MAPPED)
CUSTOM_FIELD_PREFIX = "cf_"


@dataclass(frozen=True)
class FieldMap:
    """The resolved mapping: lead field -> source field (None when mapped to nothing)."""

    top_level: dict[str, FieldReference | None]
    """``email``, ``first_name``, ``last_name``: the lead's own columns."""
    attributes: dict[str, FieldReference]
    """Every other mapped lead field: goes into the lead's ``attributes`` object."""

    @property
    def references(self) -> tuple[FieldReference, ...]:
        """Every source field the mapping reads."""
        top = (ref for ref in self.top_level.values() if ref is not None)
        return (*top, *self.attributes.values())


def resolve_field_map(field_map: Mapping[str, Any] | None) -> FieldMap:
    """Merge the pre-mapped fields with the ``field_map`` setting and check each entry."""
    merged: dict[str, Any] = {**PRE_MAPPED, **(field_map or {})}
    top_level: dict[str, FieldReference | None] = {}
    attributes: dict[str, FieldReference] = {}
    for lead_field, source in merged.items():
        setting = f"field_map.{lead_field}"
        if not lead_field.strip():
            raise MapperConfigError("field_map has an empty lead field name")
        if source is None or source == "":
            if lead_field == "email":
                raise MapperConfigError(
                    "field_map.email must stay mapped: the target matches leads by email; "
                    "map it to the source field that holds the address"
                )
            reference = None
        else:
            reference = FieldReference(setting, parse_path(source, setting=setting))
        if lead_field in PRE_MAPPED:
            top_level[lead_field] = reference
        elif reference is not None:
            attributes[lead_field] = reference
    return FieldMap(top_level=top_level, attributes=attributes)


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is an object, else empty: a malformed schema declares nothing."""
    return value if isinstance(value, Mapping) else {}


def _object_branches(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The node and its ``anyOf``/``oneOf`` members (nullable objects are often written so)."""
    yield node
    for keyword in ("anyOf", "oneOf"):
        branches = node.get(keyword)
        for branch in branches if isinstance(branches, list) else ():
            if isinstance(branch, Mapping):
                yield branch


def _child_schema(node: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    for branch in _object_branches(node):
        properties = _mapping(branch.get("properties"))
        if key in properties:
            child = properties[key]
            return child if isinstance(child, Mapping) else {}
        for pattern, child in _mapping(branch.get("patternProperties")).items():
            try:
                if re.search(pattern, key):
                    return child if isinstance(child, Mapping) else {}
            except (re.error, TypeError):
                continue
        extra = branch.get("additionalProperties")
        if isinstance(extra, Mapping):
            return extra
        if key.startswith(CUSTOM_FIELD_PREFIX) and extra is not False:
            return {}
    return None


def schema_at(schema: Mapping[str, Any], keys: tuple[str, ...]) -> Mapping[str, Any] | None:
    """The JSON schema of the field at ``keys``, or None if the schema does not have it."""
    node = schema
    for key in keys:
        child = _child_schema(node, key)
        if child is None:
            return None
        node = child
    return node


def check_fields_exist(
    schema: Mapping[str, Any], references: tuple[FieldReference, ...], stream: str
) -> None:
    """Fail, in one line naming each setting, if the source schema lacks a referenced field."""
    missing = [ref for ref in references if schema_at(schema, ref.keys) is None]
    if missing:
        listed = ", ".join(f"'{ref.path}' ({ref.setting})" for ref in missing)
        raise MapperConfigError(
            f"the schema of stream '{stream}' has no field {listed}: "
            "fix the setting or the tap's schema"
        )


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``schema`` that also accepts null (a mapped field may be missing)."""
    result = copy.deepcopy(dict(schema))
    types = result.get("type")
    if isinstance(types, str):
        if types != "null":
            result["type"] = [types, "null"]
    elif isinstance(types, list):
        if "null" not in types:
            result["type"] = [*types, "null"]
    else:
        for keyword in ("anyOf", "oneOf"):
            branches = result.get(keyword)
            if isinstance(branches, list) and {"type": "null"} not in branches:
                branches.append({"type": "null"})
    return result
