"""PostgreSQL: a batch's rows as one JSON parameter, so each write is one statement per batch.

Why one JSON document and not one array per column: the server turns 10,000 rows of JSON back
into rows in about 40 ms, where nine text arrays of the same rows took 280 to 340 ms to adapt,
send and parse (psycopg 3.3, PostgreSQL 15: ``bench/bench_pg_batch.py``). The document holds
one array per row, in column order, written by the msgspec encoder of the store's JSON columns
(decimals stay exact numbers); the statement reads it with ``jsonb_array_elements`` and casts
each field to its column's type.

Why JSONB: the server parses the document once and then takes each field by position; read as
``json``, every ``->>`` parses its row's text again, once per field. Turning 10,000 rows of nine
fields back into rows took 32 to 35 ms as JSONB against 49 to 54 ms as JSON
(``bench/bench_pg_batch.py``), and the four writes of a 100,000-lead first load spent 6.3 to 6.8
s in their statements instead of 8.3. ``tests/lead_store/test_bulk_writes.py`` compares what these
statements store with SQLAlchemy's own ``executemany`` of the same rows, and
``tests/target/test_query_plans.py`` checks their plans.
"""

from __future__ import annotations

import typing as t
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from singer_sdk.contrib.msgspec import encoder
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

ROWS_PARAMETER = "rows"


def _column_type(column: sa.Column[t.Any]) -> sa.types.TypeEngine[t.Any]:
    """The SQL type a field is cast to: a decorated type's own SQL type."""
    if isinstance(column.type, sa.TypeDecorator):
        return t.cast("sa.types.TypeEngine[t.Any]", column.type.impl_instance)
    return column.type


@dataclass(frozen=True)
class JsonRows:
    """``jsonb_array_elements(CAST(:rows AS JSONB)) AS batch(value)`` for some columns."""

    columns: tuple[sa.Column[t.Any], ...]
    rows: sa.TableValuedAlias

    @classmethod
    def of(cls, columns: Sequence[sa.Column[t.Any]], name: str = "batch") -> JsonRows:
        """The rows of one JSON parameter, each an array of the columns' values."""
        document = sa.cast(sa.bindparam(ROWS_PARAMETER, type_=sa.Text()), postgresql.JSONB)
        rows = sa.func.jsonb_array_elements(document).table_valued("value")
        rows = rows.render_derived(name=name)
        return cls(tuple(columns), rows)

    def value(self, key: str) -> ColumnElement[t.Any]:
        """The column ``key`` of the batch's rows, cast to the table column's type."""
        index = next(i for i, c in enumerate(self.columns) if c.key == key)
        column = self.columns[index]
        position: ColumnElement[int] = sa.literal_column(str(index))
        if isinstance(column.type, sa.JSON):  # the JSON value itself, not its text
            return sa.cast(self.rows.c.value.op("->")(position), postgresql.JSONB)
        return sa.cast(self.rows.c.value.op("->>")(position), _column_type(column))

    def insert(self, table: sa.Table) -> postgresql.Insert:
        """PostgreSQL's INSERT (it knows ON CONFLICT), for a statement reading this batch."""
        return postgresql.insert(table)

    def parameters(self, rows: Sequence[dict[str, t.Any]], dialect: sa.Dialect) -> dict[str, str]:
        """The rows as one JSON document, each value converted as SQLAlchemy converts a bound
        value first (``UTCDateTime`` to UTC); JSON columns stay JSON values."""
        keys = [column.key for column in self.columns]
        processors = []
        for index, column in enumerate(self.columns):
            if isinstance(column.type, sa.TypeDecorator):
                processors.append((index, column.type.process_bind_param))
        table = [[row[key] for key in keys] for row in rows]
        for index, process in processors:
            for values in table:
                values[index] = process(values[index], dialect)
        return {ROWS_PARAMETER: encoder.encode(table).decode()}
