"""Creates and migrates the lead store's schema: versioned, ordered steps, no external tool.

A new store gets the newest tables at once (``metadata.create_all``) and every step recorded as
applied. A store made by an older version is brought up to date by running, in order, the steps
above its version, inside one transaction; a store made by a newer version is refused with a
clear error rather than written with an older idea of the schema.

The whole check-and-upgrade runs in one transaction that holds the store's write lock
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so two targets opening a fresh
store at the same moment do not both create it.

To change the schema: edit :mod:`.schema` (the newest shape) and append a :class:`Migration`
whose ``upgrade`` turns the previous version into it.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass

import sqlalchemy as sa

from lead_store import schema
from lead_store.engine import (
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    READ_ONLY,
    create_store_engine,
    redacted,
)
from lead_store.errors import StoreError

_PG_SCHEMA_LOCK_KEY = 7_304_112_451
"""An arbitrary constant naming the advisory lock that serialises schema upgrades."""


def _add_column(conn: sa.Connection, table: sa.Table, column_name: str) -> None:
    column = table.c[column_name]
    column_type = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column_type}")


def _v2_outcome_detail_and_reason_counts(conn: sa.Connection) -> None:
    _add_column(conn, schema.lead_outcomes, "detail")
    _add_column(conn, schema.runs, "ignored_reasons")


def _v3_indexes(conn: sa.Connection) -> None:
    """Two indexes: a lead found by lead in its memberships, a run's outcomes by position."""
    for table, name in (
        (schema.list_members, "ix_list_members_lead"),
        (schema.lead_outcomes, "ix_lead_outcomes_run_position"),
    ):
        (index,) = (i for i in table.indexes if i.name == name)
        index.create(conn)


def _v4_links_removals_approvals(conn: sa.Connection) -> None:
    """Source-contact links, the ``removed`` count, per-lead changes and approvals."""
    conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN removed INTEGER NOT NULL DEFAULT 0")
    # What an approval of a blocked run allows (``run_approvals``).
    conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN departures INTEGER NOT NULL DEFAULT 0")
    _add_column(conn, schema.lead_outcomes, "changes")
    _add_column(conn, schema.lead_outcomes, "departure")
    schema.lead_links.create(conn)
    schema.run_approvals.create(conn)
    _backfill_links(conn)


_JOINING = ("duplicate", "new", "re_added")
"""``vocabulary.JOINING_OUTCOMES`` as stored in version 3 (spelled out: a migration is frozen)."""


def _backfill_links(conn: sa.Connection) -> None:
    """Link each lead to the contacts whose latest record of a (sync, list) made it join.

    Per (sync, list, organization, contact), the latest outcome (by run, then position) is the
    contact's state in that run's list: if it joined and its lead is still on that list, the
    contact holds the lead there. A later tombstone or an ignored record means it holds nothing.
    One INSERT ... SELECT with a window function (SQLite 3.25+ and PostgreSQL alike); the
    system is the lead's, else ``zoho_invoice`` (the only source before links existed).
    """
    o, r, ld, m = schema.lead_outcomes, schema.runs, schema.leads, schema.list_members
    latest = (
        sa.select(
            r.c.list_id,
            r.c.sync_name,
            o.c.source_org_id,
            o.c.source_id,
            o.c.email,
            o.c.outcome,
            sa.func.coalesce(r.c.finished_at, r.c.started_at).label("linked_at"),
            sa.func.row_number()
            .over(
                partition_by=(r.c.list_id, r.c.sync_name, o.c.source_org_id, o.c.source_id),
                order_by=(o.c.run_id.desc(), o.c.position.desc()),
            )
            .label("newest"),
        )
        .join(r, r.c.id == o.c.run_id)
        .where(o.c.source_org_id.is_not(None), o.c.source_id.is_not(None))
        .subquery("latest")
    )
    links = (
        sa.select(
            latest.c.list_id,
            latest.c.sync_name,
            sa.func.coalesce(ld.c.source_system, "zoho_invoice"),
            latest.c.source_org_id,
            latest.c.source_id,
            ld.c.id,
            latest.c.linked_at,
        )
        .join(ld, ld.c.email == latest.c.email)
        .join(m, sa.and_(m.c.list_id == latest.c.list_id, m.c.lead_id == ld.c.id))
        .where(latest.c.newest == 1, latest.c.outcome.in_(_JOINING))
    )
    columns = ["list_id", "sync_name", "source_system", "source_org_id", "source_id"]
    conn.execute(
        sa.insert(schema.lead_links).from_select([*columns, "lead_id", "linked_at"], links)
    )


@dataclass(frozen=True)
class Migration:
    """One schema version. ``upgrade`` turns version - 1 into this one (None for the baseline)."""

    version: int
    description: str
    upgrade: t.Callable[[sa.Connection], None] | None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "baseline: lists, leads, members, runs, outcomes", None),
    Migration(
        2,
        "lead_outcomes.detail (why a record was ignored) and runs.ignored_reasons",
        _v2_outcome_detail_and_reason_counts,
    ),
    Migration(
        3,
        "indexes: list_members by lead (a lead leaving its lists); lead_outcomes by "
        "(run_id, position) (outcomes paged in input order)",
        _v3_indexes,
    ),
    Migration(
        4,
        "lead_links (source contacts holding each lead, per sync and list), runs.removed, "
        "runs.departures (leads a run took, or would take, off its list), "
        "lead_outcomes.changes and .departure, run_approvals",
        _v4_links_removals_approvals,
    ),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: sa.Connection) -> int:
    """The store's schema version; 0 for an empty database.

    ``leads`` is looked for first: another process creating the store commits both tables at
    once, so with ``leads`` visible, ``schema_version`` is too. Asked the other way round, a
    commit landing between the two questions (PostgreSQL, read committed) made a store being
    created look like a database that is not a lead store.
    """
    inspector = sa.inspect(conn)
    if not inspector.has_table(schema.leads.name):
        return 0
    if not inspector.has_table(schema.schema_version.name):
        msg = "The database has a 'leads' table but no schema_version: not a lead store."
        raise StoreError(msg)
    found = conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar()
    return int(found or 0)


def _record(conn: sa.Connection, steps: t.Iterable[Migration]) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    rows = [{"version": m.version, "description": m.description, "applied_at": now} for m in steps]
    if rows:
        conn.execute(sa.insert(schema.schema_version), rows)


def upgrade(conn: sa.Connection) -> int:
    """Bring the store on ``conn`` to :data:`LATEST_VERSION`; return the version it had."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_SCHEMA_LOCK_KEY)))
    found = current_version(conn)
    if found > LATEST_VERSION:
        msg = (
            f"The lead store has schema version {found}, newer than this target-marketing-leads "
            f"knows ({LATEST_VERSION}). Upgrade the package instead of writing to it."
        )
        raise StoreError(msg)
    if found == 0:
        schema.metadata.create_all(conn)
        _record(conn, MIGRATIONS)
        return found
    pending = [m for m in MIGRATIONS if m.version > found]
    for step in pending:
        if step.upgrade is not None:
            step.upgrade(conn)
    _record(conn, pending)
    return found


def open_store(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS) -> sa.Engine:
    """An engine on an up-to-date store at ``url``, created or migrated as needed."""
    engine = create_store_engine(url, lock_timeout=lock_timeout)
    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
            up_to_date = current_version(conn) == LATEST_VERSION
        if not up_to_date:
            with engine.begin() as conn:
                upgrade(conn)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        msg = f"Cannot open the lead store at {redacted(url)}: {exc.orig}"
        raise StoreError(msg) from exc
    except StoreError:
        engine.dispose()
        raise
    return engine
