"""`contact_filters`: Zoho's list-search parameters on every incremental list request, checked
at start, never on the deletion scan, and a re-read when they widen."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_zoho_invoice import filters
from tap_zoho_invoice.tap import TapZohoInvoice
from tests.tap.conftest import API, contact, records, serve_contacts

INDIA = {"contact_filters": {"address_contains": "India"}}


def list_calls(zoho) -> list:
    return [r for r in zoho.request_history if r.path.endswith("/contacts")]


def test_unknown_keys_stop_the_tap_at_start_with_one_line_listing_the_valid_ones() -> None:
    config = {
        "client_id": "a",
        "client_secret": "b",
        "refresh_token": "",
        "contact_filters": {"country": "India", "address_contains": "India", "page": "2"},
    }
    with pytest.raises(ConfigValidationError) as raised:
        TapZohoInvoice(config=config)
    assert len(raised.value.errors) == 1
    line = raised.value.errors[0]
    assert "\n" not in line
    assert "unknown key(s) country, page;" in line
    assert all(key in line for key in filters.VALID_KEYS)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"filter_by": "Status.Vendors"}, "must be one of Status.All, Status.Active"),
        ({"address_contains": 5}, "`contact_filters.address_contains` must be text"),
        ({"email_contains": "x" * 101}, "longer than Zoho's 100 characters"),
        (["address_contains"], "must be an object"),
    ],
)
def test_bad_values_are_one_clear_line(value: object, problem: str) -> None:
    found = filters.problem(value)
    assert found is not None and problem in found


def test_valid_filters_pass_and_an_empty_value_leaves_its_key_out() -> None:
    chosen = {"address_contains": "India", "filter_by": "Status.Active", "email": ""}
    assert filters.problem(chosen) is None
    assert filters.list_params(chosen) == {
        "address_contains": "India",
        "filter_by": "Status.Active",
    }
    assert filters.list_params(None) == {"filter_by": "Status.All"}


def test_filters_go_with_every_incremental_list_request(zoho, run_tap) -> None:
    rows = [contact(str(i), f"2026-01-0{i}T10:00:00+0000") for i in range(1, 6)]
    serve_contacts(zoho, rows, per_page=2)
    messages, _ = run_tap({**INDIA, "page_size": 2})
    assert len(records(messages)) == 5
    calls = list_calls(zoho)
    assert len(calls) >= 3
    assert all(r.qs["address_contains"] == ["india"] for r in calls)  # requests-mock lowers
    assert all(r.qs["filter_by"] == ["status.all"] for r in calls)


def test_the_deletion_scan_never_uses_the_filters(zoho, run_tap) -> None:
    serve_contacts(zoho, [contact("1", "2026-01-01T10:00:00+0000")])
    run_tap({**INDIA, "detect_deletions": True})
    calls = list_calls(zoho)
    scan = [r for r in calls if r.qs["sort_column"] == ["created_time"]]
    incremental = [r for r in calls if r.qs["sort_column"] == ["last_modified_time"]]
    assert scan and incremental
    assert all("address_contains" not in r.qs for r in scan)
    assert all(r.qs["filter_by"] == ["status.all"] for r in scan)


def test_a_contact_that_left_the_filter_is_not_deleted(zoho, run_tap) -> None:
    india = contact("1", "2026-01-01T10:00:00+0000")
    serve_contacts(zoho, [india])
    _, state = run_tap({**INDIA, "detect_deletions": True})
    moved = contact("1", "2026-02-01T10:00:00+0000")  # now billed elsewhere: not in the filter

    def callback(request, context):
        listed = [moved] if "address_contains" not in request.qs else []
        return {"code": 0, "contacts": listed, "page_context": {"page": 1}}

    zoho.get(f"{API}/contacts", json=callback)
    messages, _ = run_tap({**INDIA, "detect_deletions": True}, state=state)
    assert [r for r in records(messages) if r.get("_sdc_deleted_at")] == []


def state_after(zoho, run_tap, config: dict) -> dict:
    serve_contacts(zoho, [contact(str(i), f"2026-01-0{i}T10:00:00+0000") for i in range(1, 4)])
    return run_tap(config)[1]


def test_widened_filters_read_the_organization_again_from_start_date(zoho, run_tap) -> None:
    state = state_after(zoho, run_tap, INDIA)
    messages, new_state = run_tap({"start_date": "2025-06-01T00:00:00Z"}, state=state)
    first = list_calls(zoho)[-1]
    assert first.qs["last_modified_time"] == ["2025-06-01t00:00:00+0000"]
    assert [r["contact_id"] for r in records(messages)] == ["1", "2", "3"]
    partition = new_state["bookmarks"]["contacts"]["partitions"][0]
    assert partition["contact_filters"] == "{}"
    assert partition["replication_key_value"] == "2026-01-03T10:00:00.000000+00:00"


def test_narrowed_filters_keep_the_bookmark(zoho, run_tap) -> None:
    state = state_after(zoho, run_tap, {})
    messages, _ = run_tap(INDIA, state=state)
    assert list_calls(zoho)[-1].qs["last_modified_time"] == ["2026-01-03t10:00:00+0000"]
    assert records(messages) == []  # the contact at the bookmark came already
