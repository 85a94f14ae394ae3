"""The target's reads and writes on the store: parameterised, batched, one round trip per kind.

Every statement is built with SQLAlchemy Core (bound parameters, never string formatting) and
runs on the caller's connection, inside the caller's transaction: the run decides when to commit.
Lookups take a whole batch of keys (``IN`` lists, chunked below the drivers' parameter limits);
writes are ``executemany``. Upserts use the dialect's ``INSERT ... ON CONFLICT`` so that two runs
writing the same lead concurrently serialise on that row (PostgreSQL) instead of failing.

The three writes made once per lead (upsert, membership, outcome) are compiled by SQLAlchemy
once per dialect and sent with ``Connection.exec_driver_sql``: still bound parameters, still
SQLAlchemy's type conversions (:class:`BulkStatement`), but without SQLAlchemy's per-row
parameter bookkeeping, which cost more than the database's own work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import operator
import typing as t
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from lead_store.postgres_arrays import Unnested, any_of
from lead_store.schema import (
    lead_links,
    lead_outcomes,
    leads,
    list_members,
    mailing_lists,
    runs,
)
from lead_store.vocabulary import JOINING_OUTCOMES, SEEN_REASONS, SUPPRESSED_STATUSES, RunStatus

IN_CHUNK = 1000
"""Keys per IN list. Every list is padded to exactly this length (with NULL, which matches
nothing) so each lookup is one SQL text: drivers cache prepared statements by text, and one
prepared statement per distinct list length would pile up in memory over a long run."""

SourceKey = tuple[str, str]
LinkKey = tuple[int, str, str, str, str]
"""A link's key: (list_id, sync_name, source_system, source_org_id, source_id)."""
LINK_KEYS = ("list_id", "sync_name", "source_system", "source_org_id", "source_id")
DEFAULT_SOURCE_SYSTEM = "zoho_invoice"
"""The source system of a record that names none (the mapper's default)."""


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


@dataclass(frozen=True)
class StoredLinks:
    """The links a batch's leaving records (tombstones, ``removed``) act on, as stored.

    ``leads`` holds every lead one of them may take off a list; ``held`` every live link of
    those leads (any list, any sync), and ``members`` their list memberships, so the planner can
    tell whether a lead stays on a list, leaves it or is no longer held at all.
    """

    by_contact: dict[LinkKey, int]
    leads: dict[int, StoredLead]
    held: dict[int, list[LinkKey]]
    members: set[tuple[int, int]]


NO_LINKS = StoredLinks({}, {}, {}, set())


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


@dataclass(frozen=True)
class BulkStatement:
    """A statement compiled once for a dialect, and how to turn row dicts into its parameters.

    ``conn.execute(stmt, rows)`` compiles from a cache but then builds every row's parameters
    through the compiler (escaping, type processing, one dict per row); here the SQL text, the
    parameter order and each column's bind processor (SQLAlchemy's own: ``UTCDateTime``, JSON)
    are worked out once, and each row costs one tuple (or dict, for named paramstyles).
    """

    sql: str
    names: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[t.Any], t.Any]], ...]
    positional: bool

    @classmethod
    def compile(
        cls, stmt: sa.Executable, dialect: sa.Dialect, keys: Sequence[str]
    ) -> BulkStatement:
        """Compile ``stmt`` for rows with ``keys``: the bound columns of an INSERT, or the
        names of the statement's own bind parameters."""
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
        unknown = set(names) - set(keys)
        if unknown:
            msg = f"bulk statement has parameters {sorted(unknown)} that rows do not carry"
            raise ValueError(msg)
        processors = []
        for index, name in enumerate(names):
            type_ = compiled.binds[name].type
            process = type_.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((index, process))
        return cls(compiled.string, names, tuple(processors), compiled.positional)

    def parameters(self, rows: Iterable[dict[str, t.Any]]) -> list[t.Any]:
        """The driver's parameters for ``rows``, type-processed.

        Column by column: each processed column goes through its processor in one ``map``
        (no Python loop per row); a column holding one object for every row (a batch's one
        timestamp) is converted once.
        """
        pick = operator.itemgetter(*self.names)
        if len(self.names) == 1:
            tuples: list[tuple[t.Any, ...]] = [(pick(row),) for row in rows]
        else:
            tuples = list(map(pick, rows))
        if self.processors and tuples:
            columns: list[t.Sequence[t.Any]] = list(zip(*tuples, strict=True))
            for index, process in self.processors:
                column = columns[index]
                if len(set(map(id, column))) == 1:
                    columns[index] = [process(column[0])] * len(column)
                else:
                    columns[index] = list(map(process, column))
            tuples = list(zip(*columns, strict=True))
        if self.positional:
            return tuples
        return [dict(zip(self.names, values, strict=True)) for values in tuples]


_BULK: dict[tuple[str, str, str], BulkStatement] = {}
"""Compiled bulk statements by (dialect, driver, statement name): a handful, for the process."""


def _bulk(
    conn: sa.Connection,
    name: str,
    build: Callable[[], sa.Executable],
    keys: Sequence[str],
) -> BulkStatement:
    key = (conn.dialect.name, conn.dialect.driver, name)
    bulk = _BULK.get(key)
    if bulk is None:
        bulk = _BULK[key] = BulkStatement.compile(build(), conn.dialect, keys)
    return bulk


def _executemany(
    conn: sa.Connection, bulk: BulkStatement, rows: Iterable[dict[str, t.Any]]
) -> None:
    params = bulk.parameters(rows)
    if params:
        conn.exec_driver_sql(bulk.sql, params)


_KEY_NAMES = tuple(f"k{i}" for i in range(IN_CHUNK))
"""Bind names of the ``IN`` list of a lookup compiled once."""


def _in_keys() -> list[sa.BindParameter[t.Any]]:
    """``IN_CHUNK`` bind parameters for an ``IN`` list of a lookup compiled once."""
    return [sa.bindparam(name) for name in _KEY_NAMES]


def _lookup(
    conn: sa.Connection,
    name: str,
    build: Callable[[], sa.Executable],
    values: Iterable[t.Any],
    fixed: dict[str, t.Any] | None = None,
) -> Iterator[sa.Row[t.Any]]:
    """Rows of a lookup whose ``IN`` list takes ``values``, ``IN_CHUNK`` at a time."""
    fixed = fixed or {}
    bulk = _bulk(conn, name, build, (*_KEY_NAMES, *fixed))
    for chunk in _chunks(values):
        row = dict(zip(_KEY_NAMES, chunk, strict=True), **fixed)
        yield from conn.exec_driver_sql(bulk.sql, bulk.parameters([row])[0])


def _arrays(conn: sa.Connection) -> bool:
    """Whether batches travel as arrays (PostgreSQL: :mod:`lead_store.postgres_arrays`)."""
    return bool(conn.dialect.name == "postgresql")


_ARRAY_STATEMENTS: dict[str, tuple[Unnested, sa.Executable]] = {}
"""Array statements by name, built once per process (SQLAlchemy caches their compiled form)."""


def _execute_arrays(
    conn: sa.Connection,
    name: str,
    build: Callable[[], tuple[Unnested, sa.Executable]],
    rows: Sequence[dict[str, t.Any]],
) -> None:
    """Run an array statement once for all ``rows``."""
    built = _ARRAY_STATEMENTS.get(name)
    if built is None:
        built = _ARRAY_STATEMENTS[name] = build()
    batch, statement = built
    conn.execute(statement, batch.parameters(rows, conn.dialect))


def dialect_insert(conn: sa.Connection, table: sa.Table) -> t.Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


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
    if _arrays(conn):
        query = sa.select(*_LEAD_KEYS).where(any_of(column, "keys"))
        return conn.execute(query, {"keys": sorted(keys)})
    return _lookup(conn, name, lambda: sa.select(*_LEAD_KEYS).where(column.in_(_in_keys())), keys)


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


LinkedContact = tuple[str, str, str]
"""(source_system, source_org_id, source_id) of a contact linked to a lead."""


@contextlib.contextmanager
def hash_anti_join(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, no nested loop for the statements inside (this transaction only).

    Why: inside a run's transaction the statistics predate the run's own outcomes, so the
    planner takes them for a handful of rows and joins them to the links in a nested loop:
    the run's outcomes read once per link. With nested loops off it hashes them once.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        conn.exec_driver_sql("RESET enable_nestloop")


def links_missing_from_run(
    conn: sa.Connection, *, list_id: int, sync_name: str, run_id: int
) -> list[LinkedContact]:
    """Contacts linked to leads of (sync, list) that have no outcome in ``run_id``.

    One set-based anti-join: the links of (sync, list) by primary-key prefix against the run's
    outcomes by ``run_id``, each read once. PostgreSQL runs ``NOT EXISTS`` as a hash anti-join
    (:func:`hash_anti_join`); SQLite would run a correlated ``NOT EXISTS`` once per link, so it
    gets ``NOT IN``, which it evaluates once into a temporary index. (PostgreSQL keeps
    ``NOT IN`` hashed only while the run's outcomes fit in ``work_mem``.) No index on the
    outcomes' source keys is needed: ``tests/target/test_query_plans.py`` checks both plans.
    """
    with hash_anti_join(conn):
        rows = conn.execute(
            _links_missing_from_run(conn),
            {"list_id": list_id, "sync_name": sync_name, "run_id": run_id},
        )
        return [(row[0], row[1], row[2]) for row in rows]


def _links_missing_from_run(conn: sa.Connection) -> sa.Select[t.Any]:
    seen = sa.select(lead_outcomes.c.source_org_id, lead_outcomes.c.source_id).where(
        lead_outcomes.c.run_id == sa.bindparam("run_id")
    )
    link_key = (lead_links.c.source_org_id, lead_links.c.source_id)
    if conn.dialect.name == "postgresql":
        unseen: sa.ColumnElement[bool] = ~(
            seen.where(
                lead_outcomes.c.source_org_id == link_key[0],
                lead_outcomes.c.source_id == link_key[1],
            ).exists()
        )
    else:
        # Outcomes always carry both keys (validation stops a run without them): NOT IN's
        # NULL semantics cannot hide a link here.
        unseen = sa.tuple_(*link_key).not_in(seen)
    return (
        sa.select(lead_links.c.source_system, *link_key)
        .where(
            lead_links.c.list_id == sa.bindparam("list_id"),
            lead_links.c.sync_name == sa.bindparam("sync_name"),
            unseen,
        )
        .order_by(lead_links.c.source_system, *link_key)
    )


def _literal_list(values: Iterable[str]) -> list[sa.ColumnElement[str]]:
    """Constants of the code (outcome and reason names) inlined in a statement compiled once."""
    return [sa.literal_column(f"'{value}'") for value in sorted(values)]


def emails_seen_in_runs(
    conn: sa.Connection, run_ids: Sequence[int], emails: Iterable[str]
) -> set[tuple[int, str]]:
    """(run_id, email) pairs already counted in those runs by earlier batches.

    An email "came earlier" when a record with it was added, updated or re-added, or was
    ignored only because the lead is unsubscribed or bounced (see ``classify.SEEN_REASONS``).
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
        if _arrays(conn):
            query = pairs.where(run, any_of(lead_outcomes.c.email, "keys"), counted)
            rows: Iterable[sa.Row[t.Any]] = conn.execute(
                query, {"run_id": run_id, "keys": sorted(wanted)}
            )
        else:
            rows = _lookup(
                conn,
                "emails_seen_in_runs",
                lambda: pairs.where(run, lead_outcomes.c.email.in_(_in_keys()), counted),
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


def _upsert_leads_statement(conn: sa.Connection) -> sa.Executable:
    stmt = dialect_insert(conn, leads).values(
        created_at=sa.func.current_timestamp(), updated_at=sa.func.current_timestamp()
    )
    return _keep_suppressed_upsert(stmt)


def _upsert_leads_from_arrays() -> tuple[Unnested, sa.Executable]:
    batch = Unnested.of([leads.c[key] for key in LEAD_ROW_KEYS])
    now = sa.func.current_timestamp()
    rows = sa.select(
        *(batch.value(key) for key in LEAD_ROW_KEYS),
        now.label("created_at"),
        now.label("updated_at"),
    ).order_by(batch.value("email"))
    insert = postgresql.insert(leads).from_select(
        [*LEAD_ROW_KEYS, "created_at", "updated_at"], rows
    )
    return batch, _keep_suppressed_upsert(insert)


def upsert_leads(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> None:
    """Insert or update leads by email. A suppressed status (unsubscribed, bounced) is kept.

    Each row: the keys of :data:`LEAD_ROW_KEYS`, one row per email. Rows are written in email
    order so concurrent runs take row locks in the same order. ``created_at`` / ``updated_at``
    come from the database clock (one value per statement, not one bound parameter per row).
    """
    if not rows:
        return
    if _arrays(conn):
        _execute_arrays(conn, "upsert_leads", _upsert_leads_from_arrays, rows)
        return
    bulk = _bulk(conn, "upsert_leads", lambda: _upsert_leads_statement(conn), LEAD_ROW_KEYS)
    _executemany(conn, bulk, sorted(rows, key=operator.itemgetter("email")))


def mark_deleted(conn: sa.Connection, lead_ids: Iterable[int], now: dt.datetime) -> None:
    """Mark leads deleted (tombstones), leaving unsubscribed and bounced ones as they are."""
    ids = sorted(set(lead_ids))
    for chunk in _chunks(ids):
        conn.execute(
            sa.update(leads)
            .where(leads.c.id.in_(chunk), leads.c.status.not_in(sorted(SUPPRESSED_STATUSES)))
            .values(status="deleted", updated_at=now)
        )


MEMBER_KEYS = ("list_id", "email", "joined_at")
"""The keys of a membership row given to :func:`add_members` (the lead named by its email)."""

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


def _add_members_statement(conn: sa.Connection) -> sa.Executable:
    """INSERT ... SELECT: the lead's id is looked up by email in the statement itself."""
    source = sa.select(
        sa.cast(sa.bindparam("list_id"), list_members.c.list_id.type),
        leads.c.id,
        sa.bindparam("joined_at", type_=list_members.c.joined_at.type),
    ).where(leads.c.email == sa.bindparam("email", type_=leads.c.email.type))
    stmt = dialect_insert(conn, list_members).from_select(
        ["list_id", "lead_id", "joined_at"], source
    )
    return t.cast(
        "sa.Executable",
        stmt.on_conflict_do_nothing(
            index_elements=[list_members.c.list_id, list_members.c.lead_id]
        ),
    )


def _add_members_from_arrays() -> tuple[Unnested, sa.Executable]:
    batch = Unnested.of([list_members.c.list_id, leads.c.email, list_members.c.joined_at])
    # A scalar subquery per row, not a join: it probes the email index row by row, where a join
    # may hash the whole leads table when its statistics still describe it as small.
    lead_id = (
        sa.select(leads.c.id).where(leads.c.email == batch.value("email")).scalar_subquery()
    ).label("lead_id")
    # Every lead joining a list was upserted earlier in the same batch: a missing one is a bug,
    # and lead_id's NOT NULL stops the run rather than dropping the membership silently.
    rows = sa.select(batch.value("list_id"), lead_id, batch.value("joined_at")).order_by(
        batch.value("list_id"), batch.value("email")
    )
    insert = postgresql.insert(list_members).from_select(["list_id", "lead_id", "joined_at"], rows)
    return batch, insert.on_conflict_do_nothing(
        index_elements=[list_members.c.list_id, list_members.c.lead_id]
    )


def add_members(conn: sa.Connection, pairs: Iterable[tuple[int, str]], now: dt.datetime) -> None:
    """Put the leads of (list_id, email) pairs on their lists; members stay as they are.

    Pairs are written in (list, email) order so concurrent runs take locks in the same order.
    """
    rows = [{"list_id": li, "email": email, "joined_at": now} for li, email in sorted(set(pairs))]
    if rows and _arrays(conn):
        _execute_arrays(conn, "add_members", _add_members_from_arrays, rows)
    elif rows:
        _executemany(
            conn,
            _bulk(conn, "add_members", lambda: _add_members_statement(conn), MEMBER_KEYS),
            rows,
        )


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
        bulk = _bulk(conn, "remove_members", _remove_members_statement, ("list_id", "email"))
        _executemany(conn, bulk, rows)


def remove_deleted_from_lists(conn: sa.Connection, emails: Iterable[str]) -> None:
    """Take leads whose status is now ``deleted`` off every list they are on."""
    chosen = sorted(set(emails))
    for chunk in _chunks(chosen):
        deleted = sa.select(leads.c.id).where(leads.c.email.in_(chunk), leads.c.status == "deleted")
        conn.execute(sa.delete(list_members).where(list_members.c.lead_id.in_(deleted)))


def _insert_outcomes_from_arrays() -> tuple[Unnested, sa.Executable]:
    batch = Unnested.of([lead_outcomes.c[key] for key in OUTCOME_KEYS])
    rows = sa.select(*(batch.value(key) for key in OUTCOME_KEYS))
    return batch, sa.insert(lead_outcomes).from_select(list(OUTCOME_KEYS), rows)


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
    if rows and _arrays(conn):
        _execute_arrays(conn, "insert_outcomes", _insert_outcomes_from_arrays, rows)
    elif rows:
        bulk = _bulk(conn, "insert_outcomes", lambda: sa.insert(lead_outcomes), OUTCOME_KEYS)
        _executemany(conn, bulk, rows)


def _rows_by_fixed_prefix(
    conn: sa.Connection,
    name: str,
    columns: Sequence[sa.Column[t.Any]],
    fixed: dict[str, t.Any],
    column: sa.Column[t.Any],
    keys: set[t.Any],
    selected: Sequence[sa.ColumnElement[t.Any]],
) -> Iterable[sa.Row[t.Any]]:
    """Rows whose ``columns`` equal ``fixed`` and ``column`` is one of ``keys``: an index probe
    on a key whose last column varies (one array statement on PostgreSQL, IN chunks on SQLite).
    """
    equal = [c == sa.bindparam(c.key, type_=c.type) for c in columns]
    if _arrays(conn):
        query = sa.select(*selected).where(*equal, any_of(column, "keys"))
        return conn.execute(query, {**fixed, "keys": sorted(keys)})
    return _lookup(
        conn,
        name,
        lambda: sa.select(*selected).where(*equal, column.in_(_in_keys())),
        keys,
        fixed,
    )


def links_by_contact(conn: sa.Connection, keys: Iterable[LinkKey]) -> dict[LinkKey, int]:
    """The lead each of these links points to, for the links that exist.

    One lookup per (list, sync, system, organization) of the batch, probing the primary key
    with the batch's contact ids.
    """
    groups: dict[tuple[int, str, str, str], set[str]] = defaultdict(set)
    for list_id, sync_name, system, org, source_id in keys:
        groups[(list_id, sync_name, system, org)].add(source_id)
    prefix = [lead_links.c[name] for name in LINK_KEYS[:-1]]
    found: dict[LinkKey, int] = {}
    for group, source_ids in sorted(groups.items()):
        rows = _rows_by_fixed_prefix(
            conn,
            "links_by_contact",
            prefix,
            dict(zip(LINK_KEYS[:-1], group, strict=True)),
            lead_links.c.source_id,
            source_ids,
            (lead_links.c.source_id, lead_links.c.lead_id),
        )
        for source_id, lead_id in rows:
            found[(*group, source_id)] = int(lead_id)
    return found


def leads_by_id(conn: sa.Connection, ids: Iterable[int]) -> dict[int, StoredLead]:
    """The stored leads with these ids."""
    rows = _stored_leads(conn, "leads_by_id", leads.c.id, set(ids))
    return {row[0]: _stored_lead(row) for row in rows}


def links_of_leads(conn: sa.Connection, lead_ids: Iterable[int]) -> dict[int, list[LinkKey]]:
    """Every live link of these leads, any list and sync (by ``ix_lead_links_lead``)."""
    selected = (lead_links.c.lead_id, *(lead_links.c[name] for name in LINK_KEYS))
    held: dict[int, list[LinkKey]] = defaultdict(list)
    rows = _rows_by_fixed_prefix(
        conn, "links_of_leads", (), {}, lead_links.c.lead_id, set(lead_ids), selected
    )
    for lead_id, *key in rows:
        held[int(lead_id)].append(t.cast("LinkKey", tuple(key)))
    return dict(held)


def memberships_of_leads(conn: sa.Connection, lead_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(list_id, lead_id) of every list these leads are on (by ``ix_list_members_lead``)."""
    selected = (list_members.c.list_id, list_members.c.lead_id)
    rows = _rows_by_fixed_prefix(
        conn, "memberships_of_leads", (), {}, list_members.c.lead_id, set(lead_ids), selected
    )
    return {(int(list_id), int(lead_id)) for list_id, lead_id in rows}


def stored_links(
    conn: sa.Connection, leaving: Iterable[LinkKey], other_lead_ids: Iterable[int]
) -> StoredLinks:
    """What the planner needs to end the ``leaving`` links and judge ``other_lead_ids`` too.

    Four index lookups per batch, and only for a batch with leaving records: the links of the
    leaving contacts, then the leads they and ``other_lead_ids`` name, those leads' links and
    their memberships. Cost follows the batch and the links of its leads, not the store's size.
    """
    wanted = set(leaving)
    if not wanted:
        return NO_LINKS
    by_contact = links_by_contact(conn, wanted)
    ids = set(by_contact.values()) | set(other_lead_ids)
    if not ids:
        return StoredLinks(by_contact, {}, {}, set())
    return StoredLinks(
        by_contact,
        leads_by_id(conn, ids),
        links_of_leads(conn, ids),
        memberships_of_leads(conn, ids),
    )


LINK_ROW_KEYS = (*LINK_KEYS, "email", "linked_at")
"""The keys of a link row given to :func:`set_links` (the lead named by its email)."""


def _keep_linked_at(stmt: t.Any) -> sa.Executable:
    """``ON CONFLICT`` of a link: point it at the new lead; ``linked_at`` changes with the lead."""
    same_lead = lead_links.c.lead_id == stmt.excluded.lead_id
    linked_at = sa.case((same_lead, lead_links.c.linked_at), else_=stmt.excluded.linked_at)
    return t.cast(
        "sa.Executable",
        stmt.on_conflict_do_update(
            index_elements=[lead_links.c[name] for name in LINK_KEYS],
            set_={"lead_id": stmt.excluded.lead_id, "linked_at": linked_at},
        ),
    )


def _set_links_statement(conn: sa.Connection) -> sa.Executable:
    source = sa.select(
        *(sa.bindparam(name, type_=lead_links.c[name].type) for name in LINK_KEYS),
        leads.c.id,
        sa.bindparam("linked_at", type_=lead_links.c.linked_at.type),
    ).where(leads.c.email == sa.bindparam("email", type_=leads.c.email.type))
    stmt = dialect_insert(conn, lead_links).from_select(
        [*LINK_KEYS, "lead_id", "linked_at"], source
    )
    return _keep_linked_at(stmt)


def _set_links_from_arrays() -> tuple[Unnested, sa.Executable]:
    batch = Unnested.of(
        [*(lead_links.c[name] for name in LINK_KEYS), leads.c.email, lead_links.c.linked_at]
    )
    # A scalar subquery per row probes the email index (see _add_members_from_arrays).
    lead_id = (
        sa.select(leads.c.id).where(leads.c.email == batch.value("email")).scalar_subquery()
    ).label("lead_id")
    keys = [batch.value(name) for name in LINK_KEYS]
    rows = sa.select(*keys, lead_id, batch.value("linked_at")).order_by(*keys)
    insert = postgresql.insert(lead_links).from_select([*LINK_KEYS, "lead_id", "linked_at"], rows)
    return batch, _keep_linked_at(insert)


def set_links(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> None:
    """Link source contacts to the leads of their emails: insert, or move an existing link.

    Each row: the keys of :data:`LINK_ROW_KEYS`, one row per link, the lead already upserted.
    Written in key order so concurrent runs take locks in the same order. A moved link keeps
    nothing of its old lead: whether that lead stays on its list is the planner's business.
    """
    ordered = sorted(rows, key=operator.itemgetter(*LINK_KEYS))
    if ordered and _arrays(conn):
        _execute_arrays(conn, "set_links", _set_links_from_arrays, ordered)
    elif ordered:
        bulk = _bulk(conn, "set_links", lambda: _set_links_statement(conn), LINK_ROW_KEYS)
        _executemany(conn, bulk, ordered)


def _end_links_statement() -> sa.Executable:
    return sa.delete(lead_links).where(
        *(
            lead_links.c[name] == sa.bindparam(name, type_=lead_links.c[name].type)
            for name in LINK_KEYS
        )
    )


def end_links(conn: sa.Connection, keys: Iterable[LinkKey]) -> None:
    """Delete these links (by primary key, in key order)."""
    rows = [dict(zip(LINK_KEYS, key, strict=True)) for key in sorted(set(keys))]
    if rows:
        _executemany(conn, _bulk(conn, "end_links", _end_links_statement, LINK_KEYS), rows)
