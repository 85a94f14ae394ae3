"""Progress of an organization's sync, with an estimate of when the daily budget lets it finish.

A first sync of a large organization under a daily budget takes several runs, days apart. Each
organization reports, every ``interval`` seconds and when it stops or completes, one line for
people and two METRIC lines for machines (``quota_remaining``, ``sync_progress``)::

    org 10234695: 995 of ~3,000 contacts; 500 of 500 requests budgeted today (this run: 500);
    about 4 more daily runs

Contacts count across the runs of one catch-up (the count lives in the partition state until
the organization reads to the end of its list). The estimate is what was synced plus what the
list still holds; the ETA assumes the tap gets its whole budget every day.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from singer_sdk import metrics

from tap_zoho_invoice.quota import DailyBudget

#: Partition-state key of a catch-up in progress: {"synced": N, "estimate": M}.
STATE_KEY = "sync_progress"
RUNNING, STOPPED, COMPLETE = "running", "stopped", "complete"


class ProgressMetric(str, enum.Enum):
    """The tap's own METRIC names (the SDK needs an Enum with a ``.value``)."""

    QUOTA_REMAINING = "quota_remaining"
    SYNC_PROGRESS = "sync_progress"


def requests_to_finish(contacts_left: int, page_size: int, details: bool) -> int:
    """Requests the rest of the list costs: its pages, plus one detail per contact if asked."""
    return math.ceil(contacts_left / page_size) + (contacts_left if details else 0)


def runs_left(needed: int, left_today: int, per_day: int) -> int | None:
    """More daily runs after this one; 0 when today's budget suffices, None when none ever will."""
    if needed <= left_today:
        return 0
    if per_day <= 0:
        return None
    return math.ceil((needed - left_today) / per_day)


@dataclass
class SyncProgress:
    """One organization's catch-up: contacts synced against the estimate, and the budget."""

    org: str
    budget: DailyBudget
    page_size: int
    details: bool
    synced: int = 0
    estimate: int | None = None
    interval: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _last_report: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._last_report = self.clock()

    @classmethod
    def resumed(cls, state: dict, **kwargs: object) -> SyncProgress:
        """The catch-up a partition state holds, or a new one."""
        saved = state.get(STATE_KEY) or {}
        return cls(synced=int(saved.get("synced", 0)), estimate=saved.get("estimate"), **kwargs)  # type: ignore[arg-type]

    def to_state(self) -> dict[str, int | None]:
        return {"synced": self.synced, "estimate": self.estimate}

    def add(self, count: int = 1) -> None:
        """Count synced contacts (the estimate never trails what already arrived)."""
        self.synced += count
        if self.estimate is not None and self.synced > self.estimate:
            self.estimate = self.synced

    def due(self) -> bool:
        return self.clock() - self._last_report >= self.interval

    def runs_left(self) -> int | None:
        """More daily runs to finish; None when unknown (no estimate, or no quota reported)."""
        left_today = self.budget.left_today(self.org)
        reading = self.budget.readings.get(self.org)
        if self.estimate is None or left_today is None or reading is None:
            return None
        needed = requests_to_finish(self.estimate - self.synced, self.page_size, self.details)
        return runs_left(needed, left_today, self.budget.allowance(reading.limit))

    def line(self, status: str) -> str:
        """The progress line for people."""
        if status == COMPLETE:
            contacts = f"complete, {self.synced:,} contacts synced"
        elif self.estimate is None:
            contacts = f"{self.synced:,} contacts so far"
        else:
            contacts = f"{self.synced:,} of ~{self.estimate:,} contacts"
        sent = self.budget.sent[self.org]
        reading = self.budget.readings.get(self.org)
        if reading is None:
            return f"org {self.org}: {contacts}; Zoho reported no daily quota (this run: {sent:,})"
        quota = (
            f"{reading.used:,} of {self.budget.allowance(reading.limit):,} requests budgeted "
            f"today (this run: {sent:,})"
        )
        if status == COMPLETE:
            return f"org {self.org}: {contacts}; {quota}"
        runs = self.runs_left()
        if runs is None:
            eta = "no estimate of the runs left yet" if self.estimate is None else "no budget"
        elif runs == 0:
            eta = "should finish in this run" if status == RUNNING else "finishes in the next run"
        else:
            eta = f"about {runs} more daily run{'s' if runs > 1 else ''}"
        return f"org {self.org}: {contacts}; {quota}; {eta}"

    def points(self, status: str) -> list[metrics.Point]:
        """The same figures as METRIC lines."""
        done = status == COMPLETE
        points = [
            metrics.Point(
                "gauge",
                ProgressMetric.SYNC_PROGRESS,  # type: ignore[arg-type]
                self.synced,
                {
                    "organization_id": self.org,
                    "estimate": self.estimate,
                    "runs_left": 0 if done else self.runs_left(),
                    "status": status,
                },
            )
        ]
        reading = self.budget.readings.get(self.org)
        if reading is not None:
            points.append(
                metrics.Point(
                    "gauge",
                    ProgressMetric.QUOTA_REMAINING,  # type: ignore[arg-type]
                    reading.remaining,
                    {
                        "organization_id": self.org,
                        "limit": reading.limit,
                        "budget": self.budget.allowance(reading.limit),
                        "used_today": reading.used,
                        "requests_this_run": self.budget.sent[self.org],
                    },
                )
            )
        return points

    def report(self, logger: logging.Logger, metrics_logger: logging.Logger, status: str) -> None:
        """Log the line and its METRIC lines now."""
        logger.info(self.line(status))
        for point in self.points(status):
            metrics.log(metrics_logger, point)
        self._last_report = self.clock()
