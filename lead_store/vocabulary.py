"""The store's vocabulary: what a run did with a record, why, and what state a lead is in.

These names are stored (``lead_outcomes.outcome``/``reason``, ``leads.status``,
``runs.status``) and printed by the admin CLI's ``--json``: the target writes them, the CLI
and the report read them, so they are declared here, once, beside the tables that hold them.
"""

from __future__ import annotations

import enum


class Outcome(str, enum.Enum):
    """What a run did with one lead record."""

    NEW = "new"
    RE_ADDED = "re_added"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DELETED = "deleted"


class Reason(str, enum.Enum):
    """Why a record was ignored, in the order the checks run."""

    INVALID_RECORD = "invalid_record"
    EMPTY_EMAIL = "empty_email"
    INVALID_PATTERN = "invalid_pattern"
    ROLE_ADDRESS = "role_address"
    FILE_DUPLICATE = "file_duplicate"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class LeadStatus(str, enum.Enum):
    """A lead's status in the store."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    DELETED = "deleted"


SUPPRESSED_STATUSES = frozenset({LeadStatus.UNSUBSCRIBED.value, LeadStatus.BOUNCED.value})
"""Statuses a sync never changes: these leads are never re-subscribed nor marked deleted."""

JOINING_OUTCOMES = frozenset({Outcome.NEW, Outcome.RE_ADDED, Outcome.DUPLICATE})
"""Outcomes after which the lead is active and on the list."""

SEEN_REASONS = frozenset({Reason.UNSUBSCRIBED, Reason.BOUNCED})
"""Ignored reasons that still count the email as "already came in this run"."""


class RunStatus(str, enum.Enum):
    """A history row's status."""

    RUNNING = "running"
    COMPLETED = "completed"
