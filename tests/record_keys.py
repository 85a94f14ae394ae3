"""Compare a record's keys, at every depth, with the schema that announced it.

Written apart from ``tap_zoho_invoice.record_shape`` on purpose: a test that reused the tap's own
walk would agree with any mistake in it.
"""

from __future__ import annotations

from typing import Any


def key_mismatches(record: Any, schema: dict, path: str = "") -> list[str]:
    """``+path`` for each key the schema lacks, ``-path`` for each declared key missing.

    Objects that declare no properties (open objects such as ``custom_field_hash``) may hold
    anything; null stands for a whole object or array.
    """
    if record is None:
        return []
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    properties = schema.get("properties")
    if "object" in types and properties and isinstance(record, dict):
        found = [f"+{path}{key}" for key in record if key not in properties]
        found += [f"-{path}{key}" for key in properties if key not in record]
        for key, sub in properties.items():
            if key in record:
                found += key_mismatches(record[key], sub, f"{path}{key}.")
        return found
    if "array" in types and isinstance(record, list):
        return [
            problem
            for item in record
            for problem in key_mismatches(item, schema.get("items") or {}, f"{path}[].")
        ]
    return []
