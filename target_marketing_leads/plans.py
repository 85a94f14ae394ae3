"""Keeping only a run's plan: what a dry run, or a run the removal guard blocks, leaves behind.

Such a run is planned exactly as a real one, inside the same transaction; at the end only its
plan is kept: the run's outcome rows are spooled to a temporary file (constant memory), the
transaction is rolled back, and a new one stores the history rows (status ``planned`` or
``blocked``) and the outcomes again. Planning the real way keeps a dry run's counts those of the
real run that follows, batch boundaries and all; the rollback guarantees that nothing of the plan
(leads, memberships) outlives it, on SQLite and PostgreSQL alike. If one run of the process is
blocked, none is applied: the others are stored ``planned`` (:meth:`.RunSession.commit`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import typing as t
from collections.abc import Sequence

import msgspec
import sqlalchemy as sa

from lead_store import repository as repo

if t.TYPE_CHECKING:
    from target_marketing_leads.session import RunTally


def keep_plans_only(
    conn: sa.Connection,
    tx: sa.RootTransaction,
    tallies: Sequence[RunTally],
    started_at: dt.datetime,
) -> sa.RootTransaction:
    """Roll the run back, then store its history rows and outcomes alone (new run ids).

    Returns the new transaction, uncommitted: the caller writes the runs' counts and commits.
    Each tally's ``run_id`` and ``list_id`` now name the rows of that transaction.
    """
    encode, decode = msgspec.json.Encoder().encode, msgspec.json.Decoder().decode
    with tempfile.TemporaryFile() as spool:
        for row in repo.stream_outcomes(conn, [tally.run_id for tally in tallies]):
            spool.write(encode(row) + b"\n")
        tx.rollback()
        new_tx = conn.begin()
        repo.begin_run(conn)
        run_ids: dict[int, int] = {}
        for tally in tallies:
            planned_id = tally.run_id
            tally.list_id = repo.ensure_list(conn, tally.list_name, started_at)
            tally.run_id = repo.start_run(conn, tally.sync_name, tally.list_id, started_at)
            run_ids[planned_id] = tally.run_id
        spool.seek(0)
        rows: list[dict[str, t.Any]] = []
        for line in spool:
            row = decode(line)
            row["run_id"] = run_ids[row["run_id"]]
            rows.append(row)
            if len(rows) == repo.OUTCOME_PAGE:
                repo.insert_outcomes(conn, rows)
                rows = []
        repo.insert_outcomes(conn, rows)
    return new_tx
