"""Deletion detection: a complete id scan against the ids synced before, kept compact in state."""

from __future__ import annotations

import random

from tap_zoho_invoice.id_set import decode_ids, encode_ids
from tests.tap.conftest import API, contact, records, serve_contacts

ON = {"detect_deletions": True}


def tombstones(messages):
    return [r for r in records(messages) if r.get("_sdc_deleted_at")]


def test_first_run_remembers_ids_and_deletes_nothing(zoho, run_tap):
    serve_contacts(zoho, [contact(str(i), f"2026-01-0{i}T00:00:00+0000") for i in range(1, 5)])
    messages, state = run_tap(ON)
    assert tombstones(messages) == []
    partition = state["bookmarks"]["contacts"]["partitions"][0]
    assert decode_ids(partition["synced_contact_ids"]) == {"1", "2", "3", "4"}


def test_contacts_gone_from_a_complete_scan_leave_as_tombstones(zoho, run_tap):
    rows = [contact(str(i), f"2026-01-0{i}T00:00:00+0000") for i in range(1, 6)]
    serve_contacts(zoho, rows)
    _, state = run_tap(ON)
    serve_contacts(zoho, [rows[0], rows[2]])  # 2, 4 and 5 were deleted in Invoice
    messages, new_state = run_tap(ON, state=state)
    gone = tombstones(messages)
    assert sorted(t["contact_id"] for t in gone) == ["2", "4", "5"]
    assert all(t["organization_id"] == "111" for t in gone)
    partition = new_state["bookmarks"]["contacts"]["partitions"][0]
    assert decode_ids(partition["synced_contact_ids"]) == {"1", "3"}
    # Tombstones do not move the bookmark.
    assert partition["replication_key_value"] == "2026-01-05T00:00:00.000000+00:00"


def test_a_scan_cut_short_deletes_nothing(zoho, run_tap):
    rows = [contact(str(i), f"2026-01-0{i}T00:00:00+0000") for i in range(1, 4)]
    serve_contacts(zoho, rows)
    _, state = run_tap(ON)

    ok = {"json": {"code": 0, "contacts": [], "page_context": {"page": 1, "has_more_page": False}}}
    scan_first_page = {
        "json": {
            "code": 0,
            "contacts": [rows[0]],
            "page_context": {"page": 1, "has_more_page": True},
        }
    }
    quota = {"status_code": 429, "json": {"code": 45, "message": "daily limit"}}
    zoho.get(f"{API}/contacts", [ok, scan_first_page, quota])
    messages, new_state = run_tap(ON, state=state)
    assert tombstones(messages) == []
    partition = new_state["bookmarks"]["contacts"]["partitions"][0]
    assert decode_ids(partition["synced_contact_ids"]) == {"1", "2", "3"}


def test_id_set_round_trips_and_stays_small_for_100k_contacts():
    rng = random.Random(7)
    ids = {str(260815000000000000 + rng.randrange(10**12)) for _ in range(100_000)}
    encoded = encode_ids(ids)
    assert decode_ids(encoded) == ids
    assert len(encoded) < 700_000  # a JSON list of the same ids is about 2.2 MB
    odd = {"abc", "0012", "x-1"}
    assert decode_ids(encode_ids(odd)) == odd


def test_ids_synced_by_a_run_cut_short_are_remembered_for_later_scans(zoho, run_tap):
    rows = [contact(str(i), f"2026-01-0{i}T00:00:00+0000") for i in range(1, 5)]
    first_page = {
        "json": {
            "code": 0,
            "contacts": rows[:2],
            "page_context": {"page": 1, "has_more_page": True},
        }
    }
    quota = {"status_code": 429, "json": {"code": 45, "message": "daily limit"}}
    zoho.get(f"{API}/contacts", [first_page, quota])  # the count probe, then page 2, refused
    messages, state = run_tap(ON)
    assert [r["contact_id"] for r in records(messages)] == ["1", "2"]
    partition = state["bookmarks"]["contacts"]["partitions"][0]
    assert decode_ids(partition["synced_contact_ids"]) == {"1", "2"}

    serve_contacts(zoho, rows)
    _, state = run_tap(ON, state=state)  # the catch-up completes; its scan sees all four
    serve_contacts(zoho, rows[1:])  # 1, synced by the run cut short, is deleted in Invoice
    messages, _ = run_tap(ON, state=state)
    assert [t["contact_id"] for t in tombstones(messages)] == ["1"]
