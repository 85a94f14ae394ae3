"""Queries and the one write (suppress) behind the ``marketing-leads`` admin CLI.

Every function returns plain dicts with the stable keys of the CLI's ``--json`` output
(documented in :mod:`marketing_leads.cli`); timestamps are ISO 8601 strings in UTC.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from collections.abc import Iterable

import sqlalchemy as sa

from lead_store.repository import IN_CHUNK, dialect_insert
from lead_store.schema import (
    lead_outcomes,
    leads,
    list_members,
    mailing_lists,
    runs,
)
from lead_store.vocabulary import LeadStatus, Outcome, Reason, RunStatus


class EmailKey(t.Protocol):
    """A normalised email (``email``), or why there is none (``reason``, ``detail``)."""

    @property
    def email(self) -> str | None: ...
    @property
    def reason(self) -> Reason | None: ...
    @property
    def detail(self) -> str | None: ...


class Normaliser(t.Protocol):
    """Turns a raw email into the store's key: the target's rule, passed in by the caller."""

    def normalise(self, raw: str | None) -> EmailKey: ...


OUTCOME_NAMES = [o.value for o in Outcome]
REASON_NAMES = [r.value for r in Reason]
SUPPRESS_STATUSES = (LeadStatus.UNSUBSCRIBED.value, LeadStatus.BOUNCED.value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _run_dict(row: sa.Row[t.Any]) -> dict[str, t.Any]:
    return {
        "run_id": row.id,
        "sync": row.sync_name,
        "list": row.list_name,
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "status": row.status,
        "total": row.total,
        "new": row.new,
        "re_added": row.re_added,
        "duplicate": row.duplicate,
        "ignored": row.ignored,
        "deleted": row.deleted,
        "ignored_reasons": dict(row.ignored_reasons or {}),
    }


def _runs_query() -> sa.Select[t.Any]:
    return sa.select(runs, mailing_lists.c.name.label("list_name")).join(
        mailing_lists, mailing_lists.c.id == runs.c.list_id
    )


def history(conn: sa.Connection, sync: str | None = None) -> list[dict[str, t.Any]]:
    """Completed runs, newest first, optionally of one sync."""
    query = (
        _runs_query().where(runs.c.status == RunStatus.COMPLETED.value).order_by(runs.c.id.desc())
    )
    if sync is not None:
        query = query.where(runs.c.sync_name == sync)
    return [_run_dict(row) for row in conn.execute(query)]


def run(conn: sa.Connection, run_id: int) -> dict[str, t.Any] | None:
    """One run's history row, or None."""
    row = conn.execute(_runs_query().where(runs.c.id == run_id)).first()
    return _run_dict(row) if row is not None else None


def lists(conn: sa.Connection) -> list[dict[str, t.Any]]:
    """Every mailing list with its member count, by name."""
    members = (
        sa.select(list_members.c.list_id, sa.func.count().label("n"))
        .group_by(list_members.c.list_id)
        .subquery()
    )
    query = (
        sa.select(mailing_lists, sa.func.coalesce(members.c.n, 0).label("members"))
        .outerjoin(members, members.c.list_id == mailing_lists.c.id)
        .order_by(mailing_lists.c.name)
    )
    return [
        {"list": row.name, "members": row.members, "created_at": _iso(row.created_at)}
        for row in conn.execute(query)
    ]


def members(conn: sa.Connection, list_name: str) -> list[dict[str, t.Any]] | None:
    """The leads on a list, by email; None when there is no such list."""
    list_id = conn.execute(
        sa.select(mailing_lists.c.id).where(mailing_lists.c.name == list_name)
    ).scalar()
    if list_id is None:
        return None
    query = (
        sa.select(leads, list_members.c.joined_at)
        .join(list_members, list_members.c.lead_id == leads.c.id)
        .where(list_members.c.list_id == list_id)
        .order_by(leads.c.email)
    )
    return [
        {
            "email": row.email,
            "status": row.status,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "attributes": row.attributes,
            "source_org_id": row.source_org_id,
            "source_id": row.source_id,
            "joined_at": _iso(row.joined_at),
        }
        for row in conn.execute(query)
    ]


def outcomes(
    conn: sa.Connection, run_id: int, outcome: str | None = None, reason: str | None = None
) -> list[dict[str, t.Any]]:
    """The outcome of every record of a run, in input order, optionally filtered."""
    query = (
        sa.select(lead_outcomes)
        .where(lead_outcomes.c.run_id == run_id)
        .order_by(lead_outcomes.c.position)
    )
    if outcome is not None:
        query = query.where(lead_outcomes.c.outcome == outcome)
    if reason is not None:
        query = query.where(lead_outcomes.c.reason == reason)
    return [
        {
            "position": row.position,
            "email": row.email,
            "outcome": row.outcome,
            "reason": row.reason,
            "detail": row.detail,
            "source_org_id": row.source_org_id,
            "source_id": row.source_id,
        }
        for row in conn.execute(query)
    ]


def suppress(
    conn: sa.Connection,
    status: str,
    raw_emails: Iterable[str],
    *,
    normaliser: Normaliser,
    now: dt.datetime,
) -> dict[str, t.Any]:
    """Mark emails unsubscribed or bounced and take them off every list.

    An email the store has never seen becomes a lead with that status, so that no later sync
    adds it. Invalid emails are reported and change nothing.
    """
    if status not in SUPPRESS_STATUSES:
        msg = f"status must be one of {SUPPRESS_STATUSES}, not {status!r}"
        raise ValueError(msg)
    valid: dict[str, str] = {}
    invalid: list[dict[str, t.Any]] = []
    for raw in raw_emails:
        check = normaliser.normalise(raw)
        if check.email is None:
            reason = check.reason.value if check.reason else None
            invalid.append({"email": raw, "reason": reason, "detail": check.detail})
        else:
            valid[check.email] = raw
    existing: set[str] = set()
    ordered = sorted(valid)
    for i in range(0, len(ordered), IN_CHUNK):
        chunk = ordered[i : i + IN_CHUNK]
        found = conn.execute(sa.select(leads.c.email).where(leads.c.email.in_(chunk)))
        existing.update(found.scalars())
        stmt = dialect_insert(conn, leads)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[leads.c.email],
                set_={"status": stmt.excluded.status, "updated_at": stmt.excluded.updated_at},
            ),
            [{"email": e, "status": status, "created_at": now, "updated_at": now} for e in chunk],
        )
        ids = sa.select(leads.c.id).where(leads.c.email.in_(chunk)).scalar_subquery()
        conn.execute(sa.delete(list_members).where(list_members.c.lead_id.in_(ids)))
    return {
        "status": status,
        "updated": sorted(e for e in valid if e in existing),
        "created": sorted(e for e in valid if e not in existing),
        "invalid": invalid,
    }
