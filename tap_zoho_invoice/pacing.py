"""Client-side pacing: keep each organization under ``max_requests_per_minute``.

Zoho counts requests per organization per minute (100 at the time of writing) and blocks the
organization when it goes over (HTTP 429, code 44). Spacing requests evenly is cheaper than
provoking 429s and waiting them out, and keeps the tap polite when several run at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

ORGANIZATION_HEADER = "X-com-zoho-invoice-organizationid"


class Pacer:
    """Even spacing of calls per key; ``per_minute`` of 0 or None turns pacing off."""

    def __init__(
        self,
        per_minute: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_slot: dict[str | None, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str | None) -> float:
        """Block until ``key`` may send its next request; return the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(key, now))
            self._next_slot[key] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


class PacedSession(requests.Session):
    """A ``requests`` session that waits for the organization's pacer before every send.

    Pacing at the session level covers retries and every stream alike.
    """

    def __init__(self, pacer: Pacer) -> None:
        super().__init__()
        self.pacer = pacer

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:  # type: ignore[override]
        self.pacer.wait(request.headers.get(ORGANIZATION_HEADER))
        return super().send(request, **kwargs)
