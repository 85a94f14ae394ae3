"""The record rule's speed path: plain records recognised with a few string operations.

Most records are plain: every text short ASCII, ``attributes`` a flat object of strings.
:func:`parse_plain_lead` recognises them over the record's text joined once; every other record
takes the reference rule, :func:`target_marketing_leads.validation.parse_lead`, whose
field-by-field checks name the problem. Both give the same result:
``tests/target/fast_paths/test_plain_record.py``.
"""

from __future__ import annotations

import typing as t

from leads_contract import MEETS_CRITERIA
from singer_input.instants import parse_instant
from target_marketing_leads.validation import (
    FIELD_WIDTHS,
    MAX_EMAIL_LENGTH,
    MAX_TEXT_LENGTH,
    LeadRecord,
    parse_lead,
)

_TEXT_OR_NONE = frozenset({str, type(None)})
_SHORT_WIDTH = min(FIELD_WIDTHS.values())
"""Identity and system fields this short fit every run, identity and system column."""


def parse_lead_fast(record: dict[str, t.Any]) -> LeadRecord:
    """:func:`~target_marketing_leads.validation.parse_lead`, faster for plain records."""
    return parse_plain_lead(record) or parse_lead(record)


def parse_plain_lead(record: dict[str, t.Any]) -> LeadRecord | None:
    """The :class:`LeadRecord` of a record every check passes at a glance, else None.

    At a glance: the run and identity fields are non-blank strings, every optional field a
    string or null, ``attributes`` null or an object of strings, ``meets_criteria`` a boolean or
    null; all that text joined is ASCII
    (so no lone surrogate) without NUL and at most :data:`MAX_TEXT_LENGTH` long (so no name or
    attribute is too long), the identity and system fields fit the narrowest column, the email
    :data:`MAX_EMAIL_LENGTH`, and ``source_modified_at`` parses. None says "look closer", never
    "bad": :func:`~target_marketing_leads.validation.parse_lead` decides.
    """
    get: t.Callable[[str], t.Any] = record.get  # values of unknown type until checked here
    sync_name = get("sync_name")
    mailing_list = get("mailing_list")
    org = get("source_org_id")
    source_id = get("source_id")
    email = get("email")
    first_name = get("first_name")
    last_name = get("last_name")
    source_system = get("source_system")
    modified_raw = get("source_modified_at")
    deleted_raw = get("_sdc_deleted_at")
    attributes = get("attributes")
    meets_criteria = get(MEETS_CRITERIA)
    if meets_criteria is not None and meets_criteria is not True and meets_criteria is not False:
        return None
    optional = (email, first_name, last_name, source_system, modified_raw, deleted_raw)
    if not _TEXT_OR_NONE.issuperset(map(type, optional)):
        return None
    try:
        text = "".join((sync_name, mailing_list, org, source_id, *filter(None, optional)))
        if attributes is not None:
            if type(attributes) is not dict:
                return None
            text += "".join(attributes) + "".join(attributes.values())
    except TypeError:  # a run or identity field, or an attribute, that is not a string
        return None
    if not (
        text.isascii()
        and "\x00" not in text
        and len(text) <= MAX_TEXT_LENGTH
        and max(len(org), len(source_id), len(sync_name), len(mailing_list)) <= _SHORT_WIDTH
        and (source_system is None or len(source_system) <= _SHORT_WIDTH)
        and (email is None or len(email) <= MAX_EMAIL_LENGTH)
        and sync_name.strip()
        and mailing_list.strip()
        and org.strip()
        and source_id.strip()
    ):
        return None
    modified_at = None
    if modified_raw:
        try:
            modified_at = parse_instant(modified_raw)
        except ValueError:
            return None
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
        not_matching=meets_criteria is False,
    )
