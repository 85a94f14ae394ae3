"""How SQLite's VALUES statements cut a batch into chunks and grow their one-row template."""

from __future__ import annotations

import pytest

from lead_store import sqlite_values


@pytest.mark.parametrize("columns", [1, 3, 10, 40])
@pytest.mark.parametrize("count", [0, 1, 7, 512, 513, 10_000, 10_001])
def test_every_row_goes_once_in_order_in_chunks_of_a_size_class(columns: int, count: int) -> None:
    sizes = sqlite_values.size_classes(columns)
    chunks = list(sqlite_values.split(list(range(count)), sizes))
    assert [row for _, chunk in chunks for row in chunk] == list(range(count))
    assert all(size == len(chunk) and size in sizes for size, chunk in chunks)
    assert all(size * columns <= sqlite_values.max_variables() for size in sizes)
    largest = sizes[0]
    assert len(chunks) <= count // largest + len(sizes)


def test_size_classes_are_powers_of_two_down_to_one() -> None:
    assert sqlite_values.size_classes(3) == (512, 256, 128, 64, 32, 16, 8, 4, 2, 1)


def test_the_template_row_is_repeated() -> None:
    sql = "WITH batch(a, b) AS (VALUES (?, ?)) INSERT INTO t (a, b) SELECT a, b FROM batch"
    assert sqlite_values.repeat_row(sql, 2, 3) == (
        "WITH batch(a, b) AS (VALUES (?, ?), (?, ?), (?, ?)) "
        "INSERT INTO t (a, b) SELECT a, b FROM batch"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t (a, b) SELECT a, b FROM batch",
        "WITH batch(a, b) AS (VALUES (?, ?)) INSERT INTO t (a, b) VALUES (?, ?)",
        "WITH x(a, b) AS (VALUES (?, ?)), y(a, b) AS (VALUES (?, ?)) SELECT 1",
    ],
)
def test_a_statement_without_exactly_one_batch_row_is_refused(sql: str) -> None:
    with pytest.raises(ValueError, match="cannot find the one VALUES row"):
        sqlite_values.repeat_row(sql, 2, 3)
