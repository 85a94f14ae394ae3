"""PostgreSQL: a batch as arrays, so each write and each lookup is one statement per batch.

Why: row-by-row ``executemany`` costs PostgreSQL one statement per lead per kind of write (three
per lead) and the lookups one per thousand keys; and a lookup prepared while the run's tables were
still small keeps a sequential-scan plan for the rest of the run, so a first load grew
quadratic (each batch re-read everything the run had written). Here a batch's rows travel as one
array per column and ``unnest`` turns them back into rows inside the statement; lookups take
``= ANY(array)``. A generic plan for an array of unknown length expects a few keys, so it probes
the indexes, whatever the tables held when it was prepared. ``tests/lead_store/`` compares what
these statements store with SQLAlchemy's own ``executemany`` of the same rows, and checks their
plans with EXPLAIN.
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from lead_store.engine import json_text

ARRAY_SUFFIX = "_array"


def _element_type(column: sa.Column[t.Any]) -> sa.types.TypeEngine[t.Any]:
    """The SQL type of one array element: JSON travels as text (cast back in the statement)."""
    if isinstance(column.type, sa.JSON):
        return sa.Text()
    if isinstance(column.type, sa.TypeDecorator):
        return t.cast("sa.types.TypeEngine[t.Any]", column.type.impl_instance)
    return column.type


@dataclass(frozen=True)
class Unnested:
    """``unnest(:a_array, :b_array, ...) AS batch(a, b, ...)`` for some columns of a table."""

    columns: tuple[sa.Column[t.Any], ...]
    rows: sa.TableValuedAlias

    @classmethod
    def of(cls, columns: Sequence[sa.Column[t.Any]], name: str = "batch") -> Unnested:
        """The table-valued ``unnest`` of one array parameter per column."""
        arrays = [
            sa.bindparam(column.key + ARRAY_SUFFIX, type_=postgresql.ARRAY(_element_type(column)))
            for column in columns
        ]
        rows = (
            sa.func.unnest(*arrays)
            .table_valued(*(sa.column(column.key, _element_type(column)) for column in columns))
            .render_derived(name=name)
        )
        return cls(tuple(columns), rows)

    def value(self, key: str) -> ColumnElement[t.Any]:
        """The column ``key`` of the unnested rows, typed as the table's column."""
        column = next(c for c in self.columns if c.key == key)
        value = self.rows.c[key]
        if isinstance(column.type, sa.JSON):
            return sa.cast(value, postgresql.JSONB)
        return value

    def insert(self, table: sa.Table) -> postgresql.Insert:
        """PostgreSQL's INSERT (it knows ON CONFLICT), for a statement reading this batch."""
        return postgresql.insert(table)

    def parameters(
        self, rows: Sequence[dict[str, t.Any]], dialect: sa.Dialect
    ) -> dict[str, list[t.Any]]:
        """One list per column, each value converted as SQLAlchemy converts a bound value."""
        arrays: dict[str, list[t.Any]] = {}
        for column in self.columns:
            values = [row[column.key] for row in rows]
            process: Callable[[t.Any], t.Any] | None
            if isinstance(column.type, sa.JSON):
                process = _json_or_none
            else:
                process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                values = [process(v) for v in values]
            arrays[column.key + ARRAY_SUFFIX] = values
        return arrays


def _json_or_none(value: t.Any) -> str | None:
    return None if value is None else json_text(value)


def any_of(column: sa.Column[t.Any], name: str) -> ColumnElement[bool]:
    """``column = ANY(:name)``: one array parameter instead of a list of bound keys."""
    return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
