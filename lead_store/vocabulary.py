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
    REMOVED = "removed"


class Reason(str, enum.Enum):
    """Why a record was ignored, in the order the checks run."""

    INVALID_RECORD = "invalid_record"
    EMPTY_EMAIL = "empty_email"
    INVALID_PATTERN = "invalid_pattern"
    ROLE_ADDRESS = "role_address"
    FILE_DUPLICATE = "file_duplicate"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    # Not one of the checks above: a contact that does not meet the sync's criteria (the mapper
    # says so with ``when_no_longer_matching: remove``) but held no link to the list to end.
    NOT_MATCHING = "not_matching"


class Departure(str, enum.Enum):
    """Where a leaving record (``deleted``, ``removed``) took its lead, when it took it anywhere."""

    LIST = "list"
    """Off the run's list: no other contact holds the lead there."""
    EVERY_LIST = "every_list"
    """Marked deleted (no contact holds it anywhere): off every list."""


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

LEAVING_OUTCOMES = frozenset({Outcome.DELETED, Outcome.REMOVED})
"""Outcomes that end a source contact's link to a lead (and may take the lead off a list)."""

SEEN_REASONS = frozenset({Reason.UNSUBSCRIBED, Reason.BOUNCED})
"""Ignored reasons that still count the email as "already came in this run"."""


class RunStatus(str, enum.Enum):
    """A history row's status."""

    RUNNING = "running"
    COMPLETED = "completed"
    PLANNED = "planned"
    """A dry run: outcomes stored, nothing applied, no STATE."""
    BLOCKED = "blocked"
    """Would take more members off a list than allowed: outcomes stored, nothing applied."""
