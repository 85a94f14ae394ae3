"""Reads one ``leads`` record into a typed :class:`LeadRecord` (the target's own validation).

The SDK's per-record JSON-schema validation is switched off for the leads stream (it costs more
than the rest of the target); this module checks exactly what the target relies on.

Bad-input policy, record level:

- A record that cannot be attributed to a run or to a contact stops the run with one clear
  error (:class:`~target_marketing_leads.errors.LeadInputError`): ``sync_name`` or
  ``mailing_list`` missing or empty, ``source_org_id`` or ``source_id`` missing or empty.
  Nothing of the run is committed and no STATE is emitted, so fixing the input and re-running
  loses nothing.
- A record whose other fields break the contract (a JSON type that is not the contract's, an
  unparseable ``source_modified_at``) is counted ``ignored`` with reason ``invalid_record``; the
  problem is stored with the outcome (``detail``) and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass

from target_marketing_leads.errors import LeadInputError

RUN_FIELDS = ("sync_name", "mailing_list")
IDENTITY_FIELDS = ("source_org_id", "source_id")
REQUIRED_SCHEMA_PROPERTIES = frozenset(
    {"email", "sync_name", "mailing_list", "source_org_id", "source_id"}
)
"""Properties a ``leads`` SCHEMA must declare for the target to accept the stream."""


@dataclass(frozen=True)
class LeadRecord:
    """A leads record, typed. ``problem`` is set when the record is ``invalid_record``."""

    sync_name: str
    mailing_list: str
    source_org_id: str
    source_id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    attributes: dict[str, t.Any] | None = None
    source_system: str | None = None
    source_modified_at: dt.datetime | None = None
    deleted: bool = False
    problem: str | None = None


def check_leads_schema(stream_name: str, schema: dict[str, t.Any]) -> None:
    """Refuse a ``leads`` SCHEMA that lacks the fields the target needs (one clear error)."""
    missing = REQUIRED_SCHEMA_PROPERTIES - set(schema.get("properties", {}))
    if missing:
        msg = (
            f"The SCHEMA of stream '{stream_name}' lacks {sorted(missing)}: the target needs "
            "the leads contract (email, sync_name, mailing_list, source_org_id, source_id, ...). "
            "Is the map-marketing-leads mapper in the pipeline?"
        )
        raise LeadInputError(msg)


def _required_text(record: dict[str, t.Any], field: str, what: str) -> str:
    value = record.get(field)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        msg = (
            f"A 'leads' record has no {field} (got {value!r}): every lead must name {what}. "
            f"Record keys: {sorted(record)}"
        )
        raise LeadInputError(msg)
    return str(value)


def parse_timestamp(value: str) -> dt.datetime:
    """Parse an RFC 3339 / ISO 8601 timestamp to an aware UTC datetime (naive means UTC)."""
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def parse_lead(record: dict[str, t.Any]) -> LeadRecord:
    """Type one ``leads`` record; raise :class:`LeadInputError` when it cannot be attributed."""
    sync_name = _required_text(record, "sync_name", "the sync it belongs to")
    mailing_list = _required_text(record, "mailing_list", "the mailing list it joins")
    org = _required_text(record, "source_org_id", "its source organization")
    source_id = _required_text(record, "source_id", "its source contact id")

    problems: list[str] = []

    def text(field: str) -> str | None:
        value = record.get(field)
        if value is None or isinstance(value, str):
            return value
        problems.append(f"{field} must be a string or null, got {type(value).__name__}")
        return None

    email = text("email")
    first_name = text("first_name")
    last_name = text("last_name")
    source_system = text("source_system")
    attributes = record.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        problems.append(f"attributes must be an object or null, got {type(attributes).__name__}")
        attributes = None
    modified_at = None
    modified_raw = text("source_modified_at")
    if modified_raw:
        try:
            modified_at = parse_timestamp(modified_raw)
        except ValueError:
            problems.append(f"source_modified_at is not a date-time: {modified_raw!r}")
    deleted_raw = record.get("_sdc_deleted_at")
    if deleted_raw is not None and not isinstance(deleted_raw, str):
        problems.append(
            f"_sdc_deleted_at must be a string or null, got {type(deleted_raw).__name__}"
        )
        deleted_raw = None

    return LeadRecord(
        sync_name=sync_name,
        mailing_list=mailing_list,
        source_org_id=org,
        source_id=source_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        attributes=attributes,
        source_system=source_system,
        source_modified_at=modified_at,
        deleted=bool(deleted_raw),
        problem="; ".join(problems) or None,
    )
