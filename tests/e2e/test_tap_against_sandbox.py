"""The tap executable against the local sandbox: full run, incremental run, deletions, revoke."""

from __future__ import annotations

from collections import Counter

import pytest

from sandbox.server import running_sandbox

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox():
    with running_sandbox(contacts_per_org=150, rate_limit_per_minute=None) as handle:
        yield handle


def all_ids(sandbox, orgs: list[str]) -> Counter:
    return Counter((org, cid) for org in orgs for cid in sandbox.contact_ids(org))


def test_first_run_returns_every_contact_of_every_organization_once(sandbox, run_tap_cli):
    run = run_tap_cli(sandbox.tap_config(page_size=50, max_requests_per_minute=0))
    assert run.returncode == 0, run.stderr
    orgs = sorted({r["organization_id"] for r in run.records("organizations")})
    assert len(orgs) >= 3
    emitted = Counter((r["organization_id"], r["contact_id"]) for r in run.records())
    assert emitted == all_ids(sandbox, orgs)
    assert set(emitted.values()) == {1}
    partitions = run.state["bookmarks"]["contacts"]["partitions"]
    assert sorted(p["context"]["organization_id"] for p in partitions) == orgs
    assert all(p["replication_key_value"].endswith("+00:00") for p in partitions)


def test_second_run_returns_only_the_changed_contacts(sandbox, run_tap_cli):
    config = sandbox.tap_config(max_requests_per_minute=0)
    first = run_tap_cli(config)
    org = first.records()[0]["organization_id"]
    changed = set(sandbox.touch_contacts(org, n=7))
    second = run_tap_cli(config, state=first.state)
    assert second.returncode == 0, second.stderr
    got = Counter(r["contact_id"] for r in second.records())
    assert set(got.values()) == {1}
    extra = set(got) - changed
    assert changed <= set(got)
    # Only the boundary record of each organization (== its bookmark) may come once more.
    assert len(extra) <= len(first.state["bookmarks"]["contacts"]["partitions"])


def test_second_run_is_right_when_the_server_ignores_the_modified_filter(sandbox, run_tap_cli):
    sandbox.set_config(honour_last_modified_filter=False)
    config = sandbox.tap_config(max_requests_per_minute=0)
    first = run_tap_cli(config)
    org = first.records()[0]["organization_id"]
    changed = set(sandbox.touch_contacts(org, n=4))
    second = run_tap_cli(config, state=first.state)
    got = {r["contact_id"] for r in second.records()}
    assert changed <= got
    assert len(got - changed) <= len(first.state["bookmarks"]["contacts"]["partitions"])


def test_three_deletions_give_three_tombstones(sandbox, run_tap_cli):
    config = sandbox.tap_config(max_requests_per_minute=0, detect_deletions=True)
    first = run_tap_cli(config)
    org = first.records()[0]["organization_id"]
    deleted = sandbox.delete_contacts(org, n=3)
    second = run_tap_cli(config, state=first.state)
    assert second.returncode == 0, second.stderr
    tombstones = [r for r in second.records() if r.get("_sdc_deleted_at")]
    assert sorted(t["contact_id"] for t in tombstones) == sorted(deleted)
    assert {t["organization_id"] for t in tombstones} == {org}


def test_revoked_token_fails_with_one_clear_line_and_renewal_resumes(sandbox, run_tap_cli):
    config = sandbox.tap_config(max_requests_per_minute=0)
    first = run_tap_cli(config)
    org = first.records()[0]["organization_id"]
    sandbox.revoke_refresh_token()
    failed = run_tap_cli(config, state=first.state)
    assert failed.returncode != 0
    assert failed.records() == []
    lines = [line for line in failed.stderr.splitlines() if line.startswith("tap-zoho-invoice:")]
    assert len(lines) == 1
    assert "renew the `refresh_token` setting" in lines[0]
    assert "Traceback" not in failed.stderr
    assert config["refresh_token"] not in failed.stderr
    assert config["client_secret"] not in failed.stderr

    changed = set(sandbox.touch_contacts(org, n=5))
    renewed = {**config, "refresh_token": sandbox.issue_refresh_token()}
    resumed = run_tap_cli(renewed, state=first.state)
    assert resumed.returncode == 0, resumed.stderr
    got = {r["contact_id"] for r in resumed.records()}
    assert changed <= got
    assert len(got - changed) <= len(first.state["bookmarks"]["contacts"]["partitions"])


def test_wrong_organization_id_fails_with_one_clear_line(sandbox, run_tap_cli):
    run = run_tap_cli(sandbox.tap_config(organization_ids=["123"], max_requests_per_minute=0))
    assert run.returncode != 0
    lines = [line for line in run.stderr.splitlines() if line.startswith("tap-zoho-invoice:")]
    assert len(lines) == 1
    assert "`organization_ids`" in lines[0]


def test_missing_scope_fails_with_one_clear_line(sandbox, run_tap_cli):
    token = sandbox.issue_refresh_token(scopes=["ZohoInvoice.settings.READ"])
    run = run_tap_cli(sandbox.tap_config(refresh_token=token, max_requests_per_minute=0))
    assert run.returncode != 0
    lines = [line for line in run.stderr.splitlines() if line.startswith("tap-zoho-invoice:")]
    assert len(lines) == 1
    assert "ZohoInvoice.contacts.READ" in lines[0]


def test_wrong_data_center_fails_with_one_clear_line(run_tap_cli):
    # Nothing listens on this port: like pointing the tap at the wrong accounts server.
    config = {
        "client_id": "x",
        "client_secret": "y",
        "refresh_token": "z",
        "accounts_url": "http://127.0.0.1:9",
        "api_url": "http://127.0.0.1:9/invoice/v3",
    }
    run = run_tap_cli(config)
    assert run.returncode != 0
    lines = [line for line in run.stderr.splitlines() if line.startswith("tap-zoho-invoice:")]
    assert len(lines) == 1
    assert "`data_center`" in lines[0]
