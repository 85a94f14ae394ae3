"""The store's errors, and one clear line for a store that cannot take a run.

:class:`StoreError` covers a store that cannot be opened or migrated; its message is meant to be
printed as is.

The driver's own words ("database or disk is full", SQLSTATE 53100, ...) say what happened but
not what it means for the run or what to do. :func:`explain` turns the errors a store's
environment causes into a sentence that says both. Other database errors keep the driver's
first line (without the SQL statement and SQLAlchemy's background link); any other error keeps
its own message.
"""

from __future__ import annotations

import sqlalchemy as sa


class StoreError(Exception):
    """The lead store cannot be used (unsupported URL, newer schema version, ...)."""


_ADVICE = {
    "full": "the lead store is out of space ({detail}); free space on its disk, then run again",
    "read_only": (
        "the lead store is read-only ({detail}); make the database file and its folder "
        "writable (SQLite also writes -wal and -shm files beside it), then run again"
    ),
    "cannot_open": (
        "the lead store cannot be opened ({detail}); check that database_url names a folder "
        "that exists and is writable, then run again"
    ),
    "io": "the lead store's disk failed ({detail}); check the disk, then run again",
    "locked": (
        "another run held the lead store for longer than lock_timeout_seconds ({detail}); "
        "run again when it has finished, or raise lock_timeout_seconds"
    ),
}

_SQLITE_KINDS = (
    ("database or disk is full", "full"),
    ("readonly database", "read_only"),
    ("read-only", "read_only"),
    ("unable to open database file", "cannot_open"),
    ("disk i/o error", "io"),
    ("database is locked", "locked"),
)
_POSTGRES_KINDS = {"53100": "full", "25006": "read_only", "55P03": "locked"}
"""SQLSTATE disk_full, read_only_sql_transaction and lock_not_available (lock_timeout)."""


def _kind(orig: BaseException, detail: str) -> str | None:
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _POSTGRES_KINDS:
        return _POSTGRES_KINDS[sqlstate]
    lowered = detail.lower()
    return next((kind for text, kind in _SQLITE_KINDS if text in lowered), None)


def explain(exc: BaseException) -> str:
    """The message to print for ``exc``, on one line."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        lines = str(exc.orig).strip().splitlines()
        detail = lines[0] if lines else type(exc.orig).__name__
        kind = _kind(exc.orig, detail)
        return _ADVICE[kind].format(detail=detail) if kind else f"store error: {detail}"
    return str(exc)
