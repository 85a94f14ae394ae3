"""The API misbehaves mid-run; the tap completes exactly once, or stops cleanly and catches up.

Each test runs the real executable (a subprocess) against an in-process sandbox holding 325
contacts over three organizations, read in pages of 25, so every fault lands mid-run. Faults
are placed with `inject_faults(..., after=N)`: the first N matching requests pass.
"""

from __future__ import annotations

import pytest

from sandbox.server import SandboxHandle
from tests.faults.conftest import (
    ORGS,
    RunTap,
    assert_caught_up,
    assert_every_contact_once,
    assert_stopped_with_one_clear_line,
    tap_config,
    when_served,
)

pytestmark = pytest.mark.e2e


def backoff_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Backing off _request" in line]


# Throttles ---------------------------------------------------------------------------------


def test_per_minute_429_bursts_with_retry_after_are_waited_out(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # The sandbox's own limiter: 3 requests per organization per 1 s window, Retry-After sent.
    sandbox.set_config(rate_limit_per_minute=3, rate_window_seconds=1.0, retry_after=True)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    stats = sandbox.stats()
    assert stats["responses_429_by_code"].get("44", 0) >= len(ORGS)
    waits = backoff_lines(run.stderr)
    assert waits and all("for 1.0s" in line for line in waits)


def test_per_minute_429_without_retry_after_waits_the_default(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    sandbox.inject_faults("/contacts", 429, count=3, code=44, after=3)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["faults_injected"] == 3
    # The shim lowers the default (60 s: Zoho's window) to 0.2 s; no daily-reset hint is used.
    waits = backoff_lines(run.stderr)
    assert len(waits) == 3
    assert all("for 0.2s" in line for line in waits)


def test_concurrency_429_code_1070_is_retried(sandbox: SandboxHandle, run_tap: RunTap) -> None:
    sandbox.inject_faults("/contacts", 429, count=3, code=1070, after=6)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert len(backoff_lines(run.stderr)) == 3


def test_the_daily_budget_stops_each_organization_with_a_warning_and_the_next_run_catches_up(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # Three requests a day per organization, all of them the tap's: it stops itself before
    # Zoho would refuse (no 429 code 45 for the organization's other integrations).
    sandbox.set_config(daily_quota=3)
    config = tap_config(sandbox, daily_request_budget=3)
    first = run_tap(config)
    # Design: the budget is not an error; each organization stops with one WARNING line and
    # keeps its bookmark, the run exits 0, and the next run (after the reset) resumes.
    assert first.returncode == 0, first.stderr[-3000:]
    warnings = [line for line in first.stderr.splitlines() if "daily request budget" in line]
    assert len(warnings) == len(ORGS)
    assert all("WARNING" in line and "resumes from its bookmark" in line for line in warnings)
    assert set(first.bookmarks()) == set(ORGS)
    assert 0 < len(first.records()) <= len(ORGS) * 3 * 25
    assert sandbox.stats()["responses_429"] == 0

    sandbox.set_config(daily_quota=None)  # the next day
    second = run_tap(config, first.state)
    assert_caught_up(first, second, sandbox)


def test_zohos_own_daily_quota_code_45_stops_the_organization_and_the_next_run_catches_up(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # Zoho refuses while its headers still promised plenty (other integrations spent the rest
    # in the meantime): the first organization's second page meets 429 code 45.
    sandbox.inject_faults("/contacts", 429, code=45, after=7)
    config = tap_config(sandbox)
    first = run_tap(config)
    assert first.returncode == 0, first.stderr[-3000:]
    warnings = [line for line in first.stderr.splitlines() if "daily API quota" in line]
    assert len(warnings) == 1
    assert ORGS[0] in warnings[0] and "resumes from its bookmark" in warnings[0]
    assert set(first.bookmarks()) == set(ORGS)

    second = run_tap(config, first.state)
    assert_caught_up(first, second, sandbox)


def test_daily_quota_while_fetching_details_keeps_the_bookmark(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # One list page, the 5 requests counting the list and the page's 25 detail calls fit in
    # the quota; the 41st call is refused (code 45: the budget is the whole quota here).
    sandbox.set_config(daily_quota=40)
    config = tap_config(
        sandbox,
        fetch_contact_details=True,
        organization_ids=[ORGS[0]],
        daily_request_budget=40,
    )
    first = run_tap(config)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    assert ORGS[0] in first.bookmarks()
    assert 25 <= len(first.records()) < 110

    sandbox.set_config(daily_quota=None)
    second = run_tap(config, first.state)
    assert second.returncode == 0, second.stderr[-3000:]
    assert {r["contact_id"] for r in first.records()} | {
        r["contact_id"] for r in second.records()
    } == set(sandbox.contact_ids(ORGS[0]))
    assert all("billing_address" in r for r in first.records() + second.records())


# Server errors and broken connections -----------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_mid_run_are_retried(
    status: int, sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    sandbox.inject_faults("/contacts", status, count=2, after=5)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["responses_by_status"][str(status)] == 2


@pytest.mark.parametrize("mode", ["drop", "truncate"])
def test_broken_connections_mid_run_are_retried(
    mode: str, sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    sandbox.inject_faults("/contacts", mode, count=2, after=7)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["faults_injected"] == 2


def test_errors_that_outlast_the_retries_stop_cleanly_and_the_next_run_catches_up(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # The first organization completes (discovery's sample page, 5 pages, 5 pages read to
    # count them for the progress estimate); the second fails for good after its first page.
    sandbox.inject_faults("/contacts", 503, count=100, after=12)
    config = tap_config(sandbox)
    first = run_tap(config)
    assert_stopped_with_one_clear_line(first, "503", "resumes from")
    assert first.bookmarks()
    sandbox.clear_faults()
    second = run_tap(config, first.state)
    assert_caught_up(first, second, sandbox)


def test_a_page_repeating_the_previous_pages_last_record_yields_it_once(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    sandbox.inject_faults("/contacts", "repeat", count=4, after=1)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["faults_injected"] == 4


# Tokens ----------------------------------------------------------------------------------


def test_access_token_expiring_mid_run_is_refreshed(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # Tokens live 1 s and every response takes 20 ms, so tokens die during the run; one also
    # dies early (a 401 code 57 while the tap still thinks it valid).
    sandbox.set_config(access_token_ttl=1, latency_seconds=0.02)
    sandbox.inject_faults("/contacts", 401, count=1, code=57, after=4)
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["tokens_issued"] >= 2


def test_token_endpoint_failing_during_a_mid_run_refresh_is_retried(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # A 401 mid-run makes the tap refresh; the accounts server then fails twice (a 502, then a
    # dropped connection): transient, so retried, not reported as a dead refresh token.
    sandbox.inject_faults("/contacts", 401, code=57, after=3)
    sandbox.inject_faults("/oauth/v2/token", 502, after=1)
    sandbox.inject_faults("/oauth/v2/token", "drop")
    run = run_tap(tap_config(sandbox))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["faults_injected"] == 3
    assert sandbox.stats()["tokens_issued"] == 2


def test_all_access_tokens_expired_mid_run_are_refreshed(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    sandbox.set_config(latency_seconds=0.05)
    watcher = when_served(sandbox, "contacts", 4, sandbox.expire_access_tokens)
    run = run_tap(tap_config(sandbox))
    watcher.join(5)
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["tokens_issued"] == 2


def test_refresh_token_revoked_mid_run_stops_cleanly_and_renewal_catches_up(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    sandbox.set_config(latency_seconds=0.05)

    def revoke() -> None:
        sandbox.revoke_refresh_token()
        sandbox.expire_access_tokens()  # so the tap must use the refresh token now

    watcher = when_served(sandbox, "contacts", 12, revoke)  # the first organization is done
    config = tap_config(sandbox)
    first = run_tap(config)
    watcher.join(5)
    assert_stopped_with_one_clear_line(first, "renew the `refresh_token` setting")
    assert first.records()
    assert first.bookmarks()

    sandbox.set_config(latency_seconds=0.0)
    renewed = {**config, "refresh_token": sandbox.issue_refresh_token()}
    second = run_tap(renewed, first.state)
    assert_caught_up(first, second, sandbox)


# Pacing ----------------------------------------------------------------------------------


def test_pacing_under_the_limit_provokes_no_429(sandbox: SandboxHandle, run_tap: RunTap) -> None:
    # The sandbox allows 5 requests per organization per 0.5 s (600 a minute); the tap paces
    # itself to 240 a minute (one every 0.25 s): at most 2 or 3 per window.
    sandbox.set_config(rate_limit_per_minute=5, rate_window_seconds=0.5, retry_after=False)
    run = run_tap(tap_config(sandbox, max_requests_per_minute=240))
    assert_every_contact_once(run, sandbox)
    assert sandbox.stats()["responses_429"] == 0

    sandbox.reset_counters()
    unpaced = run_tap(tap_config(sandbox, max_requests_per_minute=0))
    assert_every_contact_once(unpaced, sandbox)
    assert sandbox.stats()["responses_429"] > 0  # the same limit bites without pacing
