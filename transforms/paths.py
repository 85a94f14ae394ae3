"""Dot paths: ``billing_address.country`` reads ``record["billing_address"]["country"]``.

Paths are parsed once, at start-up, into tuples and compiled into getters, so reading a field
costs one or two dict look-ups per record. A getter never raises: a missing key, a ``null`` or
a non-object on the way yields ``None`` (an empty value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from transforms.errors import MapperConfigError

Getter = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class FieldReference:
    """A source field a setting refers to, kept so the schema check can name the setting."""

    setting: str
    keys: tuple[str, ...]

    @property
    def path(self) -> str:
        """The dot path as the person wrote it."""
        return ".".join(self.keys)


def parse_path(path: object, *, setting: str) -> tuple[str, ...]:
    """Split a dot path into its keys; ``setting`` names the config entry in the error."""
    if not isinstance(path, str) or not path.strip():
        raise MapperConfigError(f"{setting} must be a field name, got {path!r}")
    keys = tuple(path.strip().split("."))
    if any(not key for key in keys):
        raise MapperConfigError(f"{setting} has an empty part in field path {path!r}")
    return keys


def compile_getter(keys: tuple[str, ...]) -> Getter:
    """Return a function that reads the value at ``keys`` from a record, or ``None``."""
    if len(keys) == 1:
        (key,) = keys

        def get_top_level(record: Mapping[str, Any]) -> Any:
            return record.get(key)

        return get_top_level

    def get_nested(record: Mapping[str, Any]) -> Any:
        value: Any = record
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return get_nested


def always_none(record: Mapping[str, Any]) -> None:
    """Getter for a lead field that is mapped to nothing."""
    return None
