"""Zoho's daily API quota as a budget: the tap leaves the rest of the day to the organization.

Zoho gives each organization a daily quota (1,000 requests on the free plan) shared by every
integration of that organization, its invoicing automations included, and reports it on every
response: ``x-rate-limit-limit`` (the day's quota) and ``x-rate-limit-remaining`` (what is left
of it today, whoever spent it). A sync that spends it all leaves every other integration with
HTTP 429 code 45 until the day resets.

The rule here reads only what Zoho reports: before each request, the tap stops an organization
if ``remaining`` would fall below ``limit - budget``. Because Zoho counts across clients, runs
and processes and resets the day itself, the rule needs no clock and no state of its own. Its
one blind spot is the first request of an organization in a run, sent before any header was
read: a run started after the budget is spent costs that one request.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import requests

from tap_zoho_invoice.errors import DailyQuotaExhausted
from tap_zoho_invoice.pacing import ORGANIZATION_HEADER, PacedSession, Pacer

LIMIT_HEADER = "x-rate-limit-limit"
REMAINING_HEADER = "x-rate-limit-remaining"
RESET_HEADER = "x-rate-limit-reset"


@dataclass(frozen=True)
class QuotaReading:
    """What Zoho last reported about an organization's daily quota."""

    limit: int
    remaining: int  # Zoho lets it go negative (overage is not always refused at once)
    reset_seconds: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> QuotaReading | None:
        """The reading in a response's headers, or None when Zoho sent none (or garbage)."""
        try:
            limit = int(headers[LIMIT_HEADER])
            remaining = int(headers[REMAINING_HEADER])
        except (KeyError, ValueError):
            return None
        reset = headers.get(RESET_HEADER, "")
        return cls(limit, remaining, int(reset) if reset.isdigit() else None)

    @property
    def used(self) -> int:
        """Requests the organization spent today, all its integrations together."""
        return self.limit - self.remaining


class BudgetSpent(DailyQuotaExhausted):
    """The tap's share of the organization's daily quota is used: stop it cleanly for today."""


class DailyBudget:
    """Per organization: the latest quota reading and whether one more request is allowed.

    ``setting`` is ``daily_request_budget``; None means half the limit Zoho reports.
    """

    def __init__(self, setting: int | None, logger: logging.Logger) -> None:
        self.setting = setting
        self.logger = logger
        self.readings: dict[str, QuotaReading] = {}
        self.sent: Counter[str] = Counter()
        self._unreported: set[str] = set()

    def allowance(self, limit: int) -> int:
        """Requests a day the tap may see the organization use (never more than the limit)."""
        budget = self.setting if self.setting is not None else limit // 2
        return max(0, min(budget, limit))

    def left_today(self, org: str) -> int | None:
        """Requests the tap may still send today for ``org``; None before Zoho reported any."""
        reading = self.readings.get(org)
        if reading is None:
            return None
        floor = reading.limit - self.allowance(reading.limit)
        return max(0, reading.remaining - floor)

    def check(self, org: str) -> None:
        """Raise ``BudgetSpent`` when one more request would take ``remaining`` below the floor."""
        if self.left_today(org) != 0:
            return
        reading = self.readings[org]
        allowance = self.allowance(reading.limit)
        raise BudgetSpent(
            f"The daily request budget for organization {org} is spent: Zoho reports "
            f"{reading.used:,} of its {reading.limit:,} requests used today (all integrations), "
            f"and daily_request_budget keeps {reading.limit - allowance:,} for the others."
        )

    def observe(self, org: str, response: requests.Response) -> None:
        """Count one request sent for ``org`` and keep what its response says of the quota."""
        self.sent[org] += 1
        reading = QuotaReading.from_headers(response.headers)
        if reading is not None:
            self.readings[org] = reading
        elif org not in self._unreported and org not in self.readings:
            self._unreported.add(org)
            self.logger.warning(
                "Zoho sent no %s/%s headers for organization %s: its daily request budget "
                "cannot be enforced.",
                LIMIT_HEADER,
                REMAINING_HEADER,
                org,
            )


class BudgetedSession(PacedSession):
    """A paced session that asks the budget before every request and feeds it every answer.

    At the session level the rule covers every request alike: list pages, contact details,
    retries and the deletion scan.
    """

    def __init__(self, pacer: Pacer, budget: DailyBudget) -> None:
        super().__init__(pacer)
        self.budget = budget

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:  # type: ignore[override]
        org = request.headers.get(ORGANIZATION_HEADER)
        if org:
            self.budget.check(org)
        response = super().send(request, **kwargs)
        if org:
            self.budget.observe(org, response)
        return response
