"""The fields an update changes, before and after: what a dry run shows a marketer before it is
applied, and what ``lead_outcomes.changes`` keeps of every applied update.

Names: ``first_name``, ``last_name``, and ``attributes.<key>`` for each attribute (so an attribute
called ``first_name`` cannot pass for the field). An attribute present on one side only is
``None`` on the other, as a missing attribute and a null one read the same in every list tool.
"""

from __future__ import annotations

import typing as t

Changes = dict[str, dict[str, t.Any]]
"""``{"field": {"before": old, "after": new}}`` for every field that differs."""


class LeadFields(t.Protocol):
    """The mapped fields of a lead: a stored lead, or an incoming record."""

    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def attributes(self) -> dict[str, t.Any] | None: ...


def lead_changes(before: LeadFields, after: LeadFields) -> Changes | None:
    """The fields that differ between ``before`` and ``after``; None when none does."""
    changes: Changes = {}
    for name in ("first_name", "last_name"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = {"before": old, "after": new}
    old_attributes = before.attributes or {}
    new_attributes = after.attributes or {}
    if old_attributes != new_attributes:
        for key in sorted(old_attributes.keys() | new_attributes.keys()):
            old, new = old_attributes.get(key), new_attributes.get(key)
            if old != new:
                changes[f"attributes.{key}"] = {"before": old, "after": new}
    return changes or None
