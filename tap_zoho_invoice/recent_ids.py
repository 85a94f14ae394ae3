"""A bounded memory of the ids emitted last, for dropping repeats between neighbouring pages.

Offset paging over a list that changes while it is read repeats a row of the previous page
(and Zoho has been seen to repeat rows outright). Remembering every id of an organization
would grow with its size; a repeat comes from the pages just read, so the last few pages'
ids are enough, and memory stays flat however many contacts an organization has.
"""

from __future__ import annotations

from collections import deque


class RecentIds:
    """The last ``size`` ids added, with O(1) membership."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def add(self, item: str) -> None:
        if item in self._ids:
            return
        self._order.append(item)
        self._ids.add(item)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
