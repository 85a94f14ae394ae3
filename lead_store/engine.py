"""SQLAlchemy engines for the lead store: SQLite by default, PostgreSQL by URL.

Concurrency: two targets may write to one store at once.

- SQLite: every transaction starts with ``BEGIN IMMEDIATE`` so a writer takes the database's
  write lock up front; a second writer waits for it (up to ``lock_timeout`` seconds) instead
  of failing half-way with "database is locked". WAL journaling lets readers such as the
  ``marketing-leads`` CLI read while a run writes.
  Connections opened with the ``READ_ONLY`` execution option start a plain ``BEGIN`` and
  read the last committed state without waiting.
- PostgreSQL: row-level upserts (``INSERT ... ON CONFLICT``); a writer that needs a row another
  run holds waits for it, up to ``lock_timeout``.

Statement parameters are hidden from error messages: they hold people's emails and names.

JSON columns (a lead's ``attributes``) are written with the SDK's msgspec encoder: records are
read with decimals as ``Decimal`` (as the SDK's readers do), which ``json.dumps`` refuses, and
it is several times faster.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from singer_sdk.contrib.msgspec import encoder
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from lead_store.errors import StoreError

DEFAULT_DATABASE_URL = "sqlite:///marketing_leads.db"
DEFAULT_LOCK_TIMEOUT_SECONDS = 600
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
SQLITE_CACHE_KIB = 48 * 1024
"""SQLite's page cache per connection, at most (filled only as pages are read).

Why: a run writes in one transaction, so SQLite cannot checkpoint and every page it drops from
its cache must be found again in the growing write-ahead log. With the default 2 MiB, each
batch of a first load of a million leads cost more than the one before (the last tenth 1.68x
the first, ``bench/bench_target.py --sizes 1000000``); with 48 MiB it ran 0.95x (peak RSS 157
MiB). 128 MiB was as linear but slower on 100,000 leads."""
READ_ONLY = "marketing_leads_read_only"
"""Execution option of connections that only read: on SQLite they do not wait for a writer."""


def redacted(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def json_text(value: t.Any) -> str:
    """A JSON column value as text; decimals are written as JSON numbers, exactly."""
    return encoder.encode(value).decode()


def _sqlite_engine(url: sa.URL, lock_timeout: float) -> Engine:
    engine = sa.create_engine(
        url,
        connect_args={"timeout": lock_timeout},
        hide_parameters=True,
        json_serializer=json_text,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: t.Any, _record: t.Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: sa.URL, lock_timeout: float) -> Engine:
    options = f"-c lock_timeout={int(lock_timeout * 1000)}"
    return sa.create_engine(
        url,
        connect_args={"connect_timeout": 10, "options": options},
        hide_parameters=True,
        json_serializer=json_text,
    )


def create_store_engine(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS) -> Engine:
    """An engine for ``url``; raise :class:`StoreError` for a URL the store cannot use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        msg = f"database_url is not a SQLAlchemy URL: {redacted(url)}"
        raise StoreError(msg) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, lock_timeout)
    if backend == "postgresql":
        return _postgres_engine(parsed, lock_timeout)
    msg = (
        f"database_url {redacted(url)} uses '{backend}'; the lead store supports "
        f"{' and '.join(SUPPORTED_BACKENDS)} (e.g. sqlite:///marketing_leads.db or "
        "postgresql+psycopg://user:password@host/db)."
    )
    raise StoreError(msg)
