"""The per-batch queries probe indexes inside the run's transaction: a quadratic plan fails here.

Not a timed test. A run loads a store in batches inside one transaction; every query of the
last batch (lookups, INSERT ... SELECT, DELETE and UPDATE) is captured as sent to the driver
and EXPLAINed with the same parameters, in the same transaction, with the run's own rows in the
tables. A full scan of ``leads``,
``lead_outcomes`` or ``list_members`` would make every batch cost as much as everything the
store and the run already hold (how a first PostgreSQL load became quadratic); so would one of
``lead_links``, which holds a row per contact and list. On PostgreSQL both the plan for these
parameters and the generic plan a prepared statement settles on are checked.
"""

from __future__ import annotations

import logging
import re
import typing as t

import sqlalchemy as sa
from sqlalchemy import event

from lead_store import open_store
from lead_store.links import hash_anti_join
from target_marketing_leads.fast_paths import loading_rules
from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS
from target_marketing_leads.session import RunSession
from target_marketing_leads.target import FULL_LOAD_CAUSE

from .conftest import lead, tombstone

BIG_TABLES = ("leads", "lead_outcomes", "list_members", "lead_links")
BATCH = 2_000
EARLIER_BATCHES = 4


def _batch(number: int) -> list[dict[str, t.Any]]:
    first = number * BATCH
    records = [lead(str(i), f"person{i}@example.com") for i in range(first, first + BATCH)]
    # Some repeats of earlier emails and a few tombstones: every lookup of a batch runs.
    records += [lead(f"again{i}", f"person{i}@example.com") for i in range(0, first, 97)]
    records += [tombstone(str(i)) for i in range(0, first, 499)]
    # Contacts that no longer match: links ended, their leads' other links and lists looked up.
    records += [
        lead(str(i), f"person{i}@example.com", meets_criteria=False) for i in range(1, first, 503)
    ]
    return records


def _full_scans(plan: list[str], dialect: str, big: t.Sequence[str] = BIG_TABLES) -> list[str]:
    """Plan lines that read a big table whole: no index, or an index with no condition."""
    tables = "|".join(big)
    if dialect != "postgresql":  # SQLite: SCAN t (whole), SEARCH t USING INDEX (by key)
        return [line for line in plan if re.search(rf"\bSCAN ({tables})\b", line)]
    found = []
    for number, line in enumerate(plan):
        if not re.search(rf"Scan (using \S+ )?on ({tables})\b", line):
            continue
        node = [line]
        for child in plan[number + 1 :]:
            if "->" in child:
                break
            node.append(child)
        if not any("Index Cond" in part or "Recheck Cond" in part for part in node):
            found.append(line.strip())
    return found


def _explain(conn: sa.Connection, statement: str, parameters: t.Any) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    rows = conn.exec_driver_sql(prefix + statement, parameters).all()
    return [" ".join(str(x) for x in row) for row in rows]


def test_every_query_of_a_batch_uses_an_index(store_url: str) -> None:
    engine = open_store(store_url)
    captured: list[tuple[str, t.Any]] = []
    session = RunSession(
        engine,
        roles=DEFAULT_ROLE_LOCAL_PARTS,
        rules=loading_rules(),
        logger=logging.getLogger("test"),
    )
    try:
        for number in range(EARLIER_BATCHES):
            session.load(_batch(number))

        @event.listens_for(engine, "before_cursor_execute")
        def capture(_conn, _cursor, statement, parameters, _context, executemany):  # type: ignore[no-untyped-def]
            if any(re.search(rf"\b{table}\b", statement) for table in BIG_TABLES):
                captured.append((statement, parameters[0] if executemany else parameters))

        session.load(_batch(EARLIER_BATCHES))
        event.remove(engine, "before_cursor_execute", capture)

        conn = session.conn
        # Emails counted earlier in the run: each probed by (run_id, email), never found by
        # reading all of the run's outcomes through an index on run_id and filtering them.
        seen = [(s, p) for s, p in captured if re.search(r"SELECT \S+\.run_id, \S+\.email", s)]
        assert seen, captured
        for plan in (plan for lookup in seen for plan in _plans(conn, *lookup)):
            probes = [line for line in plan if re.search(r"Index Cond|SEARCH lead_outcomes", line)]
            assert probes, plan
            assert all(re.search(r"\bemail\b", line) for line in probes), plan
        # Lookups, INSERT ... SELECT writes, and deletes and updates by key.
        reads = [(s, p) for s, p in captured if re.search(r"\b(SELECT|DELETE|UPDATE)\b", s)]
        links = [s for s, _ in reads if re.search(r"\blead_links\b", s)]
        assert len(links) >= 4, captured  # links looked up by contact and by lead, set, ended
        scans = {}
        for statement, parameters in reads:
            plans = _plans(conn, statement, parameters)
            found = [line for plan in plans for line in _full_scans(plan, conn.dialect.name)]
            if found:
                scans[statement[:200]] = found
        assert scans == {}
    finally:
        session.close()


def _plans(conn: sa.Connection, statement: str, parameters: t.Any) -> list[list[str]]:
    """The plan for these parameters, and on PostgreSQL the generic plan too."""
    plans = [_explain(conn, statement, parameters)]
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        plans.append(_explain(conn, statement, parameters))
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = auto")
    return plans


def _session(engine: sa.Engine) -> RunSession:
    return RunSession(
        engine,
        roles=DEFAULT_ROLE_LOCAL_PARTS,
        rules=loading_rules(),
        logger=logging.getLogger("test"),
    )


def test_contacts_missing_from_a_full_load_are_found_by_one_anti_join(store_url: str) -> None:
    """Links of the (sync, list) by key against the run's outcomes by run: each read once.

    The earlier run linked every contact it loaded; the new run sees a quarter of them.
    """
    engine = open_store(store_url)
    earlier = _session(engine)
    try:
        for number in range(EARLIER_BATCHES):
            earlier.load(_batch(number))
        earlier.commit()
    finally:
        earlier.close()
    engine = open_store(store_url)
    session = _session(engine)
    captured: list[tuple[str, t.Any]] = []
    try:
        session.load(_batch(0))  # the new full load holds the first batch's contacts only

        @event.listens_for(engine, "before_cursor_execute")
        def capture(_conn, _cursor, statement, parameters, _context, executemany):  # type: ignore[no-untyped-def]
            if re.search(r"\bSELECT\b.*\blead_links\b", statement, re.DOTALL):
                captured.append((statement, parameters))

        session.end_links_missing_from_runs(cause=FULL_LOAD_CAUSE, batch_size=BATCH)
        event.remove(engine, "before_cursor_execute", capture)

        anti_joins = [(s, p) for s, p in captured if "lead_outcomes" in s]
        assert len(anti_joins) == 1, captured
        conn = session.conn
        with hash_anti_join(conn):
            plans = _plans(conn, *anti_joins[0])
        for plan in plans:
            assert _full_scans(plan, conn.dialect.name, ("lead_links", *BIG_TABLES)) == [], plan
            # Neither the run's outcomes read once per link (a nested loop on PostgreSQL, a
            # correlated subquery on SQLite), whatever the statistics say.
            assert not any(re.search("Nested Loop|CORRELATED", line) for line in plan), plan
    finally:
        session.close()
