"""Paging through Zoho's page_context, the query the tap sends, and how errors end a run."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_zoho_invoice.errors import UnknownOrganization
from tap_zoho_invoice.tap import TapZohoInvoice
from tests.tap.conftest import API, contact, records, serve_contacts


def test_pages_until_has_more_page_is_false_with_the_documented_query(zoho, run_tap):
    rows = [contact(str(i), f"2026-01-{i:02d}T10:00:00+0000") for i in range(1, 8)]
    serve_contacts(zoho, rows, per_page=3)
    messages, _ = run_tap({"page_size": 3})
    assert [r["contact_id"] for r in records(messages)] == [str(i) for i in range(1, 8)]
    calls = [r for r in zoho.request_history if r.url.startswith(f"{API}/contacts")]
    # After page 1 the list is counted for the progress estimate (pages 2 and 4 by doubling,
    # then 3 by bisecting: the last page), then the sync reads pages 2 and 3.
    assert [r.qs["page"][0] for r in calls] == ["1", "2", "4", "3", "2", "3"]
    assert all(r.qs == calls[0].qs | {"page": r.qs["page"]} for r in calls)
    first = calls[0]
    assert first.qs["filter_by"] == ["status.all"]  # requests-mock lower-cases query values
    assert first.qs["sort_column"] == ["last_modified_time"]
    assert first.qs["sort_order"] == ["a"]
    assert first.qs["per_page"] == ["3"]
    assert first.qs["organization_id"] == ["111"]
    assert first.headers["X-com-zoho-invoice-organizationid"] == "111"


def test_every_record_carries_its_organization(zoho, run_tap):
    serve_contacts(zoho, [contact("1", "2026-01-01T10:00:00+0000")])
    messages, _ = run_tap({"organization_ids": ["111", "222"]})
    assert sorted(r["organization_id"] for r in records(messages)) == ["111", "222"]


def test_unknown_organization_is_one_clear_error(zoho, run_tap):
    zoho.get(
        f"{API}/contacts",
        status_code=400,
        json={"code": 6041, "message": "This user is not associated with the CompanyID:999."},
    )
    with pytest.raises(UnknownOrganization, match="fix `organization_ids`"):
        run_tap({"organization_ids": ["999"]})


def test_server_errors_are_retried(zoho, run_tap):
    ok = {
        "json": {
            "code": 0,
            "contacts": [contact("1", "2026-01-01T10:00:00+0000")],
            "page_context": {"page": 1, "has_more_page": False},
        }
    }
    zoho.get(
        f"{API}/contacts",
        [{"status_code": 503, "json": {"code": 1000, "message": "Internal error"}}] * 2 + [ok],
    )
    messages, _ = run_tap()
    assert len(records(messages)) == 1


def test_other_client_errors_fail_without_retry(zoho, run_tap):
    zoho.get(f"{API}/contacts", status_code=404, json={"code": 5, "message": "Invalid URL"})
    with pytest.raises(FatalAPIError, match="404"):
        run_tap()
    assert len([r for r in zoho.request_history if r.url.startswith(f"{API}/contacts")]) == 1


def test_rate_limit_waits_for_retry_after(zoho, run_tap, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    ok = {
        "json": {
            "code": 0,
            "contacts": [contact("1", "2026-01-01T10:00:00+0000")],
            "page_context": {"page": 1, "has_more_page": False},
        }
    }
    limited = {
        "status_code": 429,
        "headers": {"Retry-After": "7"},
        "json": {"code": 44, "message": "exceeded the maximum number of requests per minute"},
    }
    zoho.get(f"{API}/contacts", [limited, ok])
    messages, _ = run_tap()
    assert len(records(messages)) == 1
    assert 7.0 in waits


def test_daily_quota_stops_the_organization_with_its_bookmark(zoho, run_tap):
    first_page = {
        "json": {
            "code": 0,
            "contacts": [
                contact("1", "2026-01-01T10:00:00+0000"),
                contact("2", "2026-01-02T10:00:00+0000"),
            ],
            "page_context": {"page": 1, "has_more_page": True},
        }
    }
    quota = {
        "status_code": 429,
        "json": {"code": 45, "message": "exceeded the maximum call rate limit of 1000."},
    }
    zoho.get(f"{API}/contacts", [first_page, quota])
    messages, state = run_tap()
    assert [r["contact_id"] for r in records(messages)] == ["1", "2"]
    partition = state["bookmarks"]["contacts"]["partitions"][0]
    assert partition["replication_key_value"] == "2026-01-02T10:00:00.000000+00:00"
    # Page 1, the count probe of page 2 (refused: no estimate, page 1 still emitted), page 2.
    calls = [r for r in zoho.request_history if r.url.startswith(f"{API}/contacts")]
    assert [r.qs["page"][0] for r in calls] == ["1", "2", "2"]


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("page_size", 500, "500 is greater than the maximum of 200 in config['page_size']"),
        ("page_size", 0, "0 is less than the minimum of 1 in config['page_size']"),
        ("max_requests_per_minute", -1, "-1 is less than the minimum of 0"),
    ],
)
def test_bounds_declared_in_the_setting_types_raise_one_clear_error(
    setting: str, value: int, problem: str
) -> None:
    from singer_sdk.exceptions import ConfigValidationError

    config = {"client_id": "a", "client_secret": "b", "refresh_token": "c", setting: value}
    with pytest.raises(ConfigValidationError) as raised:
        TapZohoInvoice(config=config)
    assert len(raised.value.errors) == 1
    assert problem in raised.value.errors[0]
