"""Dry runs and the removal guard in the Meltano project, against the sandbox Zoho API.

A dry run (``TARGET_MARKETING_LEADS_DRY_RUN=true``) plans what the real run then does and leaves
the store and Meltano's state alone. Deleting 40% of an organization's contacts (the example sync
scans for deletions) blocks the next run until ``marketing-leads approve``; the approved rerun
applies exactly those removals, and a later, bigger removal is blocked again.
"""

from __future__ import annotations

import json
import subprocess
import typing as t

import pytest

from tests.conftest import BIN, ROOT
from tests.e2e.conftest import Project

pytestmark = [pytest.mark.e2e, pytest.mark.meltano]

STATE_ID = "dev:tap-zoho-invoice-to-target-marketing-leads"
COUNTS = ("total", "new", "re_added", "duplicate", "ignored", "deleted", "removed", "departures")


def _state(project: Project) -> dict:
    """The job's state in Meltano's system database; ``{}`` when there is none."""
    done = subprocess.run(
        [str(BIN / "meltano"), "state", "get", STATE_ID],
        cwd=ROOT,
        env=project.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return t.cast("dict", json.loads(done.stdout)) if done.returncode == 0 else {}


def _members(project: Project) -> set[str]:
    lists = project.cli("lists")["lists"]
    if not lists:
        return set()
    [newsletter] = lists
    return {m["email"] for m in project.cli("members", newsletter["list"])["members"]}


def test_a_dry_run_counts_what_the_real_run_then_does(project: Project) -> None:
    dry = project.run(settings={"TARGET_MARKETING_LEADS_DRY_RUN": "true"})
    assert dry.returncode == 0, dry.stderr[-3000:]
    [planned] = project.history()
    assert planned["status"] == "planned"
    assert planned["new"] > 0
    assert _members(project) == set()
    assert _state(project) == {}

    real = project.run()
    assert real.returncode == 0, real.stderr[-3000:]
    applied = project.history()[0]
    assert applied["status"] == "completed"
    assert [applied[k] for k in COUNTS] == [planned[k] for k in COUNTS]
    assert len(_members(project)) == applied["new"]
    assert _state(project) != {}


def test_mass_deletion_is_blocked_until_approved(project: Project) -> None:
    assert project.run().returncode == 0
    members = _members(project)
    state = _state(project)
    assert state != {}
    org = project.sandbox.organization_ids[0]
    ids = project.sandbox.contact_ids(org)
    project.sandbox.delete_contacts(org, ids=ids[: len(ids) * 4 // 10])

    blocked = project.run()
    assert blocked.returncode == 1
    run = project.history()[0]
    assert run["status"] == "blocked"
    gone = {
        o["email"]
        for o in project.cli("outcomes", str(run["run_id"]), "--outcome", "deleted")["outcomes"]
    }
    share = round(100 * run["departures"] / len(members))
    line = (
        f"run {run['run_id']} would remove {run['departures']} of {len(members)} members of "
        f"{run['list']!r} ({share}%, limit 10%): review with 'marketing-leads outcomes "
        f"{run['run_id']} --outcome deleted', then 'marketing-leads approve {run['run_id']}' "
        "and run the sync again"
    )
    assert line in blocked.stdout + blocked.stderr
    assert run["departures"] == len(gone & members) > len(members) // 10
    assert _members(project) == members
    assert _state(project) == state

    approve = subprocess.run(
        [str(BIN / "marketing-leads"), "--database-url", project.db_url, "approve",
         str(run["run_id"])],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert approve.returncode == 0, approve.stderr
    rerun = project.run()
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _members(project) == members - gone
    assert project.history()[0]["departures"] == run["departures"]
    assert _state(project) != state

    other = project.sandbox.organization_ids[2]
    other_ids = project.sandbox.contact_ids(other)
    project.sandbox.delete_contacts(other, ids=other_ids[: len(other_ids) * 4 // 10])
    again = project.run()
    assert again.returncode == 1
    assert project.history()[0]["status"] == "blocked"
    assert "would remove" in again.stdout + again.stderr
    assert _members(project) == members - gone
