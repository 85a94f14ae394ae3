"""Approvals of blocked runs (``run_approvals``): recorded by ``marketing-leads approve``, used
by the next run of the same sync and list (see :mod:`target_marketing_leads.removal_guard`).

A run that uses an approval consumes it (``used_by_run_id``), along with any older unused
approval of the same sync and list: the newest approval is the one a person last looked at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from lead_store.schema import run_approvals, runs
from lead_store.vocabulary import RunStatus


class ApprovalRefused(Exception):
    """``approve`` was asked for a run it cannot approve (unknown, not blocked, approved)."""


@dataclass(frozen=True)
class Approval:
    """An unused approval: the blocked run it approved and the departures it allows."""

    run_id: int
    removals: int


def _unused(sync_name: str, list_id: int) -> sa.ColumnElement[bool]:
    approved_runs = sa.select(runs.c.id).where(
        runs.c.sync_name == sync_name, runs.c.list_id == list_id
    )
    return sa.and_(
        run_approvals.c.run_id.in_(approved_runs), run_approvals.c.used_by_run_id.is_(None)
    )


def unused_approval(conn: sa.Connection, sync_name: str, list_id: int) -> Approval | None:
    """The newest approval of this sync and list that no run has used yet, or None."""
    row = conn.execute(
        sa.select(run_approvals.c.run_id, run_approvals.c.removals)
        .where(_unused(sync_name, list_id))
        .order_by(run_approvals.c.run_id.desc())
        .limit(1)
    ).first()
    return Approval(row.run_id, row.removals) if row is not None else None


def consume(conn: sa.Connection, sync_name: str, list_id: int, used_by_run_id: int) -> None:
    """Mark every unused approval of this sync and list used by run ``used_by_run_id``."""
    conn.execute(
        sa.update(run_approvals)
        .where(_unused(sync_name, list_id))
        .values(used_by_run_id=used_by_run_id)
    )


def approve(conn: sa.Connection, run_id: int, *, approved_by: str, now: dt.datetime) -> int:
    """Record that ``approved_by`` approved blocked run ``run_id``; return its departures."""
    found = conn.execute(
        sa.select(runs.c.status, runs.c.departures).where(runs.c.id == run_id)
    ).first()
    if found is None:
        msg = f"no run with id {run_id}"
        raise ApprovalRefused(msg)
    earlier = conn.execute(
        sa.select(run_approvals.c.approved_by, run_approvals.c.approved_at).where(
            run_approvals.c.run_id == run_id
        )
    ).first()
    if earlier is not None:
        msg = (
            f"run {run_id} was already approved by {earlier.approved_by} at "
            f"{earlier.approved_at.isoformat()}"
        )
        raise ApprovalRefused(msg)
    if found.status != RunStatus.BLOCKED.value:
        msg = f"run {run_id} is {found.status}, not blocked: only a blocked run can be approved"
        raise ApprovalRefused(msg)
    conn.execute(
        sa.insert(run_approvals).values(
            run_id=run_id, approved_by=approved_by, approved_at=now, removals=found.departures
        )
    )
    return int(found.departures)
