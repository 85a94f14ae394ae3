"""The Meltano project as a data team runs it: `meltano install`, then `meltano run JOB`.

Each test gets its own Meltano system directory (plugin venvs, state) and its own SQLite store;
the tap reaches the in-process sandbox through environment settings, which beat meltano.yml.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import BIN, ROOT
from tests.e2e.conftest import Project, india_customers

pytestmark = [pytest.mark.e2e, pytest.mark.meltano]


def test_run_then_only_changes_move(project: Project):
    first = project.run()
    assert first.returncode == 0, first.stderr[-3000:]
    runs = project.history()
    assert len(runs) == 1
    expected = sum(
        len(india_customers(project.sandbox, org)) for org in project.sandbox.organization_ids
    )
    assert runs[0]["total"] == expected
    assert runs[0]["total"] == sum(
        runs[0][k] for k in ("new", "re_added", "duplicate", "ignored", "deleted", "removed")
    )

    org = project.sandbox.organization_ids[0]
    changed = india_customers(project.sandbox, org)[:3]
    project.sandbox.touch_contacts(org, ids=changed)
    second = project.run()
    assert second.returncode == 0, second.stderr[-3000:]
    latest = (
        project.history()[0]
        if project.history()[0]["run_id"] != runs[0]["run_id"]
        else project.history()[-1]
    )
    # Only the changed contacts move; the boundary record of each organization may come once more.
    assert len(changed) <= latest["total"] <= len(changed) + len(project.sandbox.organization_ids)
    assert latest["new"] == 0


def test_revoked_token_fails_clearly_and_renewal_catches_up(project: Project):
    assert project.run().returncode == 0
    org = project.sandbox.organization_ids[0]
    project.sandbox.revoke_refresh_token()
    failed = project.run()
    assert failed.returncode != 0
    assert "renew the `refresh_token` setting" in failed.stderr + failed.stdout
    assert project.sandbox.client_secret not in failed.stderr + failed.stdout

    changed = india_customers(project.sandbox, org)[:2]
    project.sandbox.touch_contacts(org, ids=changed)
    project.refresh_token = project.sandbox.issue_refresh_token()
    resumed = project.run()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    runs = project.history()
    # The failed run committed nothing: its tap stopped before any STATE, so the history row the
    # mapper's pinned SCHEMA opened is dropped (a run that found no change ends with a STATE).
    assert len(runs) == 2
    newest = max(runs, key=lambda r: r["run_id"])
    assert len(changed) <= newest["total"] <= len(changed) + len(project.sandbox.organization_ids)
    assert newest["new"] == 0


def test_two_syncs_keep_separate_bookmarks_and_history(project: Project):
    assert project.run("india-customers-newsletter").returncode == 0
    other = project.run("trade-fair-events")
    assert other.returncode == 0, other.stderr[-3000:]
    syncs = {r["sync"] for r in project.history()}
    assert syncs == {"india-customers-newsletter", "trade-fair-events"}
    state_ids = subprocess.run(
        [str(BIN / "meltano"), "state", "list"],
        cwd=ROOT,
        env=project.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "dev:tap-zoho-invoice-to-target-marketing-leads" in state_ids
    assert "dev:tap-zoho-invoice--trade-fair-to-target-marketing-leads" in state_ids
