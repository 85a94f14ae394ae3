"""The target's reads and writes of runs, leads, list members and outcomes.

Every statement is built with SQLAlchemy Core (bound parameters, never string formatting) and
runs on the caller's connection, inside the caller's transaction: the run decides when to commit.
Batches travel as :mod:`lead_store.bulk` sends them (one round trip per kind); the links between
source contacts and leads have their own module, :mod:`lead_store.links`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import typing as t
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import msgspec
import sqlalchemy as sa

from lead_store.bulk import (
    BatchRows,
    bulk_statement,
    chunks,
    dialect_insert,
    execute_rows,
    executemany,
    in_keys,
    json_batches,
    lookup,
)
from lead_store.postgres_keys import probe_each_key
from lead_store.schema import lead_outcomes, leads, list_members, mailing_lists, runs
from lead_store.vocabulary import JOINING_OUTCOMES, SEEN_REASONS, SUPPRESSED_STATUSES, RunStatus

SourceKey = tuple[str, str]


@dataclass(frozen=True)
class StoredLead:
    """What classification needs to know about a lead already in the store."""

    id: int
    email: str
    status: str
    source_org_id: str | None
    source_id: str | None
    # The mapped fields, the "before" of an update's changes (target_marketing_leads.changes).
    first_name: str | None = None
    last_name: str | None = None
    attributes: dict[str, t.Any] | None = None


STORE_WRITE_LOCK = int.from_bytes(
    hashlib.blake2b(b"target-marketing-leads:store-writer", digest_size=8).digest(),
    "big",
    signed=True,
)
"""PostgreSQL advisory lock key a loading run holds from its first write to its commit."""


def begin_run(conn: sa.Connection) -> None:
    """Start a loading run's transaction: the store's only writer, planning by index.

    Why one writer: a run writes all its leads in one transaction and holds each row's lock
    until the commit. Two runs upserting overlapping emails in different orders, batch after
    batch, would each wait for the other (a deadlock PostgreSQL breaks by failing one), and both
    would have read "not in the store" before either wrote, so both would count the email
    ``new``. Taking turns for the whole run, as SQLite's ``BEGIN IMMEDIATE`` does, avoids both:
    a second run waits here (at most ``lock_timeout_seconds``), then reads the first one's leads.

    Why no sequential scans: every statement of a run looks rows up by key. Inside the run's
    transaction the tables' statistics predate the run's own rows, so the planner can take a
    table of a million rows for a small one and scan it for every batch (a first load then
    grows quadratic). ``SET LOCAL`` keeps the setting to this transaction.
    ``tests/target/test_query_plans.py`` checks the plans.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(STORE_WRITE_LOCK)))
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")


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
        .values(
            sync_name=sync_name,
            list_id=list_id,
            started_at=started_at,
            status=RunStatus.RUNNING.value,
        )
        .returning(runs.c.id)
    )
    return int(result.scalar_one())


def delete_run(conn: sa.Connection, run_id: int) -> None:
    """Delete the history row of a run opened in this transaction that is not to be kept."""
    conn.execute(sa.delete(runs).where(runs.c.id == run_id))


def finish_run(
    conn: sa.Connection,
    run_id: int,
    *,
    counts: dict[str, int],
    ignored_reasons: dict[str, int],
    finished_at: dt.datetime,
    departures: int = 0,
    status: RunStatus = RunStatus.COMPLETED,
) -> None:
    """Write a run's final counts; it commits with the leads and outcomes it counts."""
    conn.execute(
        sa.update(runs)
        .where(runs.c.id == run_id)
        .values(
            status=status.value,
            finished_at=finished_at,
            ignored_reasons=ignored_reasons,
            departures=departures,
            **counts,
        )
    )


_LEAD_KEYS = (
    leads.c.id, leads.c.email, leads.c.status, leads.c.source_org_id, leads.c.source_id,
    leads.c.first_name, leads.c.last_name, leads.c.attributes,
)  # fmt: skip


def _stored_leads(
    conn: sa.Connection, name: str, column: sa.Column[t.Any], keys: set[t.Any]
) -> Iterable[sa.Row[t.Any]]:
    """Stored leads whose ``column`` is one of ``keys``: one array lookup on PostgreSQL."""
    if json_batches(conn):
        query = probe_each_key(_LEAD_KEYS, (), column)
        return conn.execute(query, {"keys": sorted(keys)})
    return lookup(conn, name, lambda: sa.select(*_LEAD_KEYS).where(column.in_(in_keys())), keys)


_decode_json = msgspec.json.Decoder().decode


def _stored_lead(row: sa.Row[t.Any]) -> StoredLead:
    """A lead row; ``attributes`` arrives as JSON text from a driver-level (SQLite) lookup."""
    lead_id, email, status, org_id, source_id, first_name, last_name, attributes = row
    if isinstance(attributes, str):
        attributes = _decode_json(attributes)
    return StoredLead(lead_id, email, status, org_id, source_id, first_name, last_name, attributes)


def leads_by_email(conn: sa.Connection, emails: Iterable[str]) -> dict[str, StoredLead]:
    """The stored leads among ``emails`` (normalised)."""
    rows = _stored_leads(conn, "leads_by_email", leads.c.email, set(emails))
    return {row[1]: _stored_lead(row) for row in rows}


def leads_by_source(
    conn: sa.Connection, keys: Iterable[SourceKey]
) -> dict[SourceKey, list[StoredLead]]:
    """The stored leads that came from each (source_org_id, source_id)."""
    wanted = set(keys)
    found: dict[SourceKey, list[StoredLead]] = defaultdict(list)
    source_ids = {source_id for _, source_id in wanted}
    rows = _stored_leads(conn, "leads_by_source", leads.c.source_id, source_ids)
    for row in rows:
        lead = _stored_lead(row)
        key = (lead.source_org_id, lead.source_id)
        if key in wanted:
            found[key].append(lead)  # type: ignore[index]
    return dict(found)


def _literal_list(values: Iterable[str]) -> list[sa.ColumnElement[str]]:
    """Constants of the code (outcome and reason names) inlined in a statement compiled once."""
    return [sa.literal_column(f"'{value}'") for value in sorted(values)]


def emails_seen_in_runs(
    conn: sa.Connection, run_ids: Sequence[int], emails: Iterable[str]
) -> set[tuple[int, str]]:
    """(run_id, email) pairs already counted in those runs by earlier batches.

    An email "came earlier" when a record with it was added, updated or re-added, or was
    ignored only because the lead is unsubscribed or bounced (see ``classify.SEEN_REASONS``).

    Each email probes ``ix_lead_outcomes_run_email`` (on PostgreSQL, one ``LATERAL`` probe per
    key: asked as ``email = ANY(:keys)``, the planner read all of the run's outcomes at every
    batch; see :mod:`lead_store.postgres_keys`).
    """

    counted = sa.or_(
        lead_outcomes.c.outcome.in_(_literal_list(o.value for o in JOINING_OUTCOMES)),
        lead_outcomes.c.reason.in_(_literal_list(r.value for r in SEEN_REASONS)),
    )
    run = lead_outcomes.c.run_id == sa.bindparam("run_id", type_=lead_outcomes.c.run_id.type)
    pairs = sa.select(lead_outcomes.c.run_id, lead_outcomes.c.email)
    wanted = set(emails)
    seen: set[tuple[int, str]] = set()
    for run_id in sorted(set(run_ids)):
        if json_batches(conn):
            selected = (lead_outcomes.c.run_id, lead_outcomes.c.email)
            query = probe_each_key(selected, (run, counted), lead_outcomes.c.email)
            rows: Iterable[sa.Row[t.Any]] = conn.execute(
                query, {"run_id": run_id, "keys": sorted(wanted)}
            )
        else:
            rows = lookup(
                conn,
                "emails_seen_in_runs",
                lambda: pairs.where(run, lead_outcomes.c.email.in_(in_keys()), counted),
                wanted,
                {"run_id": run_id},
            )
        seen.update((found_run, email) for found_run, email in rows)
    return seen


LEAD_ROW_KEYS = (
    "email",
    "status",
    "first_name",
    "last_name",
    "attributes",
    "source_system",
    "source_org_id",
    "source_id",
    "source_modified_at",
)
"""The keys of a lead row given to :func:`upsert_leads`."""


def _keep_suppressed_upsert(stmt: t.Any) -> sa.Executable:
    """``ON CONFLICT (email) DO UPDATE`` that keeps an unsubscribed or bounced status."""
    # Constants inlined: executemany cannot expand an IN list of bound parameters.
    suppressed: list[sa.ColumnElement[str]] = [
        sa.literal_column(f"'{status}'") for status in sorted(SUPPRESSED_STATUSES)
    ]
    keep_suppressed = sa.case(
        (leads.c.status.in_(suppressed), leads.c.status),
        else_=stmt.excluded.status,
    )
    updated = {
        name: stmt.excluded[name] for name in LEAD_ROW_KEYS if name not in ("email", "status")
    }
    updated["updated_at"] = sa.func.current_timestamp()
    return t.cast(
        "sa.Executable",
        stmt.on_conflict_do_update(
            index_elements=[leads.c.email], set_={**updated, "status": keep_suppressed}
        ),
    )


def _upsert_leads_from(batch: BatchRows) -> sa.Executable:
    now = sa.func.current_timestamp()
    rows = sa.select(
        *(batch.value(key) for key in LEAD_ROW_KEYS),
        now.label("created_at"),
        now.label("updated_at"),
    ).order_by(batch.value("email"))
    insert = batch.insert(leads).from_select([*LEAD_ROW_KEYS, "created_at", "updated_at"], rows)
    upsert = _keep_suppressed_upsert(insert)
    return t.cast("sa.Executable", upsert.returning(leads.c.email, leads.c.id))  # type: ignore[attr-defined]


def upsert_leads(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> dict[str, int]:
    """Insert or update leads by email; return their ids by email. A suppressed status
    (unsubscribed, bounced) is kept.

    Each row: the keys of :data:`LEAD_ROW_KEYS`, one row per email. Rows are written in email
    order so concurrent runs take row locks in the same order. ``created_at`` / ``updated_at``
    come from the database clock (one value per statement, not one bound parameter per row).
    The ids let memberships and links name their lead directly, with no lookup by email.
    """
    ordered = sorted(rows, key=operator.itemgetter("email"))
    returned = execute_rows(conn, "upsert_leads", _LEAD_COLUMNS, _upsert_leads_from, ordered)
    return {email: int(lead_id) for email, lead_id in returned}


_LEAD_COLUMNS = tuple(leads.c[key] for key in LEAD_ROW_KEYS)


def mark_deleted(conn: sa.Connection, lead_ids: Iterable[int], now: dt.datetime) -> None:
    """Mark leads deleted (tombstones), leaving unsubscribed and bounced ones as they are."""
    ids = sorted(set(lead_ids))
    for chunk in chunks(ids):
        conn.execute(
            sa.update(leads)
            .where(leads.c.id.in_(chunk), leads.c.status.not_in(sorted(SUPPRESSED_STATUSES)))
            .values(status="deleted", updated_at=now)
        )


OUTCOME_KEYS = (
    "run_id",
    "position",
    "email",
    "outcome",
    "reason",
    "detail",
    "source_org_id",
    "source_id",
    "departure",
    "changes",
)
"""The keys of an outcome row given to :func:`insert_outcomes`."""

OUTCOME_PAGE = 10_000
"""Outcome rows read or written at a time when a run's plan is moved (:func:`stream_outcomes`)."""


_MEMBER_COLUMNS = (list_members.c.list_id, list_members.c.lead_id, list_members.c.joined_at)


def _add_members_from(batch: BatchRows) -> sa.Executable:
    keys = ("list_id", "lead_id", "joined_at")
    rows = sa.select(*(batch.value(key) for key in keys)).order_by(
        batch.value("list_id"), batch.value("lead_id")
    )
    insert = batch.insert(list_members).from_select(keys, rows)
    return t.cast(
        "sa.Executable",
        insert.on_conflict_do_nothing(
            index_elements=[list_members.c.list_id, list_members.c.lead_id]
        ),
    )


def add_members(conn: sa.Connection, pairs: Iterable[tuple[int, int]], now: dt.datetime) -> None:
    """Put leads on lists, by (list_id, lead_id); members stay as they are.

    Pairs are written in (list, lead) order so concurrent runs take locks in the same order.
    """
    rows = [
        {"list_id": list_id, "lead_id": lead_id, "joined_at": now}
        for list_id, lead_id in sorted(set(pairs))
    ]
    execute_rows(conn, "add_members", _MEMBER_COLUMNS, _add_members_from, rows)


def _remove_members_statement() -> sa.Executable:
    lead_id = (
        sa.select(leads.c.id)
        .where(leads.c.email == sa.bindparam("email", type_=leads.c.email.type))
        .scalar_subquery()
    )
    return sa.delete(list_members).where(
        list_members.c.list_id == sa.bindparam("list_id", type_=list_members.c.list_id.type),
        list_members.c.lead_id == lead_id,
    )


def remove_members(conn: sa.Connection, pairs: Iterable[tuple[int, str]]) -> None:
    """Take the leads of (list_id, email) pairs off their lists."""
    rows = [{"list_id": li, "email": email} for li, email in sorted(set(pairs))]
    if rows:
        bulk = bulk_statement(
            conn, "remove_members", _remove_members_statement, ("list_id", "email")
        )
        executemany(conn, bulk, rows)


def remove_deleted_from_lists(conn: sa.Connection, emails: Iterable[str]) -> None:
    """Take leads whose status is now ``deleted`` off every list they are on."""
    chosen = sorted(set(emails))
    for chunk in chunks(chosen):
        deleted = sa.select(leads.c.id).where(leads.c.email.in_(chunk), leads.c.status == "deleted")
        conn.execute(sa.delete(list_members).where(list_members.c.lead_id.in_(deleted)))


_OUTCOME_COLUMNS = tuple(lead_outcomes.c[key] for key in OUTCOME_KEYS)


def _insert_outcomes_from(batch: BatchRows) -> sa.Executable:
    rows = sa.select(*(batch.value(key) for key in OUTCOME_KEYS))
    return sa.insert(lead_outcomes).from_select(list(OUTCOME_KEYS), rows)


def stream_outcomes(conn: sa.Connection, run_ids: Sequence[int]) -> Iterator[dict[str, t.Any]]:
    """The stored outcome rows of runs (the keys of :data:`OUTCOME_KEYS`), a page at a time."""
    query = (
        sa.select(*(lead_outcomes.c[key] for key in OUTCOME_KEYS))
        .where(lead_outcomes.c.run_id.in_(sorted(run_ids)))
        .order_by(lead_outcomes.c.run_id, lead_outcomes.c.position)
        .execution_options(yield_per=OUTCOME_PAGE)
    )
    with conn.execute(query) as result:
        for row in result:
            yield dict(zip(OUTCOME_KEYS, row, strict=True))


def insert_outcomes(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> None:
    """Store per-record outcomes: the keys of :data:`OUTCOME_KEYS`."""
    execute_rows(conn, "insert_outcomes", _OUTCOME_COLUMNS, _insert_outcomes_from, rows)


def leads_by_id(conn: sa.Connection, ids: Iterable[int]) -> dict[int, StoredLead]:
    """The stored leads with these ids."""
    rows = _stored_leads(conn, "leads_by_id", leads.c.id, set(ids))
    return {row[0]: _stored_lead(row) for row in rows}
