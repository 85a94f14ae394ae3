"""Records shaped exactly like the schema their stream sends: every declared key, nothing else.

Stream maps evaluate expressions against a record's keys (a missing key is a
``MapExpressionError``), and the SDK's flattening derives a target's columns from the schema
(an undeclared nested key is a column the target never heard of; a null object is a column the
flattened schema lacks). So a missing key becomes null, an object whose schema declares
properties is always an object (all-null when Zoho sent none), and a key the schema does not
declare is dropped, named once per run in a warning. Objects declaring no properties (such as
``custom_field_hash``, whose ``cf_*`` keys differ per organization) pass through whole.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass


class RecordShape:
    """The shape of one stream's schema, applied to each record before it is written."""

    def __init__(self, schema: dict, stream_name: str, logger: logging.Logger) -> None:
        self._keys = _object_shape(schema)
        self._stream_name = stream_name
        self._logger = logger
        self._reported: set[str] = set()

    def apply(self, record: dict) -> dict:
        """The record with every declared property (null when absent) and only those."""
        if self._keys is None:
            return record  # a schema declaring nothing says nothing to shape by
        dropped: list[str] = []
        shaped = _shape_object(record, self._keys, "", dropped)
        if new := [path for path in dropped if path not in self._reported]:
            self._reported.update(new)
            self._logger.warning(
                "Properties %s of the '%s' stream are not in its schema; dropped (each named "
                "once per run).",
                sorted(new),
                self._stream_name,
            )
        return shaped


@dataclass(frozen=True)
class _Items:
    """An array whose items are objects with declared properties."""

    keys: dict[str, _Shape]


# A node of the shape: an object's declared keys and their shapes, an array of such objects,
# or None for a value kept as it is.
_Shape: t.TypeAlias = "dict[str, _Shape] | _Items | None"


def _object_shape(schema: dict) -> dict[str, _Shape] | None:
    properties = schema.get("properties")
    if not _has_type(schema, "object") or not properties:
        return None
    return {name: _node_shape(sub) for name, sub in properties.items()}


def _node_shape(schema: dict) -> _Shape:
    if (keys := _object_shape(schema)) is not None:
        return keys
    if _has_type(schema, "array") and (item := _object_shape(schema.get("items") or {})):
        return _Items(item)
    return None


def _has_type(schema: dict, name: str) -> bool:
    declared = schema.get("type")
    return declared == name or (isinstance(declared, list) and name in declared)


def _shape_object(
    value: t.Any, keys: dict[str, _Shape], path: str, dropped: list[str]
) -> dict[str, t.Any]:
    source = value if isinstance(value, dict) else {}
    if not source.keys() <= keys.keys():
        dropped.extend(f"{path}{name}" for name in source if name not in keys)
    return {
        name: source.get(name)
        if shape is None
        else _shape_value(source.get(name), shape, f"{path}{name}", dropped)
        for name, shape in keys.items()
    }


def _shape_value(value: t.Any, shape: _Shape, path: str, dropped: list[str]) -> t.Any:
    if isinstance(shape, dict):
        return _shape_object(value, shape, f"{path}.", dropped)
    if isinstance(shape, _Items) and isinstance(value, list):
        return [_shape_object(item, shape.keys, f"{path}[].", dropped) for item in value]
    return value
