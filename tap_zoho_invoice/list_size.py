"""How many rows a paged Zoho list holds, for a handful of requests.

Zoho's ``page_context`` has no total, only ``has_more_page``. Reading every page to count them
would cost as much as the sync itself; instead, doubling the page number until a page comes
back empty and then bisecting finds the last page in about 2·log2(pages) requests (about 13
for 100 pages), and the rows on it give the exact count. Each catch-up counts its list once.
"""

from __future__ import annotations

from collections.abc import Callable

#: Reads one page of the list: (rows on it, whether Zoho says more pages follow).
PageReader = Callable[[int], tuple[int, bool]]


def count_rows(page_size: int, read_page: PageReader, first_page: tuple[int, bool]) -> int:
    """Rows in the list, given its first page (already read) and a reader for the others."""
    rows, more = first_page
    if not more:
        return rows
    full = 1  # the highest page known to be full with more after it
    empty: int | None = None  # the lowest page known to be past the end
    page = 2
    while empty is None or empty - full > 1:
        rows, more = read_page(page)
        if rows and not more:
            return (page - 1) * page_size + rows
        if rows:
            full = page
        else:
            empty = page
        page = page * 2 if empty is None else (full + empty) // 2
    # The list shrank while it was being probed: what is known for sure.
    return full * page_size
