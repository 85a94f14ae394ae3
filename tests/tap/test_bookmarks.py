"""Bookmarks: one per organization, normalised to UTC, and never trusted to the server alone."""

from __future__ import annotations

from tap_zoho_invoice.timestamps import to_bookmark, to_zoho_param
from tests.tap.conftest import API, contact, records, serve_contacts


def test_zoho_offsets_become_one_utc_format():
    assert to_bookmark("2026-06-09T13:15:06-0400") == "2026-06-09T17:15:06.000000+00:00"
    assert to_bookmark("2026-06-09T22:45:06+0530") == "2026-06-09T17:15:06.000000+00:00"
    assert to_bookmark("2026-06-09T17:15:06Z") == "2026-06-09T17:15:06.000000+00:00"


def test_string_order_of_bookmarks_is_time_order_across_offsets():
    # 09:00Z is later than 10:00+02:00 (= 08:00Z); raw strings say the opposite.
    later, earlier = "2024-01-01T09:00:00Z", "2024-01-01T10:00:00+02:00"
    assert later < earlier
    assert to_bookmark(later) > to_bookmark(earlier)


def test_state_has_one_normalised_bookmark_per_organization(zoho, run_tap):
    serve_contacts(
        zoho,
        [contact("1", "2026-03-01T10:00:00+0530"), contact("2", "2026-03-02T10:00:00-0500")],
    )
    messages, state = run_tap({"organization_ids": ["111", "222"]})
    partitions = state["bookmarks"]["contacts"]["partitions"]
    assert sorted(p["context"]["organization_id"] for p in partitions) == ["111", "222"]
    assert {p["replication_key_value"] for p in partitions} == {"2026-03-02T15:00:00.000000+00:00"}
    assert records(messages)[0]["last_modified_time"] == "2026-03-01T04:30:00.000000+00:00"


def test_second_run_asks_from_the_bookmark_and_filters_what_the_server_ignores(zoho, run_tap):
    rows = [contact(str(i), f"2026-03-0{i}T10:00:00+0000") for i in range(1, 6)]
    serve_contacts(zoho, rows)  # this server ignores last_modified_time, like some Zoho APIs
    state = {
        "bookmarks": {
            "contacts": {
                "partitions": [
                    {
                        "context": {"organization_id": "111"},
                        "replication_key": "last_modified_time",
                        "replication_key_value": "2026-03-03T10:00:00.000000+00:00",
                    }
                ]
            }
        }
    }
    messages, new_state = run_tap(state=state)
    # The boundary record (== bookmark) comes once more; older ones never do.
    assert [r["contact_id"] for r in records(messages)] == ["3", "4", "5"]
    sent = next(r for r in zoho.request_history if r.url.startswith(f"{API}/contacts"))
    assert sent.qs["last_modified_time"] == ["2026-03-03t10:00:00+0000"]
    bookmark = new_state["bookmarks"]["contacts"]["partitions"][0]["replication_key_value"]
    assert bookmark == "2026-03-05T10:00:00.000000+00:00"


def test_start_date_limits_the_first_run(zoho, run_tap):
    serve_contacts(
        zoho, [contact("1", "2025-12-31T23:59:59+0000"), contact("2", "2026-01-01T00:00:00+0000")]
    )
    messages, _ = run_tap({"start_date": "2026-01-01T00:00:00Z"})
    assert [r["contact_id"] for r in records(messages)] == ["2"]


def test_a_record_repeated_on_the_next_page_is_emitted_once(zoho, run_tap):
    rows = [contact("1", "2026-01-01T10:00:00+0000"), contact("2", "2026-01-02T10:00:00+0000")]
    zoho.get(
        f"{API}/contacts",
        [
            {
                "json": {
                    "code": 0,
                    "contacts": rows,
                    "page_context": {"page": 1, "has_more_page": True},
                }
            },
            {
                "json": {
                    "code": 0,
                    "contacts": [rows[1], contact("3", "2026-01-03T10:00:00+0000")],
                    "page_context": {"page": 2, "has_more_page": False},
                }
            },
        ],
    )
    messages, _ = run_tap()
    assert [r["contact_id"] for r in records(messages)] == ["1", "2", "3"]


def test_zoho_query_timestamp_has_no_colon_in_the_offset():
    from tap_zoho_invoice.timestamps import parse_instant

    assert to_zoho_param(parse_instant("2026-03-03T10:00:00+05:30")) == "2026-03-03T04:30:00+0000"


def test_contacts_modified_during_the_run_do_not_move_the_bookmark(zoho, run_tap):
    # A row stamped after the run started may have shifted Zoho's offset pages under the tap.
    serve_contacts(
        zoho,
        [contact("1", "2026-01-01T10:00:00+0000"), contact("2", "2999-01-01T00:00:00+0000")],
    )
    messages, state = run_tap()
    assert [r["contact_id"] for r in records(messages)] == ["1", "2"]
    bookmark = state["bookmarks"]["contacts"]["partitions"][0]["replication_key_value"]
    assert bookmark == "2026-01-01T10:00:00.000000+00:00"


def test_contacts_emitted_at_the_bookmarks_instant_do_not_come_again(zoho, run_tap):
    rows = [
        contact("1", "2026-03-01T10:00:00+0000"),
        contact("2", "2026-03-02T10:00:00+0000"),
        contact("3", "2026-03-02T10:00:00+0000"),  # same second as 2: both at the bookmark
    ]
    serve_contacts(zoho, rows)
    _, state = run_tap()
    partition = state["bookmarks"]["contacts"]["partitions"][0]
    assert partition["ids_at_bookmark"] == ["2", "3"]
    # Next run: 2 unchanged, 4 new in the same second (it was not there to be read), 3 edited.
    rows = [rows[1], contact("4", "2026-03-02T10:00:00+0000"), contact("3", "2026-03-05T08:00:00Z")]
    serve_contacts(zoho, rows)
    messages, new_state = run_tap(state=state)
    assert [r["contact_id"] for r in records(messages)] == ["4", "3"]
    partition = new_state["bookmarks"]["contacts"]["partitions"][0]
    assert partition["ids_at_bookmark"] == ["3"]
