"""Links and quiet runs through the real pipeline: tap | mapper | target as three processes.

The sandbox serves the contacts; ``tests/pipeline_faults/conftest.py``'s :class:`Pipeline`
relays the lines and keeps the state as ``meltano run`` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from lead_store import schema
from sandbox.data import SHARED_EMAIL
from sandbox.server import running_sandbox
from tests.pipeline_faults.conftest import LIST, SYNC, Pipeline, run_history
from tests.target.conftest import query_rows

pytestmark = [pytest.mark.e2e]


def test_a_deleted_contact_leaves_the_shared_lead_to_the_one_that_still_holds_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    email = SHARED_EMAIL.lower()
    ld, m, o = schema.leads, schema.list_members, schema.lead_outcomes
    with running_sandbox(contacts_per_org=40, rate_limit_per_minute=None) as sandbox:
        holders = sorted(
            (org, row["contact_id"])
            for org in sandbox.organization_ids
            for row in sandbox.contacts(org)
            if row["email"] == SHARED_EMAIL and row["contact_type"] == "customer"
        )
        assert len(holders) >= 2, "the sandbox shares one email across organizations"
        pipeline = Pipeline(sandbox, tmp_path / "pipeline", url)
        first = pipeline.run()
        assert first.ok, first.describe()

        # The lead came last from one contact: before links, its deletion deleted the lead.
        ((lead_id, org, contact),) = query_rows(
            url, sa.select(ld.c.id, ld.c.source_org_id, ld.c.source_id).where(ld.c.email == email)
        )
        sandbox.delete_contacts(org, ids=[contact])
        second = pipeline.run()
        assert second.ok, second.describe()

    still = sorted(h for h in holders if h != (org, contact))[0]
    newest = sa.select(sa.func.max(o.c.run_id)).scalar_subquery()
    assert query_rows(
        url,
        sa.select(o.c.email, o.c.outcome, o.c.detail).where(
            o.c.run_id == newest, o.c.source_id == contact
        ),
    ) == [
        (
            email,
            "deleted",
            f"stayed on '{LIST}': still held by contact {still[0]}/{still[1]} (sync {SYNC})",
        )
    ]
    assert query_rows(url, sa.select(ld.c.status).where(ld.c.id == lead_id)) == [("active",)]
    assert query_rows(url, sa.select(m.c.list_id).where(m.c.lead_id == lead_id)) != []


def test_a_run_after_no_change_leaves_a_history_row_with_total_0(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with running_sandbox(contacts_per_org=40, rate_limit_per_minute=None) as sandbox:
        pipeline = Pipeline(sandbox, tmp_path / "pipeline", url)
        for _ in range(2):
            run = pipeline.run()
            assert run.ok, run.describe()
    first, second = run_history(url)
    assert first[3] > 0
    assert second == (SYNC, LIST, "completed", 0)
