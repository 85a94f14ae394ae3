"""Progress lines and METRIC lines: contacts against the estimate, budget, runs left."""

from __future__ import annotations

import logging

import pytest
import requests

from tap_zoho_invoice.progress import (
    COMPLETE,
    RUNNING,
    STOPPED,
    SyncProgress,
    requests_to_finish,
    runs_left,
)
from tap_zoho_invoice.quota import DailyBudget

LOG = logging.getLogger("test")


def budget_reading(limit: int, remaining: int, setting: int | None = None) -> DailyBudget:
    budget = DailyBudget(setting, LOG)
    response = requests.Response()
    response.headers.update(
        {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining)}
    )
    budget.observe("10234695", response)
    return budget


def test_requests_to_finish_count_pages_and_one_detail_per_contact() -> None:
    assert requests_to_finish(2005, 200, details=True) == 2005 + 11
    assert requests_to_finish(2005, 200, details=False) == 11
    assert requests_to_finish(0, 200, details=True) == 0


@pytest.mark.parametrize(
    ("needed", "left_today", "per_day", "runs"),
    [(100, 100, 500, 0), (101, 100, 500, 1), (2016, 0, 500, 5), (2000, 0, 500, 4), (5, 0, 0, None)],
)
def test_runs_left(needed: int, left_today: int, per_day: int, runs: int | None) -> None:
    assert runs_left(needed, left_today, per_day) == runs


def test_the_issue_example_line() -> None:
    budget = budget_reading(1000, 500)
    budget.sent["10234695"] = 500
    progress = SyncProgress(
        "10234695", budget, page_size=200, details=True, synced=995, estimate=3000
    )
    # 2,005 contacts left: 2,005 details and 11 pages, 500 requests a day.
    assert progress.line(STOPPED) == (
        "org 10234695: 995 of ~3,000 contacts; 500 of 500 requests budgeted today "
        "(this run: 500); about 5 more daily runs"
    )


def test_mid_run_and_complete_lines() -> None:
    budget = budget_reading(1000, 900)
    budget.sent["10234695"] = 100
    progress = SyncProgress("10234695", budget, page_size=200, details=True, synced=99)
    assert progress.line(RUNNING).endswith(
        "99 contacts so far; 100 of 500 requests budgeted "
        "today (this run: 100); no estimate of the runs left yet"
    )
    progress.estimate = 300
    assert progress.line(RUNNING).endswith("should finish in this run")
    progress.add(201)
    assert progress.estimate == 300 and progress.synced == 300
    progress.add()
    assert progress.estimate == 301  # never behind what arrived
    assert progress.line(COMPLETE) == (
        "org 10234695: complete, 301 contacts synced; 100 of 500 requests budgeted today "
        "(this run: 100)"
    )


def test_without_quota_headers_the_line_says_so() -> None:
    progress = SyncProgress("7", DailyBudget(None, LOG), page_size=200, details=False, synced=3)
    assert (
        progress.line(RUNNING)
        == "org 7: 3 contacts so far; Zoho reported no daily quota (this run: 0)"
    )


def test_reports_come_every_interval_with_their_metric_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    progress = SyncProgress(
        "10234695",
        budget_reading(1000, 600),
        page_size=200,
        details=True,
        synced=10,
        estimate=1000,
        clock=lambda: now[0],
    )
    assert not progress.due()
    now[0] = 29.9
    assert not progress.due()
    now[0] = 30.0
    assert progress.due()
    with caplog.at_level(logging.INFO):
        progress.report(LOG, LOG, RUNNING)
    assert not progress.due()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("org 10234695: 10 of ~1,000 contacts; 400 of 500 requests")
    metrics = {line.split('"metric":"')[1].split('"')[0]: line for line in lines[1:]}
    assert '"value":10' in metrics["sync_progress"]
    assert '"estimate":1000' in metrics["sync_progress"]
    assert '"runs_left":2' in metrics["sync_progress"]  # 990 + 5 pages, 100 today, 500 a day
    assert '"value":600' in metrics["quota_remaining"]
    assert '"budget":500' in metrics["quota_remaining"]
