"""A store made by an older schema version opens, migrated, in the newer one, data kept."""

from __future__ import annotations

import sqlalchemy as sa

from lead_store import LATEST_VERSION, open_store, schema
from tests.target.conftest import lead, outcome_rows, run_in_process, singer_lines

V3_INDEXES = {
    "lead_outcomes": "ix_lead_outcomes_run_position",
    "list_members": "ix_list_members_lead",
}
V3_DROPS = tuple(f"DROP INDEX {name}" for name in V3_INDEXES.values())
V5_DROPS = ("ALTER TABLE runs DROP COLUMN departures",)
V4_DROPS = (
    "DROP TABLE lead_links",
    "DROP TABLE run_approvals",
    "ALTER TABLE runs DROP COLUMN removed",
    "ALTER TABLE lead_outcomes DROP COLUMN changes",
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
    _downgrade(url, 2, *V5_DROPS, *V4_DROPS, *V3_DROPS)


def _downgrade_to_v1(url: str) -> None:
    """Turn a fresh store into what version 1 created: no v2 columns, no v3 index."""
    _downgrade(
        url,
        1,
        *V5_DROPS,
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
