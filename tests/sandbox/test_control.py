"""Control operations, in process and over HTTP (/_sandbox/) through `RemoteSandbox`."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests

from sandbox.server import SandboxHandle
from sandbox.testing import RemoteSandbox, SandboxControlError
from tests.sandbox.helpers import GMBH, INC, INDIA


def modified(handle: SandboxHandle | RemoteSandbox, org_id: str) -> dict[str, datetime]:
    return {
        row["contact_id"]: datetime.strptime(row["last_modified_time"], "%Y-%m-%dT%H:%M:%S%z")
        for row in handle.contacts(org_id)
    }


def test_touch_moves_contacts_strictly_past_everything_before(sandbox: SandboxHandle) -> None:
    before = modified(sandbox, INC)
    first = sandbox.touch_contacts(INC, n=2)
    second = sandbox.touch_contacts(INC, n=1)
    after = modified(sandbox, INC)
    assert len(first) == 2
    assert len(second) == 1
    assert all(after[cid] > max(before.values()) for cid in first)
    assert all(after[cid] > after[other] for cid in second for other in first if other != cid)
    assert sandbox.contact_ids(INC)[-1] == second[0]


def test_touch_can_change_fields(sandbox: SandboxHandle) -> None:
    contact_id = sandbox.contact_ids(GMBH)[0]
    sandbox.touch_contacts(GMBH, ids=[contact_id], email="New@Example.com", status="inactive")
    row = next(r for r in sandbox.contacts(GMBH) if r["contact_id"] == contact_id)
    assert (row["email"], row["status"]) == ("New@Example.com", "inactive")


def test_add_then_delete(sandbox: SandboxHandle, api: requests.Session) -> None:
    contact_id = sandbox.add_contact(INDIA, first_name="Asha", last_name="Rao", email="asha@x.in")
    assert contact_id not in sandbox.contact_ids(INC)
    detail = api.get(f"{sandbox.api_url}/contacts/{contact_id}", timeout=10).json()["contact"]
    assert (detail["contact_name"], detail["email"]) == ("Asha Rao", "asha@x.in")
    assert sandbox.delete_contacts(INDIA, ids=[contact_id]) == [contact_id]
    assert api.get(f"{sandbox.api_url}/contacts/{contact_id}", timeout=10).status_code == 404
    assert contact_id not in sandbox.contact_ids(INDIA)


def test_delete_n_removes_that_many(sandbox: SandboxHandle) -> None:
    before = set(sandbox.contact_ids(INC))
    deleted = sandbox.delete_contacts(INC, n=5)
    assert len(set(deleted)) == 5
    assert set(sandbox.contact_ids(INC)) == before - set(deleted)


def test_bad_control_arguments_raise_one_clear_error(sandbox: SandboxHandle) -> None:
    with pytest.raises(KeyError, match="unknown organization"):
        sandbox.touch_contacts("1", n=1)
    with pytest.raises(ValueError, match="unknown contact field"):
        sandbox.add_contact(INDIA, colour="red")
    with pytest.raises(ValueError, match="unknown sandbox setting"):
        sandbox.set_config(speed=3)


def test_remote_control_drives_the_same_store(sandbox: SandboxHandle) -> None:
    remote = RemoteSandbox(sandbox.base_url)
    assert remote.tap_config() == sandbox.tap_config()
    touched = remote.touch_contacts(INDIA, n=2)
    assert sandbox.contact_ids(INDIA)[-2:] == sorted(touched)
    assert remote.set_config(rate_limit_per_minute=7)["rate_limit_per_minute"] == 7
    assert sandbox.config.rate_limit_per_minute == 7
    token = remote.issue_refresh_token()
    assert remote.revoke_refresh_token(token) is True
    assert remote.stats()["contacts_by_org"][INDIA] == len(sandbox.contact_ids(INDIA))
    with pytest.raises(SandboxControlError, match="unknown organization"):
        remote.delete_contacts("nope", n=1)


def test_unknown_control_operation_is_404(sandbox: SandboxHandle) -> None:
    response = requests.post(f"{sandbox.base_url}/_sandbox/drop_database", json={}, timeout=10)
    assert response.status_code == 404


def test_tap_config_points_at_the_sandbox(sandbox: SandboxHandle) -> None:
    config = sandbox.tap_config(organization_ids=[INDIA])
    assert config == {
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "refresh_token": "1000.sandbox-refresh-token",
        "api_url": f"{sandbox.base_url}/invoice/v3",
        "accounts_url": sandbox.base_url,
        "organization_ids": [INDIA],
    }


def test_stats_count_per_endpoint_and_org(sandbox: SandboxHandle, api: requests.Session) -> None:
    sandbox.reset_counters()
    api.get(f"{sandbox.api_url}/contacts", timeout=10)
    api.get(f"{sandbox.api_url}/contacts", params={"organization_id": INC}, timeout=10)
    api.get(f"{sandbox.api_url}/contacts/{sandbox.contact_ids(INDIA)[0]}", timeout=10)
    stats = sandbox.stats()
    assert stats["requests_by_endpoint"] == {"contacts": 2, "contact": 1}
    assert stats["requests_by_endpoint_and_org"] == {"contacts": {INDIA: 2}, "contact": {INDIA: 1}}
    assert stats["responses_by_status"] == {"200": 3}


def test_start_only_settings_cannot_change_at_runtime(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError, match="only apply at start: seed"):
        sandbox.set_config(seed=3)
