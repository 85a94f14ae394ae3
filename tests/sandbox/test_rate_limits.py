"""Throttles: per-window 429 code 44 (+ Retry-After), daily 429 code 45, concurrency code 1070."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from sandbox.server import running_sandbox
from tests.sandbox.helpers import INC, INDIA, api_session


def test_per_window_limit_is_code_44_with_retry_after_then_recovers() -> None:
    with running_sandbox(rate_limit_per_minute=3, rate_window_seconds=1.0) as handle:
        session = api_session(handle)
        statuses = [session.get(f"{handle.api_url}/contacts", timeout=10) for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        refused = statuses[-1]
        assert refused.json()["code"] == 44
        assert refused.json()["message"].startswith("For security reasons")
        assert 1 <= int(refused.headers["Retry-After"]) <= 1
        # another organization has its own counter
        other = api_session(handle, INC).get(f"{handle.api_url}/contacts", timeout=10)
        assert other.status_code == 200
        time.sleep(int(refused.headers["Retry-After"]) + 0.05)
        assert session.get(f"{handle.api_url}/contacts", timeout=10).status_code == 200
        stats = handle.stats()
        assert stats["responses_429"] == 1
        assert stats["responses_429_by_code"] == {"44": 1}


def test_retry_after_can_be_switched_off() -> None:
    with running_sandbox(rate_limit_per_minute=1, retry_after=False) as handle:
        session = api_session(handle)
        session.get(f"{handle.api_url}/contacts", timeout=10)
        refused = session.get(f"{handle.api_url}/contacts", timeout=10)
        assert refused.status_code == 429
        assert "Retry-After" not in refused.headers


def test_daily_quota_is_code_45_and_headers_count_down() -> None:
    with running_sandbox(daily_quota=3, rate_limit_per_minute=None) as handle:
        session = api_session(handle)
        responses = [session.get(f"{handle.api_url}/contacts", timeout=10) for _ in range(4)]
        assert [r.headers["x-rate-limit-remaining"] for r in responses] == ["2", "1", "0", "0"]
        assert all(r.headers["x-rate-limit-limit"] == "3" for r in responses)
        assert all(0 < int(r.headers["x-rate-limit-reset"]) <= 86_400 for r in responses)
        assert responses[-1].status_code == 429
        assert responses[-1].json() == {
            "code": 45,
            "message": "The API call for this organization has exceeded the maximum call rate "
            "limit of 3.",
        }
        handle.reset_counters()
        assert session.get(f"{handle.api_url}/contacts", timeout=10).status_code == 200


def test_limits_can_be_switched_off_at_runtime() -> None:
    with running_sandbox(rate_limit_per_minute=1, daily_quota=1) as handle:
        handle.set_config(rate_limit_per_minute=None, daily_quota=None)
        session = api_session(handle)
        responses = [session.get(f"{handle.api_url}/contacts", timeout=10) for _ in range(5)]
        assert {r.status_code for r in responses} == {200}
        assert "x-rate-limit-limit" not in responses[0].headers


def test_concurrency_limit_is_code_1070() -> None:
    with running_sandbox(max_concurrent_requests=1, latency_seconds=0.3) as handle:
        token = api_session(handle).headers["Authorization"]

        def call(_: int) -> requests.Response:
            return requests.get(
                f"{handle.api_url}/contacts",
                headers={"Authorization": token, "X-com-zoho-invoice-organizationid": INDIA},
                timeout=10,
            )

        with ThreadPoolExecutor(max_workers=3) as pool:
            responses = list(pool.map(call, range(3)))
        codes = sorted(r.json()["code"] for r in responses)
        assert codes.count(0) >= 1
        assert 1070 in codes


def test_other_integrations_spend_the_same_daily_quota_and_a_simulated_day_restores_it() -> None:
    with running_sandbox(daily_quota=10, rate_limit_per_minute=None) as handle:
        session = api_session(handle)
        assert (
            session.get(f"{handle.api_url}/contacts", timeout=10).headers["x-rate-limit-remaining"]
            == "9"
        )
        assert handle.spend_quota(INDIA, 7)["x-rate-limit-remaining"] == "2"
        other = api_session(handle, INC).get(f"{handle.api_url}/contacts", timeout=10)
        assert other.headers["x-rate-limit-remaining"] == "9"  # per organization
        responses = [session.get(f"{handle.api_url}/contacts", timeout=10) for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429]
        assert handle.spend_quota(INDIA, 5)["x-rate-limit-remaining"] == "-5"  # like live Zoho
        assert handle.new_day() == 1
        fresh = session.get(f"{handle.api_url}/contacts", timeout=10)
        assert (fresh.status_code, fresh.headers["x-rate-limit-remaining"]) == (200, "9")
        assert handle.stats()["responses_429_by_code"] == {"45": 1}  # statistics stay
