"""Batched statements: lookups by ``IN`` list or array, writes as sets, compiled once.

A run reads and writes whole batches, one round trip per kind. Lookups take a batch of keys
(``IN`` lists, chunked below the drivers' parameter limits, or one JSON array on PostgreSQL:
see :mod:`lead_store.postgres_keys`). The per-lead writes take the batch's rows inside the
statement (:func:`execute_rows`): one JSON document on PostgreSQL
(:mod:`lead_store.postgres_json`), ``VALUES`` lists on SQLite (:mod:`lead_store.sqlite_values`);
the rare ones (removals) are ``executemany``. Upserts use the dialect's ``INSERT ... ON
CONFLICT`` so that two runs writing the same row concurrently serialise on it (PostgreSQL)
instead of failing.

Statements are compiled by SQLAlchemy once per dialect and sent with
``Connection.exec_driver_sql``: still bound parameters, still SQLAlchemy's type conversions
(:class:`BulkStatement`), but without SQLAlchemy's per-row parameter bookkeeping, which cost
more than the database's own work.
"""

from __future__ import annotations

import itertools
import operator
import typing as t
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from lead_store import sqlite_values
from lead_store.postgres_json import JsonRows
from lead_store.postgres_keys import probe_each_key

IN_CHUNK = 1000
"""Keys per IN list. Every list is padded to exactly this length (with NULL, which matches
nothing) so each lookup is one SQL text: drivers cache prepared statements by text, and one
prepared statement per distinct list length would pile up in memory over a long run."""


def chunks(values: Iterable[t.Any], size: int = IN_CHUNK) -> Iterator[list[t.Any]]:
    """``values`` in lists of exactly ``size``, the last one padded with None."""
    batch: list[t.Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch + [None] * (size - len(batch))


@dataclass(frozen=True)
class BulkStatement:
    """A statement compiled once for a dialect, and how to turn row dicts into its parameters.

    ``conn.execute(stmt, rows)`` compiles from a cache but then builds every row's parameters
    through the compiler (escaping, type processing, one dict per row); here the SQL text, the
    parameter order and each column's bind processor (SQLAlchemy's own: ``UTCDateTime``, JSON)
    are worked out once, and each row costs one tuple (or dict, for named paramstyles).
    """

    sql: str
    names: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[t.Any], t.Any]], ...]
    positional: bool

    @classmethod
    def compile(
        cls, stmt: sa.Executable, dialect: sa.Dialect, keys: Sequence[str]
    ) -> BulkStatement:
        """Compile ``stmt`` for rows with ``keys``: the bound columns of an INSERT, or the
        names of the statement's own bind parameters."""
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
        unknown = set(names) - set(keys)
        if unknown:
            msg = f"bulk statement has parameters {sorted(unknown)} that rows do not carry"
            raise ValueError(msg)
        processors = []
        for index, name in enumerate(names):
            type_ = compiled.binds[name].type
            process = type_.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((index, process))
        return cls(compiled.string, names, tuple(processors), compiled.positional)

    def parameters(self, rows: Iterable[dict[str, t.Any]]) -> list[t.Any]:
        """The driver's parameters for ``rows``, type-processed.

        Column by column: each processed column goes through its processor in one ``map``
        (no Python loop per row); a column holding one object for every row (a batch's one
        timestamp) is converted once.
        """
        pick = operator.itemgetter(*self.names)
        if len(self.names) == 1:
            tuples: list[tuple[t.Any, ...]] = [(pick(row),) for row in rows]
        else:
            tuples = list(map(pick, rows))
        if self.processors and tuples:
            columns: list[t.Sequence[t.Any]] = list(zip(*tuples, strict=True))
            for index, process in self.processors:
                column = columns[index]
                if len(set(map(id, column))) == 1:
                    columns[index] = [process(column[0])] * len(column)
                else:
                    columns[index] = list(map(process, column))
            tuples = list(zip(*columns, strict=True))
        if self.positional:
            return tuples
        return [dict(zip(self.names, values, strict=True)) for values in tuples]


_BULK: dict[tuple[str, str, str], BulkStatement] = {}
"""Compiled bulk statements by (dialect, driver, statement name): a handful, for the process."""


def bulk_statement(
    conn: sa.Connection,
    name: str,
    build: Callable[[], sa.Executable],
    keys: Sequence[str],
) -> BulkStatement:
    """Statement ``name`` compiled for the connection's dialect, built on first use."""
    key = (conn.dialect.name, conn.dialect.driver, name)
    bulk = _BULK.get(key)
    if bulk is None:
        bulk = _BULK[key] = BulkStatement.compile(build(), conn.dialect, keys)
    return bulk


def executemany(conn: sa.Connection, bulk: BulkStatement, rows: Iterable[dict[str, t.Any]]) -> None:
    """Send ``rows`` through ``bulk`` in one driver-level executemany (none when empty)."""
    params = bulk.parameters(rows)
    if params:
        conn.exec_driver_sql(bulk.sql, params)


_KEY_NAMES = tuple(f"k{i}" for i in range(IN_CHUNK))
"""Bind names of the ``IN`` list of a lookup compiled once."""


def in_keys() -> list[sa.BindParameter[t.Any]]:
    """``IN_CHUNK`` bind parameters for an ``IN`` list of a lookup compiled once."""
    return [sa.bindparam(name) for name in _KEY_NAMES]


def lookup(
    conn: sa.Connection,
    name: str,
    build: Callable[[], sa.Executable],
    values: Iterable[t.Any],
    fixed: dict[str, t.Any] | None = None,
) -> Iterator[sa.Row[t.Any]]:
    """Rows of a lookup whose ``IN`` list takes ``values``, ``IN_CHUNK`` at a time."""
    fixed = fixed or {}
    bulk = bulk_statement(conn, name, build, (*_KEY_NAMES, *fixed))
    for chunk in chunks(values):
        row = dict(zip(_KEY_NAMES, chunk, strict=True), **fixed)
        yield from conn.exec_driver_sql(bulk.sql, bulk.parameters([row])[0])


def json_batches(conn: sa.Connection) -> bool:
    """Whether a batch's rows and keys travel as one JSON parameter (PostgreSQL:
    :mod:`lead_store.postgres_json`, :mod:`lead_store.postgres_keys`)."""
    return bool(conn.dialect.name == "postgresql")


class BatchRows(t.Protocol):
    """A batch's rows inside one statement: a JSON document on PostgreSQL
    (:mod:`.postgres_json`), VALUES lists on SQLite (:mod:`.sqlite_values`)."""

    def value(self, key: str) -> sa.ColumnElement[t.Any]: ...

    def insert(self, table: sa.Table) -> t.Any: ...


BatchStatement = Callable[[BatchRows], sa.Executable]
"""Builds a statement that reads its rows from a :class:`BatchRows`."""

_JSON_STATEMENTS: dict[str, tuple[JsonRows, sa.Executable]] = {}
"""PostgreSQL statements by name, built once per process (SQLAlchemy caches their compiled
form)."""
_VALUES_TEMPLATES: dict[str, BulkStatement] = {}
"""SQLite VALUES statements by name, compiled once for one row (:mod:`.sqlite_values`)."""
_VALUES_SQL: dict[tuple[str, int], str] = {}
"""Their texts by (name, rows per statement)."""


def execute_rows(
    conn: sa.Connection,
    name: str,
    columns: Sequence[sa.Column[t.Any]],
    build: BatchStatement,
    rows: Sequence[dict[str, t.Any]],
) -> list[tuple[t.Any, ...]]:
    """Run statement ``name`` for all ``rows`` (dicts with the keys of ``columns``) as sets:
    one statement reading a JSON document on PostgreSQL, a few VALUES statements on SQLite,
    in row order.
    Returns what the statement's ``RETURNING`` gave, if it has one."""
    if not rows:
        return []
    if json_batches(conn):
        built = _JSON_STATEMENTS.get(name)
        if built is None:
            batch = JsonRows.of(columns)
            built = _JSON_STATEMENTS[name] = (batch, build(batch))
        json_rows, statement = built
        return _returned(conn.execute(statement, json_rows.parameters(rows, conn.dialect)))
    template = _VALUES_TEMPLATES.get(name)
    if template is None:
        one_row = sqlite_values.ValuesBatch.of(columns)
        template = BulkStatement.compile(build(one_row), conn.dialect, one_row.keys())
        if list(template.names) != one_row.keys():
            msg = f"statement {name} binds parameters besides its batch's rows, or out of order"
            raise ValueError(msg)
        _VALUES_TEMPLATES[name] = template
    sizes = sqlite_values.size_classes(len(columns))
    returned = []
    for size, chunk in sqlite_values.split(template.parameters(rows), sizes):
        sql = _VALUES_SQL.get((name, size))
        if sql is None:
            sql = _VALUES_SQL[(name, size)] = sqlite_values.repeat_row(
                template.sql, len(columns), size
            )
        returned += _returned(
            conn.exec_driver_sql(sql, tuple(itertools.chain.from_iterable(chunk)))
        )
    return returned


def _returned(result: sa.CursorResult[t.Any]) -> list[tuple[t.Any, ...]]:
    return [tuple(row) for row in result] if result.returns_rows else []


def dialect_insert(conn: sa.Connection, table: sa.Table) -> t.Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rows_by_fixed_prefix(
    conn: sa.Connection,
    name: str,
    columns: Sequence[sa.Column[t.Any]],
    fixed: dict[str, t.Any],
    column: sa.Column[t.Any],
    keys: set[t.Any],
    selected: Sequence[sa.Column[t.Any]],
) -> Iterable[sa.Row[t.Any]]:
    """Rows whose ``columns`` equal ``fixed`` and ``column`` is one of ``keys``: an index probe
    on a key whose last column varies (one statement on PostgreSQL, IN chunks on SQLite).
    """
    equal = [c == sa.bindparam(c.key, type_=c.type) for c in columns]
    if json_batches(conn):
        query = probe_each_key(selected, equal, column)
        return conn.execute(query, {**fixed, "keys": sorted(keys)})
    return lookup(
        conn,
        name,
        lambda: sa.select(*selected).where(*equal, column.in_(in_keys())),
        keys,
        fixed,
    )
