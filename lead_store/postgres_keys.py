"""PostgreSQL: a batch's lookup keys as one JSON array, each key probing an index.

Why one parameter: a lookup by ``IN`` list costs one statement per thousand keys, and one
prepared while the run's tables were still small keeps a sequential-scan plan for the rest of
the run, so a first load grew quadratic (each batch re-read everything the run had written).
Why JSON: it reaches the server several times faster than an array of the same keys
(``bench/bench_pg_batch.py``), as the writes' rows do (:mod:`lead_store.postgres_json`).
Why a ``LATERAL`` probe per key: asked as ``column = ANY(:keys)``, a planner whose statistics
predate the run's own rows may take them for a few and read a whole range of an index instead
(all of a run's outcomes, at every batch); a subquery per key can only probe.
``tests/target/test_query_plans.py`` checks the plans.
"""

from __future__ import annotations

import typing as t
from collections.abc import Sequence

import sqlalchemy as sa
from singer_sdk.contrib.msgspec import encoder
from sqlalchemy.dialects import postgresql


class JsonKeys(sa.TypeDecorator[Sequence[t.Any]]):
    """A list of keys bound as one JSON array."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Sequence[t.Any] | None, dialect: sa.Dialect) -> str:
        return encoder.encode(list(value or ())).decode()


def probe_each_key(
    selected: Sequence[sa.Column[t.Any]],
    conditions: Sequence[sa.ColumnElement[bool]],
    column: sa.Column[t.Any],
    name: str = "keys",
) -> sa.Select[t.Any]:
    """``selected`` of the rows meeting ``conditions`` whose ``column`` is one of the keys bound
    as ``name`` (a list): one index probe per key."""
    document = sa.cast(sa.bindparam(name, type_=JsonKeys()), postgresql.JSON)
    key = (
        sa.func.json_array_elements_text(document).table_valued("value").render_derived(name="key")
    )
    # OFFSET 0 keeps the planner from flattening the subquery into a join, which it may then
    # run as a hash join over the whole table.
    found = (
        sa.select(*selected)
        .where(*conditions, column == sa.cast(key.c.value, column.type))
        .offset(0)
        .lateral("found")
    )
    return sa.select(*(found.c[c.key] for c in selected)).select_from(key).join(found, sa.true())
