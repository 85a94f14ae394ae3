"""The per-lead writes, compiled once and sent through the driver, store what SQLAlchemy stores.

``bulk.BulkStatement`` skips SQLAlchemy's per-row parameter handling. Each test writes
the same rows both ways into a real store (SQLite always, PostgreSQL when reachable) and
compares the rows as the driver returns them (timestamps and JSON as stored, not as read back
through SQLAlchemy types).
"""

from __future__ import annotations

import datetime as dt
import json
import typing as t
from decimal import Decimal

import sqlalchemy as sa

from lead_store import open_store, schema
from lead_store import repository as repo
from lead_store.bulk import dialect_insert
from tests.target.conftest import lead, run_in_process, singer_lines, store_snapshot

NOW = dt.datetime(2026, 6, 9, 17, 15, 6, 123456, tzinfo=dt.timezone.utc)
BERLIN = dt.timezone(dt.timedelta(hours=2))
TRICKY_TEXT = 'O\'Brien "Zoë" \\u00e9 \\ 🦊\t\n\u2028 '
"""Text a JSON document must escape (quotes, backslashes, a literal ``\\u00e9``, controls,
U+2028, an astral character): PostgreSQL reads the batch back from JSONB."""


def _lead_rows() -> list[dict[str, t.Any]]:
    return [
        {
            "email": f"lead{i}@example.com",
            "status": "active" if i % 3 else "deleted",
            "first_name": f"First{i}" if i % 4 else None,
            "last_name": "Lee" if i % 6 else TRICKY_TEXT,
            "attributes": {"company": "Acme", "amount": Decimal("12.50"), "tags": ["a", i]}
            if i % 5
            else None,
            "source_system": "zoho_invoice",
            "source_org_id": "1",
            "source_id": str(i),
            "source_modified_at": None if i % 7 == 0 else NOW.astimezone(BERLIN),
        }
        for i in range(25)
    ]


def _raw(conn: sa.Connection, sql: str) -> list[tuple[t.Any, ...]]:
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


def _both_ways(
    url: str,
    write_bulk: t.Callable[[sa.Connection], None],
    write_sqlalchemy: t.Callable[[sa.Connection], None],
    read: str,
) -> None:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            list_id = repo.ensure_list(conn, "Newsletter", NOW)
            assert list_id == 1
            for i in range(25):
                conn.execute(
                    sa.insert(schema.leads).values(
                        **_lead_rows()[i], created_at=NOW, updated_at=NOW
                    )
                )
            conn.commit()
            run_id = repo.start_run(conn, "daily", list_id, NOW)
            assert run_id == 1
            savepoint = conn.begin_nested()
            write_bulk(conn)
            bulk = _raw(conn, read)
            savepoint.rollback()
            write_sqlalchemy(conn)
            expected = _raw(conn, read)
            conn.rollback()
    finally:
        engine.dispose()
    assert bulk
    assert bulk == expected


def test_upsert_writes_what_sqlalchemy_writes(store_url: str) -> None:
    rows = [*_lead_rows(), dict(_lead_rows()[0], email="new@example.com", source_id="new")]

    def with_sqlalchemy(conn: sa.Connection) -> None:
        now = sa.func.current_timestamp()
        stmt = dialect_insert(conn, schema.leads).values(created_at=now, updated_at=now)
        upsert = repo._keep_suppressed_upsert(stmt)
        conn.execute(upsert, sorted(rows, key=lambda r: r["email"]))

    _both_ways(
        store_url,
        lambda conn: repo.upsert_leads(conn, rows),
        with_sqlalchemy,
        "SELECT email, status, first_name, last_name, attributes, source_system, "
        "source_org_id, source_id, source_modified_at FROM leads ORDER BY email",
    )


def test_memberships_and_outcomes_write_what_sqlalchemy_writes(store_url: str) -> None:
    emails = [f"lead{i}@example.com" for i in range(0, 25, 2)]
    outcomes = [
        {
            "run_id": 1,
            "position": i,
            "email": email,
            "outcome": "ignored" if i % 2 else "new",
            "reason": "bounced" if i % 2 else None,
            "detail": None,
            "source_org_id": "1",
            "source_id": str(i),
            "departure": None,
            "changes": {"first_name": {"before": "Ann", "after": "Anna"}} if i == 2 else None,
        }
        for i, email in enumerate(emails)
    ]

    def with_bulk(conn: sa.Connection) -> None:
        ids = {email: lead.id for email, lead in repo.leads_by_email(conn, emails).items()}
        repo.add_members(conn, [(1, ids[email]) for email in emails], NOW)
        repo.remove_members(conn, [(1, emails[0]), (1, "unknown@example.com")])
        repo.insert_outcomes(conn, outcomes)

    def with_sqlalchemy(conn: sa.Connection) -> None:
        ids = dict(conn.execute(sa.select(schema.leads.c.email, schema.leads.c.id)).all())
        conn.execute(
            sa.insert(schema.list_members),
            [{"list_id": 1, "lead_id": ids[e], "joined_at": NOW} for e in emails[1:]],
        )
        conn.execute(sa.insert(schema.lead_outcomes), outcomes)

    _both_ways(
        store_url,
        with_bulk,
        with_sqlalchemy,
        "SELECT m.list_id, l.email, m.joined_at, o.position, o.outcome, o.reason, o.changes "
        "FROM list_members m JOIN leads l ON l.id = m.lead_id "
        "LEFT JOIN lead_outcomes o ON o.email = l.email ORDER BY l.email",
    )


def test_decimal_attributes_are_stored_as_json_numbers(store_url: str) -> None:
    """Records are read with decimals as Decimal (as the SDK's readers do); they store exactly."""
    record = lead("1", "ann@example.com", attributes={"outstanding": 1234.5, "n": 3})
    run_in_process(store_url, singer_lines([record]))
    [stored] = store_snapshot(store_url)["leads"]
    assert stored[4] == {"outstanding": 1234.5, "n": 3}
    engine = open_store(store_url)
    try:
        with engine.connect() as conn:
            [(text,)] = _raw(conn, "SELECT CAST(attributes AS TEXT) FROM leads")
    finally:
        engine.dispose()
    assert json.loads(text, parse_float=Decimal) == {"outstanding": Decimal("1234.5"), "n": 3}


def test_a_batch_larger_than_one_statement_writes_what_sqlalchemy_writes(store_url: str) -> None:
    """1,337 rows: on SQLite several VALUES statements of different sizes, in row order."""
    many = [
        dict(_lead_rows()[i % 25], email=f"many{i:04}@example.com", source_id=f"m{i}")
        for i in range(1337)
    ]
    rows = [*_lead_rows(), *many]

    def with_bulk(conn: sa.Connection) -> None:
        ids = repo.upsert_leads(conn, rows)
        stored = dict(conn.execute(sa.select(schema.leads.c.email, schema.leads.c.id)).all())
        assert ids == stored  # every row's id: the 25 updated and the 1,337 inserted
        repo.add_members(conn, [(1, ids[row["email"]]) for row in many], NOW)

    def with_sqlalchemy(conn: sa.Connection) -> None:
        now = sa.func.current_timestamp()
        stmt = dialect_insert(conn, schema.leads).values(created_at=now, updated_at=now)
        conn.execute(repo._keep_suppressed_upsert(stmt), sorted(rows, key=lambda r: r["email"]))
        ids = dict(conn.execute(sa.select(schema.leads.c.email, schema.leads.c.id)).all())
        conn.execute(
            sa.insert(schema.list_members),
            [{"list_id": 1, "lead_id": ids[row["email"]], "joined_at": NOW} for row in many],
        )

    _both_ways(
        store_url,
        with_bulk,
        with_sqlalchemy,
        "SELECT l.email, l.status, l.first_name, l.attributes, l.source_modified_at, "
        "m.list_id, m.joined_at FROM leads l LEFT JOIN list_members m ON m.lead_id = l.id "
        "ORDER BY l.email",
    )
