"""PostgreSQL: a batch's lookup keys as one array, so each lookup is one statement per batch.

Why: a lookup by ``IN`` list costs one statement per thousand keys, and one prepared while the
run's tables were still small keeps a sequential-scan plan for the rest of the run, so a first
load grew quadratic (each batch re-read everything the run had written). ``= ANY(array)`` takes
the batch's keys at once, and a generic plan for an array of unknown length expects a few keys,
so it probes the indexes whatever the tables held when it was prepared
(``tests/target/test_query_plans.py``). The writes take their rows as one JSON document instead
(:mod:`lead_store.postgres_json`).
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement


def any_of(column: sa.Column[t.Any], name: str) -> ColumnElement[bool]:
    """``column = ANY(:name)``: one array parameter instead of a list of bound keys."""
    return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))


def each_key(column: sa.Column[t.Any], name: str) -> sa.TableValuedAlias:
    """``unnest(:name) AS key(<column>)``: an array parameter's keys as rows, to probe an index
    once per key (``LATERAL``) where the planner, misled by statistics older than the run,
    would rather read a whole range of an index."""
    keys = sa.func.unnest(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    return keys.table_valued(column.key).render_derived(name="key")
