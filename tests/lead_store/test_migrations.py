"""A store made by an older schema version opens, migrated, in the newer one, data kept."""

from __future__ import annotations

import sqlalchemy as sa

from lead_store import LATEST_VERSION, open_store, schema
from tests.target.conftest import (
    lead,
    outcome_rows,
    run_in_process,
    run_unguarded,
    singer_lines,
    tombstone,
)

V3_INDEXES = {
    "lead_outcomes": "ix_lead_outcomes_run_position",
    "list_members": "ix_list_members_lead",
}
V3_DROPS = tuple(f"DROP INDEX {name}" for name in V3_INDEXES.values())
V4_DROPS = (
    "DROP TABLE lead_links",
    "DROP TABLE run_approvals",
    "ALTER TABLE runs DROP COLUMN removed",
    "ALTER TABLE runs DROP COLUMN departures",
    "ALTER TABLE lead_outcomes DROP COLUMN changes",
    "ALTER TABLE lead_outcomes DROP COLUMN departure",
)


def _downgrade(url: str, version: int, *statements: str) -> None:
    """Undo a fresh store's newer steps with ``statements``; record ``version`` as its last."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
        conn.execute(
            sa.delete(schema.schema_version).where(schema.schema_version.c.version > version)
        )
    engine.dispose()


def _downgrade_to_v2(url: str) -> None:
    """Turn a fresh store into what version 2 created: none of the v3 indexes."""
    _downgrade(url, 2, *V4_DROPS, *V3_DROPS)


def _downgrade_to_v1(url: str) -> None:
    """Turn a fresh store into what version 1 created: no v2 columns, no v3 index."""
    _downgrade(
        url,
        1,
        *V4_DROPS,
        *V3_DROPS,
        "ALTER TABLE lead_outcomes DROP COLUMN detail",
        "ALTER TABLE runs DROP COLUMN ignored_reasons",
    )


def _indexes(url: str) -> set[str]:
    """The names of the v3 indexes the store has."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {i["name"] for table in V3_INDEXES for i in sa.inspect(conn).get_indexes(table)}
    engine.dispose()
    return found & set(V3_INDEXES.values())


def _versions(url: str) -> list[int]:
    engine = open_store(url)
    with engine.connect() as conn:
        versions = conn.execute(sa.select(schema.schema_version.c.version)).scalars().all()
    engine.dispose()
    return sorted(versions)


def test_v1_store_is_migrated_and_keeps_its_data(store_url: str) -> None:
    run_in_process(store_url, singer_lines([lead("1", "ann@example.com")]))
    _downgrade_to_v1(store_url)
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("lead_outcomes")}
    engine.dispose()
    assert "detail" not in columns

    run_in_process(store_url, singer_lines([lead("1", "ann@example.com"), lead("2", "a@b")]))

    engine = open_store(store_url)
    with engine.connect() as conn:
        details = conn.execute(sa.select(schema.lead_outcomes.c.detail)).scalars().all()
    engine.dispose()
    assert _versions(store_url) == list(range(1, LATEST_VERSION + 1))
    assert _indexes(store_url) == set(V3_INDEXES.values())
    assert [row[4:] for row in outcome_rows(store_url)] == [
        ("new", None),
        ("duplicate", None),
        ("ignored", "invalid_pattern"),
    ]
    assert details[-1] == "The part after the @-sign is not valid. It should have a period."


def test_v2_store_gets_the_v3_indexes(store_url: str) -> None:
    run_in_process(store_url, singer_lines([lead("1", "ann@example.com"), lead("2", "a@b")]))
    before = outcome_rows(store_url)
    _downgrade_to_v2(store_url)
    assert _indexes(store_url) == set()

    open_store(store_url).dispose()

    assert _indexes(store_url) == set(V3_INDEXES.values())
    assert _versions(store_url) == list(range(1, LATEST_VERSION + 1))
    assert outcome_rows(store_url) == before


def _links(url: str) -> list[tuple[str, str, str, str]]:
    ln, ld = schema.lead_links, schema.leads
    engine = open_store(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ln.c.sync_name, ln.c.source_org_id, ln.c.source_id, ld.c.email)
            .join(ld, ld.c.id == ln.c.lead_id)
            .order_by(ln.c.source_org_id, ln.c.source_id)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _status_and_members(url: str, email: str) -> tuple[str, int]:
    ld, m = schema.leads, schema.list_members
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        lead_id, status = conn.execute(
            sa.select(ld.c.id, ld.c.status).where(ld.c.email == email)
        ).one()
        members = conn.execute(
            sa.select(sa.func.count()).select_from(m).where(m.c.lead_id == lead_id)
        ).scalar_one()
    engine.dispose()
    return status, members


def test_v3_store_gets_links_from_each_contacts_latest_outcome(store_url: str) -> None:
    # History of a v3 store: ann held by two contacts (org 1 and org 2), bob deleted since,
    # cy's contact last sent an invalid email (its latest outcome holds nothing).
    run_unguarded(
        store_url,
        singer_lines([lead("a", "ann@example.com"), lead("c", "bob@example.com")]),
    )
    run_unguarded(
        store_url,
        singer_lines(
            [lead("b", "ANN@example.com", source_org_id="2"), lead("d", "cy@example.com")]
        ),
    )
    run_unguarded(store_url, singer_lines([tombstone("c"), lead("d", "not an email")]))
    _downgrade(store_url, 3, *V4_DROPS)

    assert _links(store_url) == [
        ("daily", "1", "a", "ann@example.com"),
        ("daily", "2", "b", "ann@example.com"),
    ]
    assert _versions(store_url) == list(range(1, LATEST_VERSION + 1))

    # The shared email survives one holder's tombstone; the last holder's takes it off.
    run_unguarded(store_url, singer_lines([tombstone("b", source_org_id="2")]))
    assert _status_and_members(store_url, "ann@example.com") == ("active", 1)
    run_unguarded(store_url, singer_lines([tombstone("a")]))
    assert _status_and_members(store_url, "ann@example.com") == ("deleted", 0)
    # A contact without a link still takes its lead off by today's rule (its source contact).
    run_unguarded(store_url, singer_lines([tombstone("d")]))
    assert _status_and_members(store_url, "cy@example.com") == ("deleted", 0)
