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
- ``meets_criteria: false`` marks a leaving record (:attr:`LeadRecord.not_matching`); absent,
  null or true: the contact meets the criteria. Any other value is ``invalid_record``.

Text the store cannot hold, or should not (hostile input, ``tests/fuzz``):

- U+0000 (NUL) or a lone surrogate (``"\\ud800"`` is valid JSON, but not Unicode) in any text:
  PostgreSQL refuses both in ``text`` and ``jsonb``, UTF-8 cannot encode a surrogate. In
  ``email``, ``first_name``, ``last_name``, ``source_system`` or anywhere in ``attributes`` (keys
  included): ``invalid_record``. In a run or identity field: the run stops (one clear error).
- Over-long text: ``email`` longer than :data:`MAX_EMAIL_LENGTH` (no deliverable address is
  longer; email-validator already rejects more than 254), a name or any string of
  ``attributes`` longer than :data:`MAX_TEXT_LENGTH`, all strings of ``attributes`` together
  longer than :data:`MAX_ATTRIBUTES_LENGTH`, or ``attributes`` nested deeper than
  :data:`MAX_ATTRIBUTES_DEPTH`: ``invalid_record``. A run or identity field longer than its
  column: the run stops. So a 10 MB name is neither stored nor allowed to slow the run down.
- The stored outcome of such a record keeps no email (only valid, storable values are
  stored); its ``detail`` names the field and quotes the start of the value, escaped.
- Everything else (SQL or shell metacharacters, right-to-left marks, joiners, homographs)
  is plain data: stored verbatim through bound parameters when the email is valid, or ignored
  with the reason email-validator gives.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t

import sqlalchemy as sa

from lead_store import schema as store_schema
from leads_contract import MEETS_CRITERIA
from singer_input.instants import parse_instant
from singer_input.text import EXCERPT, excerpt
from target_marketing_leads.errors import LeadInputError


def _width(column: sa.Column[t.Any]) -> int:
    length = getattr(column.type, "length", None)
    if not isinstance(length, int):
        msg = f"column {column} has no length"
        raise TypeError(msg)
    return length


FIELD_WIDTHS: dict[str, int] = {
    "sync_name": _width(store_schema.runs.c.sync_name),
    "mailing_list": _width(store_schema.mailing_lists.c.name),
    "source_org_id": _width(store_schema.leads.c.source_org_id),
    "source_id": _width(store_schema.leads.c.source_id),
    "source_system": _width(store_schema.leads.c.source_system),
}
"""Widths of the store's columns for run, identity and system fields (one source of truth)."""
MAX_EMAIL_LENGTH = _width(store_schema.lead_outcomes.c.email)
"""320: RFC 3696's upper bound and the width of the email columns."""
MAX_TEXT_LENGTH = 10_000
"""Longest first_name, last_name or string inside attributes; Zoho's own fields are far shorter."""
MAX_ATTRIBUTES_LENGTH = 100_000
"""Longest total of every string (keys included) inside one record's attributes."""
MAX_ATTRIBUTES_DEPTH = 32
"""Deepest nesting of objects and arrays inside attributes."""

_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str, limit: int) -> str | None:
    """Why the store cannot or should not hold ``text``, or None when it can."""
    if len(text) > limit:
        return f"is {len(text)} characters long (at most {limit})"
    found = _UNSTORABLE_CHARACTER.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains U+0000 (NUL), which the store cannot hold"
    return f"contains a lone surrogate U+{ord(found.group()):04X} (not valid Unicode)"


def attributes_problem(attributes: dict[str, t.Any]) -> str | None:
    """Why ``attributes`` cannot be stored (bad text, too long, too deep), or None."""
    total = 0
    stack: list[tuple[str, t.Any, int]] = [("attributes", attributes, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_ATTRIBUTES_DEPTH:
                return f"{path} is nested more than {MAX_ATTRIBUTES_DEPTH} levels deep"
            for key, item in value.items():
                problem = text_problem(key, MAX_TEXT_LENGTH)
                if problem:
                    return f"a key of {path} {problem}: {excerpt(key)}"
                total += len(key)
                stack.append((f"{path}.{key}" if len(key) <= EXCERPT else path, item, depth + 1))
        elif isinstance(value, list):
            if depth >= MAX_ATTRIBUTES_DEPTH:
                return f"{path} is nested more than {MAX_ATTRIBUTES_DEPTH} levels deep"
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            problem = text_problem(value, MAX_TEXT_LENGTH)
            if problem:
                return f"{path} {problem}: {excerpt(value)}"
            total += len(value)
        if total > MAX_ATTRIBUTES_LENGTH:
            return f"attributes hold more than {MAX_ATTRIBUTES_LENGTH} characters of text"
    return None


class LeadRecord(t.NamedTuple):
    """A leads record, typed. ``problem`` is set when the record is ``invalid_record``.

    A named tuple: one is made per record, and a frozen dataclass costs several times more.
    """

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
    not_matching: bool = False
    """``meets_criteria: false``: the contact no longer meets the sync's criteria (leaving)."""


def _required_text(record: dict[str, t.Any], field: str, what: str) -> str:
    value = record.get(field)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        msg = (
            f"A 'leads' record has no {field} (got {excerpt(value)}): every lead must name "
            f"{what}. Record keys: {excerpt(sorted(record))}"
        )
        raise LeadInputError(msg)
    text = str(value)
    problem = text_problem(text, FIELD_WIDTHS[field])
    if problem:
        msg = f"A 'leads' record's {field} {problem}: {excerpt(text)}. It names {what}."
        raise LeadInputError(msg)
    return text


def parse_run(sync_name: t.Any, mailing_list: t.Any) -> tuple[str, str]:
    """A run's (sync_name, mailing_list) named outside a record (a SCHEMA that pins them).

    Raise :class:`LeadInputError` on a value no record could carry either.
    """
    fields = {"sync_name": sync_name, "mailing_list": mailing_list}
    return (
        _required_text(fields, "sync_name", "the sync it belongs to"),
        _required_text(fields, "mailing_list", "the mailing list it joins"),
    )


def parse_lead(record: dict[str, t.Any]) -> LeadRecord:
    """Type one ``leads`` record, field by field, naming which field breaks which rule.

    Raise :class:`LeadInputError` when the record cannot be attributed to a run or a contact.
    """
    sync_name = _required_text(record, "sync_name", "the sync it belongs to")
    mailing_list = _required_text(record, "mailing_list", "the mailing list it joins")
    org = _required_text(record, "source_org_id", "its source organization")
    source_id = _required_text(record, "source_id", "its source contact id")

    problems: list[str] = []

    def text(field: str, limit: int | None = None) -> str | None:
        value = record.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            problems.append(f"{field} must be a string or null, got {type(value).__name__}")
            return None
        problem = text_problem(value, limit) if limit is not None else None
        if problem:
            problems.append(f"{field} {problem}: {excerpt(value)}")
            return None
        return value

    email = text("email", MAX_EMAIL_LENGTH)
    first_name = text("first_name", MAX_TEXT_LENGTH)
    last_name = text("last_name", MAX_TEXT_LENGTH)
    source_system = text("source_system", FIELD_WIDTHS["source_system"])
    attributes = record.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        problems.append(f"attributes must be an object or null, got {type(attributes).__name__}")
        attributes = None
    if attributes:
        problem = attributes_problem(attributes)
        if problem:
            problems.append(problem)
            attributes = None
    modified_at = None
    modified_raw = text("source_modified_at")
    if modified_raw:
        try:
            modified_at = parse_instant(modified_raw)
        except ValueError:
            problems.append(f"source_modified_at is not a date-time: {excerpt(modified_raw)}")
    deleted_raw = record.get("_sdc_deleted_at")
    if deleted_raw is not None and not isinstance(deleted_raw, str):
        problems.append(
            f"_sdc_deleted_at must be a string or null, got {type(deleted_raw).__name__}"
        )
        deleted_raw = None
    meets_criteria = record.get(MEETS_CRITERIA)
    if meets_criteria is not None and not isinstance(meets_criteria, bool):
        problems.append(
            f"{MEETS_CRITERIA} must be a boolean or null, got {type(meets_criteria).__name__}"
        )
        meets_criteria = None

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
        not_matching=meets_criteria is False,
    )
