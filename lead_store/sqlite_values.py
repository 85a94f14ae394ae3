"""SQLite: a batch as multi-row ``VALUES`` lists, so each write is a few statements per batch.

Why: ``executemany`` costs the driver one bind-and-step round per row, each with its Python
bookkeeping; a statement that carries a few hundred rows as ``WITH batch(a, b) AS (VALUES (?, ?),
...)`` is bound and run by SQLite in one go. Measured on ``bench/bench_target.py --sizes 100000``,
a first load's four per-lead writes (leads, memberships, links, outcomes) took 1.6 s of statement
time instead of 2.2 s. PostgreSQL takes a batch in one statement too (one JSON document,
:mod:`.postgres_json`), so each write is built once for both stores
(:func:`lead_store.bulk.execute_rows`). The statement text depends on the row count, so rows go
in size classes (powers of two, largest first): about twenty statements per write for a batch of
10,000, their texts built once per process and kept prepared in the driver's statement cache.
``tests/lead_store/test_bulk_writes.py`` compares what these statements store with SQLAlchemy's
own ``executemany`` of the same rows.
"""

from __future__ import annotations

import functools
import sqlite3
import typing as t
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.elements import ColumnElement

MAX_ROWS = 512
"""Rows per statement at most. Each statement text stays prepared in the driver's cache, and a
prepared statement grows with its rows: 8,192 rows cost 40 MiB more RSS and ran slower than 512
on ``bench/bench_target.py --sizes 100000``, while 256 to 1,024 ran alike."""


@functools.cache
def max_variables() -> int:
    """Bound parameters SQLite takes per statement (32,766 by default; builds may allow more)."""
    probe = sqlite3.connect(":memory:")
    try:
        return int(probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    finally:
        probe.close()


def size_classes(columns: int) -> tuple[int, ...]:
    """Rows per statement, largest first: powers of two up to :data:`MAX_ROWS` that fit
    :func:`max_variables` (any row count is a sum of at most that many statements)."""
    largest = 1
    while largest * 2 <= MAX_ROWS and largest * 2 * columns <= max_variables():
        largest *= 2
    sizes = [largest]
    while sizes[-1] > 1:
        sizes.append(sizes[-1] // 2)
    return tuple(sizes)


def split(rows: Sequence[t.Any], sizes: Sequence[int]) -> Iterator[tuple[int, Sequence[t.Any]]]:
    """``rows`` in consecutive chunks whose lengths are size classes, in order."""
    start = 0
    for size in sizes:
        while len(rows) - start >= size:
            yield size, rows[start : start + size]
            start += size


@dataclass(frozen=True)
class ValuesBatch:
    """``WITH batch(a, b, ...) AS (VALUES (?, ?, ...))``: the one-row template a statement is
    compiled with, before :func:`repeat_row` gives it the row count of a chunk."""

    columns: tuple[sa.Column[t.Any], ...]
    rows: sa.CTE

    @classmethod
    def of(cls, columns: Sequence[sa.Column[t.Any]], name: str = "batch") -> ValuesBatch:
        """The CTE of one row, each value a bound parameter named and typed as its column."""
        row = tuple(sa.bindparam(column.key, type_=column.type) for column in columns)
        values = sa.values(*(sa.column(c.key, c.type) for c in columns), name=name).data([row])
        return cls(tuple(columns), values.cte(name))

    def value(self, key: str) -> ColumnElement[t.Any]:
        """The column ``key`` of the batch's rows."""
        return self.rows.c[key]

    def insert(self, table: sa.Table) -> sqlite.Insert:
        """SQLite's INSERT (it knows ON CONFLICT), for a statement reading this batch."""
        return sqlite.insert(table)

    def keys(self) -> list[str]:
        """The row's bound parameters, in the order the statement takes them."""
        return [column.key for column in self.columns]


def repeat_row(sql: str, columns: int, size: int) -> str:
    """``sql`` compiled for a one-row batch, rewritten for ``size`` rows.

    The batch's one ``VALUES`` row must appear exactly once (a statement that reads its batch
    twice, or has a ``VALUES`` row of the same width elsewhere, is refused, never guessed at).
    """
    row = "(" + ", ".join(["?"] * columns) + ")"
    single = f"(VALUES {row})"
    if sql.count(single) != 1 or sql.count("VALUES") != 1:
        msg = f"cannot find the one VALUES row of the batch in: {sql}"
        raise ValueError(msg)
    return sql.replace(single, "(VALUES " + ", ".join([row] * size) + ")")
