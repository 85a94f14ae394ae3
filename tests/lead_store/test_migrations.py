"""A store made by an older schema version opens, migrated, in the newer one, data kept."""

from __future__ import annotations

import sqlalchemy as sa

from lead_store import LATEST_VERSION, open_store, schema
from tests.target.conftest import lead, outcome_rows, run_in_process, singer_lines


def _downgrade_to_v1(url: str) -> None:
    """Turn a fresh store into what version 1 created: no v2 columns, no v3 index."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_list_members_lead")
        conn.exec_driver_sql("ALTER TABLE lead_outcomes DROP COLUMN detail")
        conn.exec_driver_sql("ALTER TABLE runs DROP COLUMN ignored_reasons")
        conn.execute(sa.delete(schema.schema_version).where(schema.schema_version.c.version > 1))
    engine.dispose()


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
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("list_members")}
        versions = conn.execute(sa.select(schema.schema_version.c.version)).scalars().all()
        details = conn.execute(sa.select(schema.lead_outcomes.c.detail)).scalars().all()
    engine.dispose()
    assert sorted(versions) == list(range(1, LATEST_VERSION + 1))
    assert "ix_list_members_lead" in indexes
    assert [row[4:] for row in outcome_rows(store_url)] == [
        ("new", None),
        ("duplicate", None),
        ("ignored", "invalid_pattern"),
    ]
    assert details[-1] == "The part after the @-sign is not valid. It should have a period."
