"""Zoho's throttles and the sandbox's fault injection, both switchable at runtime.

Rate limits per organization (reference §5): a per-window counter (429 code 44), a daily quota
(429 code 45, reported in `x-rate-limit-*` headers on every response) and an optional cap on
requests in flight (429 code 1070).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from sandbox.config import SandboxConfig

DAY = 86_400
PER_MINUTE_MESSAGE = (
    "For security reasons your organization has been blocked as it have exceeded the maximum "
    "number of requests per minute that can originate from an organization."
)
CONCURRENCY_MESSAGE = (
    "You have reached the maximum number of in process requests allowed. "
    "Kindly try again after some time."
)


@dataclass
class Throttled:
    """Why a request was refused: Zoho error code, message and extra headers."""

    code: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _OrgCounters:
    window_start: float = 0.0
    window_count: int = 0
    day: int = -1
    day_count: int = 0
    in_flight: int = 0


class RateLimiter:
    """Counts requests per organization; `admit` either lets one in or says why not.

    The daily quota belongs to the organization, not to one client: `spend` counts the requests
    of the organization's other integrations, and `new_day` starts a simulated day (tests and
    benchmarks cannot wait for midnight).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orgs: dict[str, _OrgCounters] = {}
        self._days_simulated = 0

    def admit(self, org_id: str, config: SandboxConfig) -> tuple[Throttled | None, dict[str, str]]:
        """Admit one request (counting it) or refuse it; also returns the `x-rate-limit-*` headers.

        An admitted request must be `release`d when its response is written.
        """
        now = time.time()
        with self._lock:
            counters = self._current(org_id, config, now)
            refusal = self._refusal(counters, config, now)
            if refusal is None:
                counters.window_count += 1
                counters.day_count += 1
                counters.in_flight += 1
            headers = self._quota_headers(counters, config, now)
        return refusal, headers

    def spend(self, org_id: str, count: int, config: SandboxConfig) -> dict[str, str]:
        """Count `count` requests of the organization's other integrations against today's quota.

        Returns the `x-rate-limit-*` headers the next response would carry.
        """
        if count < 0:
            raise ValueError("count must be 0 or more")
        now = time.time()
        with self._lock:
            counters = self._current(org_id, config, now)
            counters.day_count += count
            return self._quota_headers(counters, config, now)

    def new_day(self) -> int:
        """Start a new (simulated) day: every organization's daily count starts again from 0.

        Returns how many days have been simulated so far.
        """
        with self._lock:
            self._days_simulated += 1
            return self._days_simulated

    def _current(self, org_id: str, config: SandboxConfig, now: float) -> _OrgCounters:
        """The organization's counters, with a new day or a new window started when due."""
        counters = self._orgs.setdefault(org_id, _OrgCounters())
        today = int(now // DAY) + self._days_simulated
        if counters.day != today:
            counters.day, counters.day_count = today, 0
        if now >= counters.window_start + config.rate_window_seconds:
            counters.window_start, counters.window_count = now, 0
        return counters

    def release(self, org_id: str) -> None:
        """A previously admitted request has finished."""
        with self._lock:
            counters = self._orgs.get(org_id)
            if counters is not None and counters.in_flight > 0:
                counters.in_flight -= 1

    def reset(self) -> None:
        """Forget all counts (requests in flight stay tracked)."""
        with self._lock:
            for counters in self._orgs.values():
                counters.window_start = counters.window_count = counters.day_count = 0

    @staticmethod
    def _refusal(counters: _OrgCounters, config: SandboxConfig, now: float) -> Throttled | None:
        if config.daily_quota and counters.day_count >= config.daily_quota:
            return Throttled(
                45,
                "The API call for this organization has exceeded the maximum call rate limit "
                f"of {config.daily_quota}.",
            )
        if config.rate_limit_per_minute and counters.window_count >= config.rate_limit_per_minute:
            headers = {}
            if config.retry_after:
                wait = counters.window_start + config.rate_window_seconds - now
                headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return Throttled(44, PER_MINUTE_MESSAGE, headers)
        if config.max_concurrent_requests and counters.in_flight >= config.max_concurrent_requests:
            return Throttled(1070, CONCURRENCY_MESSAGE)
        return None

    @staticmethod
    def _quota_headers(counters: _OrgCounters, config: SandboxConfig, now: float) -> dict[str, str]:
        # Like live Zoho, the headers describe the daily quota; absent when the quota is off.
        if not config.daily_quota:
            return {}
        return {
            "x-rate-limit-limit": str(config.daily_quota),
            "x-rate-limit-remaining": str(config.daily_quota - counters.day_count),
            "x-rate-limit-reset": str(math.ceil(DAY - now % DAY)),
        }


#: Fault modes other than an HTTP status: "drop" closes the connection without an answer,
#: "truncate" sends the headers and half the body then closes, "repeat" serves a contacts page
#: that starts with the previous page's last row (what offset paging over a list that gained a
#: row before the reader's position looks like).
FAULT_MODES = ("drop", "truncate", "repeat")


@dataclass
class Fault:
    """After `after` matching requests pass, the next `remaining` ones fail this way.

    A request matches when its path contains `path_substring`; a "repeat" fault only matches
    contact-list pages after the first (the first page has no previous page to repeat).
    """

    path_substring: str
    status: int | str  # an HTTP status or one of FAULT_MODES
    remaining: int
    code: int | None = None
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    after: int = 0

    def matches(self, path: str, page: int) -> bool:
        if self.path_substring not in path:
            return False
        return self.status != "repeat" or (path.endswith("/contacts") and page > 1)


class FaultInjector:
    """Queue of injected faults, consumed first-in first-out by matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.injected = 0

    def add(self, fault: Fault) -> int:
        """Queue a fault; returns how many faulty responses are now pending."""
        if fault.status not in FAULT_MODES and not (
            isinstance(fault.status, int) and 100 <= fault.status <= 599
        ):
            modes = ", ".join(f'"{mode}"' for mode in FAULT_MODES)
            raise ValueError(
                f"fault status must be an HTTP status or one of {modes}, got {fault.status!r}"
            )
        if fault.remaining < 1:
            raise ValueError("fault count must be at least 1")
        if fault.after < 0:
            raise ValueError("fault `after` must be 0 or more")
        with self._lock:
            self._faults.append(fault)
            return sum(f.remaining for f in self._faults)

    def take(self, path: str, page: int = 1) -> Fault | None:
        """The fault to apply to a request for `path` (list `page`), if one is due."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, page):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    self.injected += 1
                    return fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()
