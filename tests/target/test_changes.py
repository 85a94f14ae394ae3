"""The per-lead field diff of an update (``lead_outcomes.changes``): a pure function."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from target_marketing_leads.changes import lead_changes


@dataclass
class Fields:
    first_name: str | None = "Ann"
    last_name: str | None = "Lee"
    attributes: dict[str, t.Any] | None = None


def test_nothing_changed_is_none() -> None:
    assert lead_changes(Fields(attributes={"a": 1}), Fields(attributes={"a": 1})) is None
    assert lead_changes(Fields(attributes=None), Fields(attributes={})) is None


def test_names_and_each_attribute_key_before_and_after() -> None:
    before = Fields(attributes={"company_name": "Acme", "city": "Pune", "gone": "x"})
    after = Fields(first_name="Anna", attributes={"company_name": "Beta", "city": "Pune", "new": 2})
    assert lead_changes(before, after) == {
        "first_name": {"before": "Ann", "after": "Anna"},
        "attributes.company_name": {"before": "Acme", "after": "Beta"},
        "attributes.gone": {"before": "x", "after": None},
        "attributes.new": {"before": None, "after": 2},
    }


def test_a_name_cleared_and_attributes_dropped() -> None:
    assert lead_changes(Fields(attributes={"a": "1"}), Fields(last_name=None)) == {
        "last_name": {"before": "Lee", "after": None},
        "attributes.a": {"before": "1", "after": None},
    }


def test_an_attribute_named_like_a_field_stays_apart() -> None:
    after = Fields(attributes={"first_name": "Bo"})
    assert lead_changes(Fields(), after) == {
        "attributes.first_name": {"before": None, "after": "Bo"}
    }
