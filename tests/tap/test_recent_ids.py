"""The bounded memory that drops repeats between neighbouring pages."""

from __future__ import annotations

from tap_zoho_invoice.recent_ids import RecentIds


def test_remembers_the_last_ids_only():
    recent = RecentIds(size=3)
    for item in ["a", "b", "c", "d"]:
        recent.add(item)
    assert "a" not in recent
    assert all(item in recent for item in ["b", "c", "d"])


def test_adding_a_known_id_keeps_one_copy():
    recent = RecentIds(size=2)
    recent.add("a")
    recent.add("a")
    recent.add("b")
    assert "a" in recent
    assert "b" in recent
