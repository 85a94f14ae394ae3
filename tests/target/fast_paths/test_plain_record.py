"""``parse_lead_fast``'s plain-record fast path gives exactly the field-by-field result.

``parse_plain_lead`` may only say "plain, here is the record" or "look closer" (None); the
checked path is the reference. Hypothesis mixes plain values with every kind of text and type
the policy of :mod:`target_marketing_leads.validation` cares about.
"""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from target_marketing_leads.errors import LeadInputError
from target_marketing_leads.fast_paths.plain_record import parse_lead_fast, parse_plain_lead
from target_marketing_leads.validation import MAX_EMAIL_LENGTH, MAX_TEXT_LENGTH, parse_lead

TRICKY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "plain",
        "ann@example.com",
        "a\x00b",
        "\ud800",
        "Zoë",
        "\u202eevil",
        "x" * 65,
        "x" * 256,
        "x" * (MAX_EMAIL_LENGTH + 1),
        "y" * (MAX_TEXT_LENGTH + 1),
        "2026-06-09T17:15:06.000000+00:00",
        "2026-06-09T17:15:06Z",
        "not a date",
    ]
)
ANY_VALUE = st.one_of(
    st.none(),
    TRICKY_TEXT,
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.just([]),
    st.just({}),
    st.lists(st.text(max_size=3), max_size=2),
)
ATTRIBUTES = st.one_of(
    st.none(),
    st.dictionaries(st.text(max_size=8), TRICKY_TEXT, max_size=3),
    st.dictionaries(st.text(max_size=8), ANY_VALUE, max_size=3),
    st.dictionaries(st.just("deep"), st.dictionaries(st.just("x"), TRICKY_TEXT), max_size=1),
    st.just("not an object"),
)
FIELDS = (
    "email",
    "first_name",
    "last_name",
    "source_system",
    "source_modified_at",
    "_sdc_deleted_at",
    "sync_name",
    "mailing_list",
    "source_org_id",
    "source_id",
    "meets_criteria",
)


def plain_record() -> dict[str, t.Any]:
    return {
        "email": "First.Last@example.com",
        "first_name": "First",
        "last_name": "Last",
        "attributes": {"company_name": "Company", "city": "Berlin"},
        "mailing_list": "Newsletter",
        "sync_name": "daily",
        "source_system": "zoho_invoice",
        "source_org_id": "10234695",
        "source_id": "460000000000",
        "source_modified_at": "2026-06-09T17:15:06.000000+00:00",
        "_sdc_deleted_at": None,
    }


def checked(record: dict[str, t.Any]) -> t.Any:
    try:
        return parse_lead(record)
    except LeadInputError as exc:
        return ("stops the run", str(exc))


@settings(max_examples=400, deadline=None)
@given(
    changes=st.dictionaries(st.sampled_from(FIELDS), st.one_of(TRICKY_TEXT, ANY_VALUE)),
    attributes=ATTRIBUTES,
    dropped=st.sets(st.sampled_from(FIELDS)),
)
def test_fast_path_agrees_with_the_checked_path(
    changes: dict[str, t.Any], attributes: t.Any, dropped: set[str]
) -> None:
    record = {**plain_record(), **changes, "attributes": attributes}
    for name in dropped:
        record.pop(name, None)
    fast = parse_plain_lead(record)
    if fast is not None:
        assert fast == checked(record)
        assert fast.problem is None


def test_a_plain_record_takes_the_fast_path() -> None:
    lead = parse_plain_lead(plain_record())
    assert lead is not None
    assert lead == parse_lead(plain_record())
    assert lead.source_modified_at is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "a\x00b"),
        ("last_name", "\ud800"),
        ("email", "x" * (MAX_EMAIL_LENGTH + 1)),
        ("source_modified_at", "not a date"),
        ("source_id", 460000000000),
        ("first_name", 7),
        ("attributes", {"k": {"nested": "v"}}),
        ("attributes", {"k": "\x00"}),
        ("meets_criteria", "no"),
        ("meets_criteria", 0),
    ],
)
def test_anything_not_plain_is_left_to_the_checked_path(field: str, value: t.Any) -> None:
    record = {**plain_record(), field: value}
    assert parse_plain_lead(record) is None
    assert parse_lead_fast(record) == parse_lead(record)
