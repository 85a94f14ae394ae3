"""Criteria: every operator, the comparison rules, all/any, and the config errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.criteria import OPERATORS, compile_criteria
from transforms.errors import MapperConfigError

# Hypothesis builds its Unicode tables on first use (slow on a fresh CI machine): not a test
# failure. No deadline either: CI boxes are slower than laptops.
robust = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


def holds(operator: str, value: Any, record: dict[str, Any], field: str = "f") -> bool:
    """Does a one-condition criteria on ``field`` hold for ``record``?"""
    condition = {"field": field, "operator": operator, "value": value}
    return compile_criteria({"conditions": [condition]}).matches(record)


# --- is / is_not ---


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("India", True),
        ("india", True),
        ("  INDIA  ", True),
        ("India\t\n", True),
        ("Indian", False),
        ("", False),
        (None, False),
    ],
)
def test_is_ignores_case_and_surrounding_space(stored: Any, expected: bool) -> None:
    assert holds("is", "India", {"f": stored}) is expected
    assert holds("is_not", "India", {"f": stored}) is not expected


def test_is_on_a_missing_field_is_false_and_is_not_true() -> None:
    assert holds("is", "India", {}) is False
    assert holds("is_not", "India", {}) is True


def test_is_compares_unicode_by_case_folding_and_normalisation() -> None:
    assert holds("is", "STRASSE", {"f": "straße"})
    assert holds("is", "ÉCOLE", {"f": "école"})
    # "é" precomposed (U+00E9) equals "e" + combining acute (U+0301) after NFC.
    assert holds("is", "caf\u00e9", {"f": "cafe\u0301"})
    assert holds("is", "भारत", {"f": " भारत "})
    assert not holds("is", "भारत", {"f": "India"})


def test_is_compares_numbers_numerically_when_one_side_is_a_json_number() -> None:
    assert holds("is", 5, {"f": Decimal("5.0")})
    assert holds("is", "5.0", {"f": 5})
    assert holds("is", 5, {"f": " 5 "})
    assert not holds("is", 5, {"f": "five"})


def test_is_compares_numeric_strings_as_text() -> None:
    """A zip code "01234" is not "1234": both sides are text, so no numeric comparison."""
    assert not holds("is", "1234", {"f": "01234"})
    assert holds("is", "01234", {"f": "01234"})


def test_is_compares_booleans_by_their_text() -> None:
    assert holds("is", "true", {"f": True})
    assert holds("is", False, {"f": False})
    assert not holds("is", 1, {"f": True})


def test_is_with_empty_text_matches_empty_fields() -> None:
    assert holds("is", "", {"f": "  "})
    assert holds("is", "", {})
    assert not holds("is", "", {"f": "x"})


# --- contains / does_not_contain / starts_with / ends_with ---


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    [
        ("contains", "gmail", "Asha@GMAIL.com", True),
        ("contains", "gmail", "asha@example.com", False),
        ("contains", "gmail", None, False),
        ("does_not_contain", "gmail", "asha@example.com", True),
        ("does_not_contain", "gmail", "asha@gmail.com", False),
        ("does_not_contain", "gmail", None, True),
        ("starts_with", "acme", "  ACME Corp", True),
        ("starts_with", "acme", "The Acme", False),
        ("starts_with", "acme", None, False),
        ("ends_with", ".IN", "asha@example.in ", True),
        ("ends_with", ".in", "asha@example.com", False),
        ("ends_with", ".in", "", False),
        ("contains", "straße", "Hauptstrasse 1", True),
        ("contains", 12, "Unit 12B", True),
    ],
)
def test_text_operators(operator: str, value: Any, stored: Any, expected: bool) -> None:
    assert holds(operator, value, {"f": stored}) is expected


# --- is_empty / is_not_empty ---


@pytest.mark.parametrize("stored", [None, "", "   ", "\u00a0\t", [], {}])
def test_is_empty_values(stored: Any) -> None:
    assert holds("is_empty", None, {"f": stored})
    assert not holds("is_not_empty", None, {"f": stored})


@pytest.mark.parametrize("stored", ["x", 0, False, Decimal("0"), ["a"], {"k": None}])
def test_is_not_empty_values(stored: Any) -> None:
    assert holds("is_not_empty", None, {"f": stored})
    assert not holds("is_empty", None, {"f": stored})


def test_is_empty_on_a_missing_field_and_a_missing_parent() -> None:
    assert holds("is_empty", None, {}, field="billing_address.country")
    assert holds("is_empty", None, {"billing_address": None}, field="billing_address.country")
    assert holds("is_empty", None, {"billing_address": "n/a"}, field="billing_address.country")


# --- in / not_in ---


def test_in_and_not_in() -> None:
    countries = ["India", "Sri Lanka", "Nepal"]
    assert holds("in", countries, {"f": " sri lanka"})
    assert not holds("in", countries, {"f": "Pakistan"})
    assert not holds("in", countries, {})
    assert holds("not_in", countries, {"f": "Pakistan"})
    assert holds("not_in", countries, {})
    assert not holds("not_in", countries, {"f": "NEPAL"})


def test_in_with_numbers() -> None:
    assert holds("in", [1, 2, 3], {"f": Decimal("2.00")})
    assert holds("in", [1, 2, 3], {"f": "3"})
    assert not holds("in", [1, 2, 3], {"f": 4})
    assert not holds("in", ["1", "2"], {"f": "01"})


# --- greater_than / less_than ---


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    [
        ("greater_than", 1000, 1200, True),
        ("greater_than", 1000, Decimal("1000.01"), True),
        ("greater_than", 1000, 1000, False),
        ("greater_than", "1000", " 1200.5 ", True),
        ("greater_than", 1000, "-3e4", False),
        ("greater_than", 999, "1e3", True),
        ("greater_than", 1000, "1,200", False),
        ("greater_than", 0, "", False),
        ("greater_than", 0, None, False),
        ("greater_than", 0, True, False),
        ("greater_than", 0, "NaN", False),
        ("greater_than", 0, "Infinity", False),
        ("greater_than", 0.1, 0.2, True),
        ("less_than", 0, -0.01, True),
        ("less_than", 0, 0, False),
        ("less_than", 10, "9", True),
        ("less_than", 10, "ten", False),
        ("less_than", 10, None, False),
        ("less_than", Decimal("0.3"), 0.1 + 0.2, False),
    ],
)
def test_number_operators(operator: str, value: Any, stored: Any, expected: bool) -> None:
    assert holds(operator, value, {"f": stored}) is expected


# --- before / after ---


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    [
        # 10:00+05:30 is 04:30Z, so it is before 05:00Z even though "10" > "05" as text.
        ("before", "2026-06-09T05:00:00Z", "2026-06-09T10:00:00+0530", True),
        ("after", "2026-06-09T05:00:00Z", "2026-06-09T10:00:00+0530", False),
        ("after", "2026-06-09T05:00:00Z", "2026-06-09T01:30:00-0400", True),
        ("before", "2026-06-09T17:15:06+00:00", "2026-06-09T17:15:06.000000+00:00", False),
        ("after", "2026-06-09", "2026-06-09T00:00:01Z", True),
        ("before", "2026-06-09", "2026-06-08T23:59:59.999999+00:00", True),
        # No offset reads as UTC: the bound is 2026-06-08T18:30Z.
        ("before", "2026-06-09T00:00:00+05:30", "2026-06-08T18:00:00", True),
        ("before", "2026-06-09T00:00:00+05:30", "2026-06-08T19:00:00", False),
        ("after", "2026-01-01T00:00:00Z", "09 Jun 2026", False),
        ("after", "2026-01-01T00:00:00Z", "", False),
        ("after", "2026-01-01T00:00:00Z", None, False),
        ("before", "2026-01-01T00:00:00Z", 20250101, False),
    ],
)
def test_date_operators(operator: str, value: str, stored: Any, expected: bool) -> None:
    assert holds(operator, value, {"f": stored}) is expected


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)


def zoho_format(moment: datetime) -> str:
    """Zoho's second-precision format with a colon-less offset, e.g. 2013-08-05T12:06:10+0530."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


@robust
@given(stored=instants, bound=instants)
def test_dates_compare_as_instants_across_offsets(stored: datetime, bound: datetime) -> None:
    stored, bound = stored.replace(microsecond=0), bound.replace(microsecond=0)
    record = {"f": zoho_format(stored)}
    assert holds("before", bound.isoformat(), record) is (stored < bound)
    assert holds("after", bound.isoformat(), record) is (stored > bound)


# --- all / any ---

INDIA = {"field": "country", "operator": "is", "value": "India"}
BIG = {"field": "amount", "operator": "greater_than", "value": 1000}


@pytest.mark.parametrize(
    ("record", "all_expected", "any_expected"),
    [
        ({"country": "India", "amount": 5000}, True, True),
        ({"country": "India", "amount": 10}, False, True),
        ({"country": "Kenya", "amount": 5000}, False, True),
        ({"country": "Kenya", "amount": 10}, False, False),
        ({}, False, False),
    ],
)
def test_match_all_and_any(record: dict, all_expected: bool, any_expected: bool) -> None:
    match_all = compile_criteria({"match": "all", "conditions": [INDIA, BIG]})
    match_any = compile_criteria({"match": "any", "conditions": [INDIA, BIG]})
    assert match_all.matches(record) is all_expected
    assert match_any.matches(record) is any_expected


@pytest.mark.parametrize(
    "criteria", [{"conditions": [INDIA, BIG]}, {"match": None, "conditions": [INDIA, BIG]}]
)
def test_match_defaults_to_all(criteria: dict) -> None:
    assert not compile_criteria(criteria).matches({"country": "India", "amount": 10})
    assert compile_criteria(criteria).matches({"country": "India", "amount": 1001})


def test_no_criteria_takes_every_record() -> None:
    assert compile_criteria(None).matches({})
    assert compile_criteria(None).fields == ()


def test_criteria_report_the_fields_they_read() -> None:
    criteria = compile_criteria({"conditions": [INDIA, {**BIG, "field": "totals.amount"}]})
    assert [(ref.setting, ref.path) for ref in criteria.fields] == [
        ("criteria.conditions[0].field", "country"),
        ("criteria.conditions[1].field", "totals.amount"),
    ]


# --- config errors ---


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            {"conditions": []},
            "criteria.conditions is empty: give at least one condition, "
            "or remove criteria to take every contact",
        ),
        (
            {"match": "all"},
            "criteria.conditions is empty: give at least one condition, "
            "or remove criteria to take every contact",
        ),
        (
            {"match": "most", "conditions": [INDIA]},
            "criteria.match must be 'all' or 'any', got 'most'",
        ),
        (
            {"conditions": [{"field": "country", "operator": "equals", "value": "India"}]},
            "criteria.conditions[0]: unknown operator 'equals'; use one of " + ", ".join(OPERATORS),
        ),
        (
            {"conditions": [INDIA, {"field": "", "operator": "is", "value": "x"}]},
            "criteria.conditions[1].field must be a field name, got ''",
        ),
        (
            {"conditions": [{"field": "a..b", "operator": "is", "value": "x"}]},
            "criteria.conditions[0].field has an empty part in field path 'a..b'",
        ),
        (
            {"conditions": ["country is India"]},
            "criteria.conditions[0] must be an object with field, operator and value",
        ),
        (
            {"conditions": [{"field": "f", "operator": "is", "value": ["India", "Nepal"]}]},
            "criteria.conditions[0]: operator 'is' needs a text or number value, "
            "got ['India', 'Nepal'] (use 'in' for a list)",
        ),
        (
            {"conditions": [{"field": "f", "operator": "is"}]},
            "criteria.conditions[0]: operator 'is' needs a text or number value, got None",
        ),
        (
            {"conditions": [{"field": "f", "operator": "in", "value": "India"}]},
            "criteria.conditions[0]: operator 'in' needs a non-empty list value, got 'India'",
        ),
        (
            {"conditions": [{"field": "f", "operator": "not_in", "value": []}]},
            "criteria.conditions[0]: operator 'not_in' needs a non-empty list value, got []",
        ),
        (
            {"conditions": [{"field": "f", "operator": "contains", "value": "  "}]},
            "criteria.conditions[0]: operator 'contains' needs a non-empty text value",
        ),
        (
            {"conditions": [{"field": "f", "operator": "greater_than", "value": "1,000"}]},
            "criteria.conditions[0]: operator 'greater_than' needs a number value, got '1,000'",
        ),
        (
            {"conditions": [{"field": "f", "operator": "before", "value": "next week"}]},
            "criteria.conditions[0]: operator 'before' needs an ISO 8601 date or date-time "
            "value, got 'next week'",
        ),
        (
            {"conditions": [{"field": "f", "operator": "is_empty", "value": "x"}]},
            "criteria.conditions[0]: operator 'is_empty' takes no value, got 'x'",
        ),
    ],
)
def test_config_errors_have_one_clear_line(criteria: dict, message: str) -> None:
    with pytest.raises(MapperConfigError) as caught:
        compile_criteria(criteria)
    assert str(caught.value) == message
    assert caught.value.errors == [message]


# --- never raise on records ---

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from(
        ["1,200", "1e999999", "-0", "2026-06-09T10:00:00+0530", "9999-12-31T23:59:59-1400"]
    )
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["country", "x", "f"]), children, max_size=3)
    ),
    max_leaves=8,
)
records = st.dictionaries(st.sampled_from(["f", "g", "billing_address"]), json_values, max_size=3)

VALID_VALUES = {
    "is": "India",
    "is_not": 0,
    "contains": "in",
    "does_not_contain": "ß",
    "starts_with": "i",
    "ends_with": "a",
    "is_empty": None,
    "is_not_empty": None,
    "in": ["India", 1, True],
    "not_in": ["x", Decimal("2.5")],
    "greater_than": 10,
    "less_than": "-1.5",
    "before": "2026-01-01T00:00:00+0530",
    "after": "2026-01-01",
}


def test_every_operator_has_a_never_raise_case() -> None:
    assert set(VALID_VALUES) == set(OPERATORS)


@robust
@given(record=records, match=st.sampled_from(["all", "any"]))
def test_criteria_never_raise_on_arbitrary_records(record: dict, match: str) -> None:
    conditions = [
        {"field": field, "operator": operator, "value": value}
        for operator, value in VALID_VALUES.items()
        for field in ("f", "billing_address.country")
    ]
    for condition in conditions:
        result = compile_criteria({"conditions": [condition]}).matches(record)
        assert isinstance(result, bool)
    assert isinstance(
        compile_criteria({"match": match, "conditions": conditions}).matches(record), bool
    )


@robust
@given(text=st.text(), padding=st.sampled_from(["", " ", "\t", "  \n"]))
def test_is_matches_the_same_text_with_padding(text: str, padding: str) -> None:
    if not text.strip():
        return
    assert holds("is", text, {"f": f"{padding}{text}{padding}"})


@robust
@given(text=st.text(alphabet=st.characters(max_codepoint=127), min_size=1).filter(str.strip))
def test_is_matches_ascii_text_in_any_case(text: str) -> None:
    assert holds("is", text, {"f": text.swapcase()})
    assert holds("contains", text, {"f": f"<<{text.upper()}>>"})


@robust
@given(number=st.decimals(allow_nan=False, allow_infinity=False, places=4), bound=st.integers())
def test_numbers_compare_the_same_as_numbers_or_as_plain_strings(
    number: Decimal, bound: int
) -> None:
    for stored in (number, str(number)):
        assert holds("greater_than", bound, {"f": stored}) is (number > bound)
        assert holds("less_than", bound, {"f": stored}) is (number < bound)
