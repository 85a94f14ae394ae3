"""One run per sync at a time: a target claims each sync it loads before applying any of it.

Why: two runs of the same sync started together (a schedule firing while a manual
``meltano run`` of the job is still going, two orchestrator workers picking up one job) read
the same source from the same bookmark. On SQLite the second waits for the store's write
lock and then applies its input on top of the first: a second history row counting the same
leads again, and, worse, data read before the first run's changes written over them (a
contact the first run deleted comes back). On PostgreSQL the two would interleave row by row.

How: the first record of a sync makes the target claim that sync; a claim another live run
holds stops this run at once with one clear line, before anything of it is applied (exit 1,
nothing committed, no STATE: Meltano keeps the previous bookmark). A claim is held until the
process ends, so it covers the commit and the STATE after it. Claims are tied to the process,
never to a row that a crash could leave behind: a run killed with SIGKILL frees its claim
with it, and the next run needs no clean-up.

- SQLite: an exclusive ``flock`` on a small file beside the database,
  ``<database>-sync-<digest>.lock`` (one per sync name; the file stays, the lock goes with the
  process). In-memory databases need no guard.
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) keyed by the sync name,
  on a connection of its own; the server frees it when the connection ends.

Different syncs claim different names, so they load into one store at the same time (on
SQLite their transactions still take turns on the write lock; see ``store.engine``).
Orchestrator-level guards complement this one: ``meltano run`` refuses a second run of a job
whose state ID is running (``--force`` overrides it), but only when both share one Meltano
system database; this guard sits in the store, which every runner of a sync shares.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from lead_store.engine import redacted
from lead_store.errors import StoreError


class SyncAlreadyRunning(StoreError):
    """Another live run holds the claim on this sync: this run stops before applying anything."""


def _digest(sync_name: str) -> bytes:
    # surrogatepass: a malformed name must reach validation, which rejects it with one line.
    key = f"target-marketing-leads:sync:{sync_name}".encode(errors="surrogatepass")
    return hashlib.sha256(key).digest()


def _busy_message(sync_name: str) -> str:
    return (
        f"sync '{sync_name}' is already being loaded by another run into this store; this run "
        "applied nothing. Let that run finish (or stop it), then run again: it resumes from the "
        "last committed STATE."
    )


class _SQLiteClaims:
    """Claims as ``flock`` locks on files beside a SQLite database."""

    def __init__(self, database: str) -> None:
        self.database = Path(database)
        self.fds: dict[str, int] = {}

    def claim(self, sync_name: str) -> None:
        lock_path = f"{self.database}-sync-{_digest(sync_name).hex()[:16]}.lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            msg = (
                f"the lead store's folder {self.database.parent} cannot be written "
                f"({exc.strerror}: {lock_path}, the lock that claims sync '{sync_name}'); make "
                "the folder writable (SQLite also writes -wal and -shm files there), then run again"
            )
            raise StoreError(msg) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise SyncAlreadyRunning(_busy_message(sync_name)) from exc
        self.fds[sync_name] = fd

    def release(self) -> None:
        for fd in self.fds.values():
            os.close(fd)  # closing the descriptor drops its flock
        self.fds.clear()


class _PostgresClaims:
    """Claims as session-level advisory locks on a connection held for the run."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, hide_parameters=True, poolclass=sa.pool.NullPool)
        self.conn: sa.Connection | None = None

    def claim(self, sync_name: str) -> None:
        if self.conn is None:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        key = int.from_bytes(_digest(sync_name)[:8], "big", signed=True)
        held = self.conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one()
        if not held:
            raise SyncAlreadyRunning(_busy_message(sync_name))

    def release(self) -> None:
        if self.conn is not None:
            self.conn.close()  # ending the session frees its advisory locks
            self.conn = None
        self.engine.dispose()


class RunGuard:
    """The claims of one target run on the syncs it loads, for the store at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.claimed: set[str] = set()
        self._claims: _SQLiteClaims | _PostgresClaims | None = None
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            database = parsed.database or ""
            if parsed.query.get("uri") and database.startswith("file:"):
                database = database.removeprefix("file:").partition("?")[0]
            if database and database != ":memory:" and "mode=memory" not in str(parsed):
                self._claims = _SQLiteClaims(database)
        elif backend == "postgresql":
            self._claims = _PostgresClaims(url)

    def claim(self, sync_name: str) -> None:
        """Claim ``sync_name`` for this run (once); raise :class:`SyncAlreadyRunning` if taken."""
        if sync_name in self.claimed:
            return
        if self._claims is not None:
            try:
                self._claims.claim(sync_name)
            except sa.exc.OperationalError as exc:
                msg = f"cannot claim sync '{sync_name}' on {redacted(self.url)}: {exc.orig}"
                raise StoreError(msg) from exc
        self.claimed.add(sync_name)

    def release(self) -> None:
        """Give every claim up (also done by the OS / the server when the process ends)."""
        if self._claims is not None:
            self._claims.release()
        self.claimed.clear()
