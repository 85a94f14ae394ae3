"""The ``leads`` stream: the contract between whatever produces leads and the target.

``map-marketing-leads`` writes this stream and ``target-marketing-leads`` reads it; any other
tap or mapper may feed the target by sending it. Both plugins import the names below, so the
stream name, its key, its fields and the tombstone marker are spelled here and nowhere else.

- ``sync_name`` and ``mailing_list`` say which run a record belongs to (:data:`RUN_FIELDS`);
- ``source_org_id`` and ``source_id`` say which source contact it came from
  (:data:`KEY_PROPERTIES`, always strings);
- ``_sdc_deleted_at`` set marks a tombstone: the contact was deleted at the source;
- ``meets_criteria: false`` marks a contact that no longer meets the sync's criteria (the
  mapper's ``when_no_longer_matching: remove``): its link to the lead ends. Absent, null or
  true: it meets them.

A producer may pin the run fields in its SCHEMA (``"enum": [value]`` on ``sync_name`` and
``mailing_list``, :func:`pin_run`). The target then opens that run's history row when the SCHEMA
arrives, so a run that sends no record (nothing changed at the source) still appears in the
history with total 0, and a full-table source's ACTIVATE_VERSION with no record names its run.

:data:`LEADS_SCHEMA_MESSAGE` is the minimal SCHEMA the target accepts. The mapper derives a
richer one from its source (types carried over); :func:`check_leads_schema` is the check the
target makes of either.
"""

from __future__ import annotations

import typing as t

from singer_input.text import excerpt

LEADS_STREAM = "leads"
DELETED_AT = "_sdc_deleted_at"
MEETS_CRITERIA = "meets_criteria"
KEY_PROPERTIES = ("source_org_id", "source_id")
RUN_FIELDS = ("sync_name", "mailing_list")
PERSON_FIELDS = ("email", "first_name", "last_name")
"""The lead fields every mapping fills (``email`` is mandatory); others go to ``attributes``."""

_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_DATE_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}

FIELDS: dict[str, dict[str, t.Any]] = {
    "email": _TEXT_OR_NULL,
    "first_name": _TEXT_OR_NULL,
    "last_name": _TEXT_OR_NULL,
    "attributes": {"type": ["object", "null"]},
    "mailing_list": _TEXT,
    "sync_name": _TEXT,
    "source_system": _TEXT,
    "source_org_id": _TEXT,
    "source_id": _TEXT,
    "source_modified_at": _DATE_TIME_OR_NULL,
    DELETED_AT: _DATE_TIME_OR_NULL,
    MEETS_CRITERIA: {"type": ["boolean", "null"]},
}
"""Every field of a lead record, in order, with its minimal JSON schema."""

REQUIRED_PROPERTIES = frozenset({"email", *RUN_FIELDS, *KEY_PROPERTIES})
"""Properties a ``leads`` SCHEMA must declare for the target to accept the stream."""


def leads_schema() -> dict[str, t.Any]:
    """The minimal ``leads`` JSON schema (a fresh copy: callers may extend it)."""
    return {"type": "object", "properties": {name: dict(s) for name, s in FIELDS.items()}}


LEADS_SCHEMA_MESSAGE: dict[str, t.Any] = {
    "type": "SCHEMA",
    "stream": LEADS_STREAM,
    "key_properties": list(KEY_PROPERTIES),
    "schema": leads_schema(),
}
"""The SCHEMA message any pipeline may send before its ``leads`` records."""


def pin_run(schema: dict[str, t.Any], sync_name: str, mailing_list: str) -> dict[str, t.Any]:
    """``schema`` with its run fields pinned to one sync and list (a copy; see the module doc)."""
    properties = dict(schema.get("properties", {}))
    for name, value in zip(RUN_FIELDS, (sync_name, mailing_list), strict=True):
        properties[name] = {**FIELDS[name], **properties.get(name, {}), "enum": [value]}
    return {**schema, "properties": properties}


def pinned_run(schema: t.Any) -> tuple[str, str] | None:
    """The (sync_name, mailing_list) a SCHEMA pins, or None when it does not pin both."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return None
    pinned = []
    for name in RUN_FIELDS:
        field = properties.get(name)
        values = field.get("enum") if isinstance(field, dict) else None
        if not (isinstance(values, list) and len(values) == 1 and isinstance(values[0], str)):
            return None
        if not values[0].strip():
            return None
        pinned.append(values[0])
    return pinned[0], pinned[1]


class LeadsContractError(Exception):
    """A ``leads`` SCHEMA the target cannot load: the message says what is missing."""


def check_leads_schema(stream_name: str, schema: t.Any) -> None:
    """Refuse a ``leads`` SCHEMA that lacks the fields the target needs (one clear error)."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        msg = (
            f"The SCHEMA of stream '{stream_name}' has no 'properties' object "
            f"(got {excerpt(properties)}): the target needs the leads contract."
        )
        raise LeadsContractError(msg)
    missing = REQUIRED_PROPERTIES - set(properties)
    if missing:
        msg = (
            f"The SCHEMA of stream '{stream_name}' lacks {sorted(missing)}: the target needs "
            "the leads contract (email, sync_name, mailing_list, source_org_id, source_id, ...). "
            "Is the map-marketing-leads mapper in the pipeline?"
        )
        raise LeadsContractError(msg)
