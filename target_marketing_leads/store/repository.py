"""The target's reads and writes on the store: parameterised, batched, one round trip per kind.

Every statement is built with SQLAlchemy Core (bound parameters, never string formatting) and
runs on the caller's connection, inside the caller's transaction: the run decides when to commit.
Lookups take a whole batch of keys (``IN`` lists, chunked below the drivers' parameter limits);
writes are ``executemany``. Upserts use the dialect's ``INSERT ... ON CONFLICT`` so that two runs
writing the same lead concurrently serialise on that row (PostgreSQL) instead of failing.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from target_marketing_leads.classify import (
    JOINING_OUTCOMES,
    SEEN_REASONS,
    SUPPRESSED_STATUSES,
)
from target_marketing_leads.store.schema import (
    lead_outcomes,
    leads,
    list_members,
    mailing_lists,
    runs,
)

IN_CHUNK = 1000
"""Keys per IN list. Every list is padded to exactly this length (with NULL, which matches
nothing) so each lookup is one SQL text: drivers cache prepared statements by text, and one
prepared statement per distinct list length would pile up in memory over a long run."""

SourceKey = tuple[str, str]


@dataclass(frozen=True)
class StoredLead:
    """What classification needs to know about a lead already in the store."""

    id: int
    email: str
    status: str
    source_org_id: str | None
    source_id: str | None


def _chunks(values: Iterable[t.Any], size: int = IN_CHUNK) -> Iterator[list[t.Any]]:
    """``values`` in lists of exactly ``size``, the last one padded with None."""
    batch: list[t.Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch + [None] * (size - len(batch))


def dialect_insert(conn: sa.Connection, table: sa.Table) -> t.Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def ensure_list(conn: sa.Connection, name: str, now: dt.datetime) -> int:
    """The id of mailing list ``name``, created if needed."""
    stmt = dialect_insert(conn, mailing_lists).values(name=name, created_at=now)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=[mailing_lists.c.name]))
    found = conn.execute(sa.select(mailing_lists.c.id).where(mailing_lists.c.name == name))
    return int(found.scalar_one())


def start_run(conn: sa.Connection, sync_name: str, list_id: int, started_at: dt.datetime) -> int:
    """Insert the history row of a (sync, list) run; return its id."""
    result = conn.execute(
        sa.insert(runs)
        .values(sync_name=sync_name, list_id=list_id, started_at=started_at, status="running")
        .returning(runs.c.id)
    )
    return int(result.scalar_one())


def finish_run(
    conn: sa.Connection,
    run_id: int,
    *,
    counts: dict[str, int],
    ignored_reasons: dict[str, int],
    finished_at: dt.datetime,
) -> None:
    """Write a run's final counts; it commits with the leads and outcomes it counts."""
    conn.execute(
        sa.update(runs)
        .where(runs.c.id == run_id)
        .values(
            status="completed",
            finished_at=finished_at,
            ignored_reasons=ignored_reasons,
            **counts,
        )
    )


def _stored(row: sa.Row[t.Any]) -> StoredLead:
    return StoredLead(row.id, row.email, row.status, row.source_org_id, row.source_id)


_LEAD_KEYS = (leads.c.id, leads.c.email, leads.c.status, leads.c.source_org_id, leads.c.source_id)


def leads_by_email(conn: sa.Connection, emails: Iterable[str]) -> dict[str, StoredLead]:
    """The stored leads among ``emails`` (normalised)."""
    found: dict[str, StoredLead] = {}
    for chunk in _chunks(set(emails)):
        for row in conn.execute(sa.select(*_LEAD_KEYS).where(leads.c.email.in_(chunk))):
            found[row.email] = _stored(row)
    return found


def leads_by_source(
    conn: sa.Connection, keys: Iterable[SourceKey]
) -> dict[SourceKey, list[StoredLead]]:
    """The stored leads that came from each (source_org_id, source_id)."""
    wanted = set(keys)
    found: dict[SourceKey, list[StoredLead]] = defaultdict(list)
    for chunk in _chunks({source_id for _, source_id in wanted}):
        for row in conn.execute(sa.select(*_LEAD_KEYS).where(leads.c.source_id.in_(chunk))):
            key = (row.source_org_id, row.source_id)
            if key in wanted:
                found[key].append(_stored(row))
    return dict(found)


def emails_seen_in_runs(
    conn: sa.Connection, run_ids: Sequence[int], emails: Iterable[str]
) -> set[tuple[int, str]]:
    """(run_id, email) pairs already counted in those runs by earlier batches.

    An email "came earlier" when a record with it was added, updated or re-added, or was
    ignored only because the lead is unsubscribed or bounced (see ``classify.SEEN_REASONS``).
    """
    if not run_ids:
        return set()
    counted = sa.or_(
        lead_outcomes.c.outcome.in_([o.value for o in JOINING_OUTCOMES]),
        lead_outcomes.c.reason.in_([r.value for r in SEEN_REASONS]),
    )
    seen: set[tuple[int, str]] = set()
    for chunk in _chunks(set(emails)):
        query = sa.select(lead_outcomes.c.run_id, lead_outcomes.c.email).where(
            lead_outcomes.c.run_id.in_(list(run_ids)),
            lead_outcomes.c.email.in_(chunk),
            counted,
        )
        seen.update((row.run_id, row.email) for row in conn.execute(query))
    return seen


def upsert_leads(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> None:
    """Insert or update leads by email. A suppressed status (unsubscribed, bounced) is kept.

    Each row: email, status, first_name, last_name, attributes, source_system, source_org_id,
    source_id, source_modified_at. Rows are written in email order so concurrent runs take row
    locks in the same order. ``created_at`` / ``updated_at`` come from the database clock (one
    value per statement, not one bound parameter per row).
    """
    if not rows:
        return
    stmt = dialect_insert(conn, leads).values(
        created_at=sa.func.current_timestamp(), updated_at=sa.func.current_timestamp()
    )
    # Constants inlined: executemany cannot expand an IN list of bound parameters.
    suppressed: list[sa.ColumnElement[str]] = [
        sa.literal_column(f"'{status}'") for status in sorted(SUPPRESSED_STATUSES)
    ]
    keep_suppressed = sa.case(
        (leads.c.status.in_(suppressed), leads.c.status),
        else_=stmt.excluded.status,
    )
    updated = {
        name: stmt.excluded[name]
        for name in (
            "first_name",
            "last_name",
            "attributes",
            "source_system",
            "source_org_id",
            "source_id",
            "source_modified_at",
        )
    }
    updated["updated_at"] = sa.func.current_timestamp()
    stmt = stmt.on_conflict_do_update(
        index_elements=[leads.c.email], set_={**updated, "status": keep_suppressed}
    )
    conn.execute(stmt, sorted(rows, key=lambda row: row["email"]))


def mark_deleted(conn: sa.Connection, lead_ids: Iterable[int], now: dt.datetime) -> None:
    """Mark leads deleted (tombstones), leaving unsubscribed and bounced ones as they are."""
    ids = sorted(set(lead_ids))
    for chunk in _chunks(ids):
        conn.execute(
            sa.update(leads)
            .where(leads.c.id.in_(chunk), leads.c.status.not_in(sorted(SUPPRESSED_STATUSES)))
            .values(status="deleted", updated_at=now)
        )


def lead_ids(conn: sa.Connection, emails: Iterable[str]) -> dict[str, int]:
    """The ids of the leads with these emails."""
    found: dict[str, int] = {}
    for chunk in _chunks(set(emails)):
        query = sa.select(leads.c.email, leads.c.id).where(leads.c.email.in_(chunk))
        found.update({row.email: row.id for row in conn.execute(query)})
    return found


def add_members(conn: sa.Connection, pairs: Iterable[tuple[int, int]], now: dt.datetime) -> None:
    """Put (list_id, lead_id) pairs on their lists; pairs already there stay as they are."""
    rows = [{"list_id": li, "lead_id": ld, "joined_at": now} for li, ld in sorted(set(pairs))]
    if rows:
        stmt = dialect_insert(conn, list_members).on_conflict_do_nothing(
            index_elements=[list_members.c.list_id, list_members.c.lead_id]
        )
        conn.execute(stmt, rows)


def remove_members(conn: sa.Connection, pairs: Iterable[tuple[int, int]]) -> None:
    """Take (list_id, lead_id) pairs off their lists."""
    rows = [{"l": li, "d": ld} for li, ld in sorted(set(pairs))]
    if rows:
        stmt = sa.delete(list_members).where(
            list_members.c.list_id == sa.bindparam("l"),
            list_members.c.lead_id == sa.bindparam("d"),
        )
        conn.execute(stmt, rows)


def insert_outcomes(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> None:
    """Store per-record outcomes: run_id, position, email, outcome, reason, detail, source ids."""
    if rows:
        conn.execute(sa.insert(lead_outcomes), list(rows))
