"""How a batch of rows best reaches PostgreSQL: one array per column, or one JSON document.

Sends the same 10,000 lead-like rows (nine text columns) both ways to ``--database-url`` and
times a statement that turns them back into rows (``unnest`` of nine arrays;
``json_array_elements`` with ``->>`` per field; the same on the document cast to JSONB), three
rounds each, alternating. This is why the store's writes read one JSONB document on PostgreSQL
(:mod:`lead_store.postgres_json`).

    .venv/bin/python bench/bench_pg_batch.py --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import time

import sqlalchemy as sa
from singer_sdk.contrib.msgspec import encoder

ROWS = 10_000
COLUMNS = 9
ROUNDS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    rows = [
        [f"first.last{i}@company{i % 2000}.example.com", "active", f"First{i}", f"Last{i}"]
        + [f"value {c} of row {i}" for c in range(COLUMNS - 4)]
        for i in range(ROWS)
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    names = [f"c{i}" for i in range(COLUMNS)]
    arrays_sql = (
        "SELECT count(*), max(length(c0 || c8)) FROM unnest("
        + ", ".join(f"%({n})s::text[]" for n in names)
        + f") AS b({', '.join(names)})"
    )
    fields = ", ".join(f"value ->> {i} AS {n}" for i, n in enumerate(names))
    json_sql = (
        f"SELECT count(*), max(length(c0 || c8)) FROM (SELECT {fields} "
        "FROM json_array_elements(%(rows)s::json)) AS b"
    )
    jsonb_sql = json_sql.replace("json_array_elements", "jsonb_array_elements").replace(
        "::json", "::jsonb"
    )
    engine = sa.create_engine(args.database_url)
    print(f"{ROWS:,} rows x {COLUMNS} text columns, ms per statement (sent, parsed, counted)")
    print(f"{'round':>5} {'arrays':>8} {'json':>8} {'jsonb':>8}")
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for number in range(1, ROUNDS + 1):
            started = time.perf_counter()
            cursor.execute(arrays_sql, dict(zip(names, columns, strict=True)))
            by_arrays = cursor.fetchall()
            arrays_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            cursor.execute(json_sql, {"rows": encoder.encode(rows).decode()})
            by_json = cursor.fetchall()
            json_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            cursor.execute(jsonb_sql, {"rows": encoder.encode(rows).decode()})
            by_jsonb = cursor.fetchall()
            jsonb_ms = (time.perf_counter() - started) * 1000
            if not by_arrays == by_json == by_jsonb:
                read = (by_arrays, by_json, by_jsonb)
                raise SystemExit(f"the three ways read different rows: {read}")
            print(f"{number:>5} {arrays_ms:>8.0f} {json_ms:>8.0f} {jsonb_ms:>8.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()
