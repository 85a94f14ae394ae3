"""The tap executable against the sandbox over several simulated days: the daily budget, the
filters pushed to Zoho, the progress lines, and `data_center: auto` among several servers."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from sandbox.server import SandboxHandle, running_sandbox

pytestmark = pytest.mark.e2e

ORG = "60023456789"
QUOTA = 100  # a day; the default budget is half of what Zoho reports: 50
PROGRESS = re.compile(
    rf"org {ORG}: (?:(?P<synced>[\d,]+) of ~(?P<estimate>[\d,]+) contacts|complete, "
    r"(?P<total>[\d,]+) contacts synced); (?P<used>\d+) of (?P<budget>\d+) requests budgeted "
    r"today \(this run: (?P<sent>\d+)\)(?:; about (?P<runs>\d+) more daily runs?)?"
)
SHIM = Path(__file__).parent / "data_center_shim"


@pytest.fixture
def sandbox():
    with running_sandbox(
        contacts={ORG: 1200},
        contacts_per_org=0,
        country_weights={ORG: {"IN": 10, "US": 40, "GB": 25, "DE": 25}},
        daily_quota=QUOTA,
        rate_limit_per_minute=None,
    ) as handle:
        yield handle


def india_contacts(sandbox: SandboxHandle) -> set[str]:
    """Contacts whose billing country is India: what the example job's criteria select."""
    return {
        cid
        for cid in sandbox.contact_ids(ORG)
        if sandbox.store.detail(ORG, cid)["billing_address"]["country"] == "India"
    }


def used_today(sandbox: SandboxHandle) -> int:
    """Requests the organization spent today, as Zoho's headers say (spending none)."""
    return QUOTA - int(sandbox.spend_quota(ORG, 0)["x-rate-limit-remaining"])


def metrics(stderr: str, name: str) -> list[dict]:
    lines = [line.split("METRIC: ", 1)[1] for line in stderr.splitlines() if "METRIC: " in line]
    return [point for point in map(json.loads, lines) if point["metric"] == name]


def test_the_budget_stops_each_day_and_every_india_contact_arrives_exactly_once(
    sandbox: SandboxHandle, run_tap_cli
) -> None:
    config = sandbox.tap_config(
        organization_ids=[ORG],
        fetch_contact_details=True,
        detect_deletions=True,
        contact_filters={"address_contains": "India"},
        max_requests_per_minute=0,
    )
    emitted: Counter[str] = Counter()
    state: dict = {}
    days: list[dict] = []
    for day in range(1, 11):
        others = 30 if day == 2 else 0  # the organization's invoicing automations, that day
        sandbox.spend_quota(ORG, others)
        sent_before = sandbox.stats()["requests_by_org"].get(ORG, 0)
        run = run_tap_cli(config, state=state)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Traceback" not in run.stderr
        sent = sandbox.stats()["requests_by_org"][ORG] - sent_before
        lines = [m.groupdict() for m in map(PROGRESS.search, run.stderr.splitlines()) if m]
        assert len(lines) == 1, run.stderr[-3000:]  # a run this short reports once, at the end
        warnings = [line for line in run.stderr.splitlines() if "daily request budget" in line]
        days.append(
            {"sent": sent, "used": used_today(sandbox), "line": lines[0], "warnings": warnings}
        )
        emitted.update(r["contact_id"] for r in run.records())
        state = run.state
        # Never more than the budget, counting the other integrations' requests too.
        assert days[-1]["used"] <= 50
        assert sent == days[-1]["used"] - others == int(lines[0]["sent"])
        assert int(lines[0]["used"]) == days[-1]["used"] and lines[0]["budget"] == "50"
        assert {p["tags"]["organization_id"] for p in metrics(run.stderr, "quota_remaining")} == {
            ORG
        }
        progress = metrics(run.stderr, "sync_progress")[-1]
        if lines[0]["total"]:
            assert warnings == [] and progress["tags"]["status"] == "complete"
            break
        assert len(warnings) == 1 and "WARNING" in warnings[0]
        assert "resumes from its bookmark" in warnings[0]
        assert days[-1]["used"] == 50  # it stops exactly at its budget
        assert progress["value"] == int(lines[0]["synced"].replace(",", ""))
        assert progress["tags"]["runs_left"] == int(lines[0]["runs"])
        sandbox.new_day()
    else:
        pytest.fail(f"no complete first sync in 10 days: {days}")

    assert len(days) >= 3, days  # the point: a first sync that needs several days
    assert sandbox.stats()["responses_429"] == 0
    india = india_contacts(sandbox)
    assert india and india <= set(emitted)
    assert set(emitted.values()) == {1}, [cid for cid, n in emitted.items() if n > 1]
    # The first day's estimate of the days still needed held (give or take one).
    first = days[0]["line"]
    assert abs(int(first["runs"]) - (len(days) - 1)) <= 1, days
    # Day 2 the automations spent 30, so the tap sent only 20: the estimate said so.
    assert days[1]["sent"] == 20

    # The deletion scan ignores the filters: a contact that merely left them is not deleted.
    moved, deleted = sorted(india)[:2]
    sandbox.touch_contacts(ORG, ids=[moved], country="Germany", city="Berlin", state="Berlin")
    sandbox.delete_contacts(ORG, ids=[deleted])
    sandbox.new_day()
    after = run_tap_cli(config, state=state)
    assert after.returncode == 0, after.stderr[-3000:]
    tombstones = [r["contact_id"] for r in after.records() if r.get("_sdc_deleted_at")]
    assert tombstones == [deleted]
    assert [r["contact_id"] for r in after.records() if not r.get("_sdc_deleted_at")] == []


def test_an_unknown_filter_stops_the_tap_at_start_with_one_line(
    sandbox: SandboxHandle, run_tap_cli
) -> None:
    config = sandbox.tap_config(contact_filters={"country": "India"})
    run = run_tap_cli(config)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if "contact_filters" in line]
    assert len(lines) == 1
    assert "unknown key(s) country;" in lines[0]
    assert "address_contains" in lines[0] and "filter_by" in lines[0]
    assert sandbox.stats()["requests_total"] == 0


def test_data_center_auto_finds_the_server_that_accepts_the_refresh_token(run_tap_cli) -> None:
    # Three "data centers", each its own sandbox: com knows another client, eu knows the
    # client but not this refresh token, in holds the account. sa is never reached.
    with (
        running_sandbox(client_id="another-client", rate_limit_per_minute=None) as com,
        running_sandbox(refresh_token="1000.someone-else", rate_limit_per_minute=None) as eu,
        running_sandbox(
            refresh_token="1000.the-account", contacts_per_org=7, rate_limit_per_minute=None
        ) as india,
        running_sandbox(refresh_token="1000.the-account", rate_limit_per_minute=None) as sa,
    ):
        servers = {"com": com, "eu": eu, "in": india, "sa": sa}
        config = {
            "client_id": india.client_id,
            "client_secret": india.client_secret,
            "refresh_token": "1000.the-account",
            "organization_ids": [ORG],
            "max_requests_per_minute": 0,
        }
        env = {
            "PYTHONPATH": str(SHIM),
            "TEST_ZOHO_DATA_CENTERS": json.dumps({n: s.base_url for n, s in servers.items()}),
        }
        run = run_tap_cli(config, env=env)
        assert run.returncode == 0, run.stderr[-3000:]
        assert sorted(r["contact_id"] for r in run.records()) == sorted(india.contact_ids(ORG))
        calls = {name: server.stats()["requests_by_endpoint"] for name, server in servers.items()}
        assert calls["com"] == {"token": 1} and calls["eu"] == {"token": 1}
        assert calls["in"]["token"] == 1 and calls["in"]["contacts"] >= 1
        assert calls["sa"] == {}
        found = [line for line in run.stderr.splitlines() if "data center found" in line]
        assert len(found) == 1 and "found: in " in found[0]
        assert "1000.the-account" not in run.stderr and india.client_secret not in run.stderr
