"""``UTCDateTime`` binds on SQLite exactly the text SQLAlchemy's own conversion gives.

Its SQLite bind processor replaces ``process_bind_param`` + SQLAlchemy's ``DATETIME``
formatting with one step; stored timestamps must stay byte-identical (readers compare them
as text).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from lead_store.schema import UTCDateTime

BERLIN = dt.timezone(dt.timedelta(hours=2))
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))


def _two_step(value: dt.datetime | None) -> str | None:
    """What SQLAlchemy stores for ``UTCDateTime`` without the one-step processor."""
    dialect = sqlite.dialect()
    converted = UTCDateTime().process_bind_param(value, dialect)
    stock = sa.DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    assert stock is not None
    return stock(converted)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "value",
    [
        None,
        dt.datetime(2026, 6, 9, 17, 15, 6, tzinfo=dt.timezone.utc),
        dt.datetime(2026, 6, 9, 17, 15, 6, 123456, tzinfo=BERLIN),
        dt.datetime(2026, 12, 31, 23, 30, tzinfo=NEW_YORK),
        dt.datetime(2026, 6, 9, 17, 15, 6, 7),
        dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone.utc),
    ],
)
def test_sqlite_binds_the_text_sqlalchemy_binds(value: dt.datetime | None) -> None:
    dialect = sqlite.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert process(value) == _two_step(value)
