"""Counting a paged list by its page numbers: exact, and a few requests for many pages."""

from __future__ import annotations

import math

import pytest

from tap_zoho_invoice.list_size import count_rows


def paged(total: int, page_size: int) -> tuple[list[int], object]:
    """A reader over a list of ``total`` rows that records the pages it was asked for."""
    asked: list[int] = []

    def read(page: int) -> tuple[int, bool]:
        asked.append(page)
        rows = max(0, min(page_size, total - (page - 1) * page_size))
        return rows, page * page_size < total

    return asked, read


@pytest.mark.parametrize("total", [0, 1, 199, 200, 201, 400, 401, 3000, 20_000, 123_457])
def test_the_count_is_exact_in_about_two_log2_pages_requests(total: int) -> None:
    asked, read = paged(total, 200)
    first = read(1)
    asked.clear()
    assert count_rows(200, read, first) == total
    pages = max(1, math.ceil(total / 200))
    assert len(asked) <= 2 * math.ceil(math.log2(pages + 1)) + 1
    assert len(set(asked)) == len(asked)  # no page is read twice


def test_a_list_that_shrank_while_counted_gives_what_is_known() -> None:
    # Page 2 said more followed, but page 3 (and every later one) came back empty.
    answers = {2: (200, True)}
    assert count_rows(200, lambda page: answers.get(page, (0, False)), (200, True)) == 400
