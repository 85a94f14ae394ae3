"""The daily request budget: read Zoho's quota headers, stop before the organization's share."""

from __future__ import annotations

import logging

import pytest
import requests

from tap_zoho_invoice.quota import BudgetSpent, DailyBudget, QuotaReading
from tests.tap.conftest import API, contact, pages, records

LOG = logging.getLogger("test")


def quota_headers(limit: int, remaining: int) -> dict[str, str]:
    return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining)}


def answered(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.headers.update(headers)
    return response


def test_a_reading_comes_from_zohos_headers_and_may_be_negative() -> None:
    reading = QuotaReading.from_headers(
        requests.structures.CaseInsensitiveDict(
            {
                "X-Rate-Limit-Limit": "1000",
                "x-rate-limit-remaining": "-80",
                "x-rate-limit-reset": "3",
            }
        )
    )
    assert reading == QuotaReading(1000, -80, 3)
    assert reading.used == 1080
    assert QuotaReading.from_headers({"x-rate-limit-limit": "1000"}) is None
    assert QuotaReading.from_headers(quota_headers(1000, 1) | {"x-rate-limit-limit": "n/a"}) is None


@pytest.mark.parametrize(
    ("setting", "limit", "allowance"),
    [(None, 1000, 500), (None, 10_000, 5000), (300, 1000, 300), (5000, 1000, 1000), (None, 1, 0)],
)
def test_the_allowance_is_half_the_reported_limit_unless_set(
    setting: int | None, limit: int, allowance: int
) -> None:
    assert DailyBudget(setting, LOG).allowance(limit) == allowance


def test_a_request_is_refused_once_remaining_reaches_limit_minus_budget() -> None:
    budget = DailyBudget(300, LOG)
    budget.check("1")  # nothing reported yet: the first request reads the counters
    budget.observe("1", answered(quota_headers(1000, 702)))
    assert budget.left_today("1") == 2
    budget.check("1")
    budget.observe("1", answered(quota_headers(1000, 700)))  # another integration spent one
    assert budget.left_today("1") == 0
    with pytest.raises(BudgetSpent, match="300 of its 1,000 requests used today"):
        budget.check("1")
    budget.check("2")  # organizations are counted apart
    assert budget.sent == {"1": 2}


def test_missing_headers_are_said_once_and_do_not_stop_the_tap(
    caplog: pytest.LogCaptureFixture,
) -> None:
    budget = DailyBudget(None, LOG)
    for _ in range(3):
        budget.check("1")
        budget.observe("1", answered({}))
    warnings = [r for r in caplog.records if "cannot be enforced" in r.getMessage()]
    assert len(warnings) == 1
    assert budget.left_today("1") is None


def serve_with_quota(zoho, rows: list[dict], per_page: int, limit: int, used: int = 0) -> list:
    """Serve ``rows`` with Zoho's quota headers, counting every answered request."""
    responses = pages(rows, per_page)
    count = [used]

    def callback(request, context):
        count[0] += 1
        context.headers.update(quota_headers(limit, limit - count[0]))
        page = int(request.qs.get("page", ["1"])[0])
        if page > len(responses):
            return {"code": 0, "contacts": [], "page_context": {"page": page}}
        return responses[page - 1]["json"]

    zoho.get(f"{API}/contacts", json=callback)
    return count


def test_the_tap_stops_at_its_budget_with_its_bookmark_and_one_warning(
    zoho, run_tap, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [contact(str(i), f"2026-01-{i:02d}T10:00:00+0000") for i in range(1, 31)]
    # 30 contacts in pages of 2; 10 of the 40 requests a day for this tap: page 1, the
    # count of the list (pages 2, 4, 8, 16: empty, 12, 14, 15: the last one), then pages 2-3.
    count = serve_with_quota(zoho, rows, per_page=2, limit=40)
    messages, state = run_tap({"page_size": 2, "daily_request_budget": 10})
    assert count[0] == 10
    emitted = [r["contact_id"] for r in records(messages)]
    assert emitted == [str(i) for i in range(1, 7)]
    partition = state["bookmarks"]["contacts"]["partitions"][0]
    assert partition["replication_key_value"] == "2026-01-06T10:00:00.000000+00:00"
    assert partition["sync_progress"] == {"synced": 6, "estimate": 30}
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "budget" in r.getMessage()
    ]
    assert len(warnings) == 1


def test_other_integrations_spending_count_against_the_budget(zoho, run_tap) -> None:
    rows = [contact(str(i), f"2026-01-{i:02d}T10:00:00+0000") for i in range(1, 5)]
    # The organization already used 19 of its 40 today: a budget of 20 leaves one request.
    count = serve_with_quota(zoho, rows, per_page=200, limit=40, used=19)
    zoho.get(f"{API}/contacts/1", json={"code": 0, "contact": {"billing_address": {}}})
    messages, _ = run_tap({"daily_request_budget": 20, "fetch_contact_details": True})
    assert count[0] == 20  # the list page: a detail would take the organization past 20
    assert not [r for r in zoho.request_history if r.path.endswith("/contacts/1")]
    assert records(messages) == []
