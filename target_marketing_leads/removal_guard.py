"""The removal guard: how many members a run may take off a list before a person must approve.

A complete but wrong source (a permission change that hides most contacts, criteria that match
nobody, an empty full-table version) would otherwise empty a list in one run. A run is
``blocked`` when the leads it takes off a list (its departures) exceed the allowed number:

    allowed = min(floor(max_removal_fraction x members at the start), max_removals if set)

A list with no members at the start is never blocked. ``marketing-leads approve RUN_ID`` lets the
next run of the same sync and list remove up to the blocked run's departures more, plus a margin
for contacts removed meanwhile: 10% of them or 5, whichever is larger (:func:`approval_allowance`).
"""

from __future__ import annotations

import math
import typing as t
from dataclasses import dataclass

DEFAULT_MAX_REMOVAL_FRACTION = 0.1
APPROVAL_MARGIN_FRACTION = 0.1
APPROVAL_MARGIN_MINIMUM = 5


@dataclass(frozen=True)
class RemovalLimits:
    """The ``max_removal_fraction`` and ``max_removals`` settings, checked."""

    fraction: float = DEFAULT_MAX_REMOVAL_FRACTION
    absolute: int | None = None

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any]) -> RemovalLimits:
        """The limits of a target's config, already checked against its JSON schema (ranges,
        types) by the SDK, which names every bad setting before the run starts."""
        absolute = config.get("max_removals")
        return cls(
            float(config.get("max_removal_fraction", DEFAULT_MAX_REMOVAL_FRACTION)),
            None if absolute is None else int(absolute),
        )


def approval_allowance(approved: int) -> int:
    """What an approval of ``approved`` departures lets the next run remove beyond its limit."""
    return approved + max(math.ceil(approved * APPROVAL_MARGIN_FRACTION), APPROVAL_MARGIN_MINIMUM)


@dataclass(frozen=True)
class Verdict:
    """The guard's answer for one run: may it apply, and does it use an approval to."""

    departures: int
    members: int
    limit: int
    """Departures allowed without an approval."""
    approved: int | None
    """The unused approval's departures for this sync and list, if any."""
    blocked: bool
    uses_approval: bool


def judge(
    departures: int, members: int, limits: RemovalLimits, approved: int | None = None
) -> Verdict:
    """The verdict on a run taking ``departures`` of a list's ``members`` (at its start) off.

    Departures are capped at ``members``: the guard protects the members the list had, and a
    lead that joined and left within the run, or a tombstone for a lead on another list only,
    takes none of them off.
    """
    departures = min(departures, members)
    limit = math.floor(limits.fraction * members)
    if limits.absolute is not None:
        limit = min(limit, limits.absolute)
    within_limit = members == 0 or departures <= limit
    within_approval = approved is not None and departures <= limit + approval_allowance(approved)
    return Verdict(
        departures=departures,
        members=members,
        limit=limit,
        approved=approved,
        blocked=not (within_limit or within_approval),
        uses_approval=not within_limit and within_approval,
    )


def removal_summary(list_name: str, verdict: Verdict, limits: RemovalLimits) -> str:
    """``remove 412 of 1,020 members of 'newsletter' (40%, limit 10%)``."""
    share = verdict.departures / verdict.members if verdict.members else 0.0
    if limits.absolute is not None and limits.absolute < math.floor(
        limits.fraction * verdict.members
    ):
        limit = f"limit {limits.absolute:,}"
    else:
        limit = f"limit {limits.fraction * 100:g}%"
    if verdict.approved is not None:
        limit += f" + {approval_allowance(verdict.approved):,} approved"
    return (
        f"remove {verdict.departures:,} of {verdict.members:,} members of {list_name!r} "
        f"({share:.0%}, {limit})"
    )


def blocked_message(
    run_id: int,
    list_name: str,
    verdict: Verdict,
    limits: RemovalLimits,
    *,
    removed: bool = False,
    deleted: bool = True,
) -> str:
    """The one line a blocked run ends with: what it would do, and how to review and approve.

    ``deleted`` / ``removed``: whether the run has outcomes of each kind, so the review command
    shows its removals (``--outcome deleted`` or ``--outcome removed``; every outcome if both).
    """
    review = f"marketing-leads outcomes {run_id}"
    if deleted != removed:
        review += f" --outcome {'deleted' if deleted else 'removed'}"
    return (
        f"run {run_id} would {removal_summary(list_name, verdict, limits)}: review with "
        f"'{review}', then 'marketing-leads approve {run_id}' and run the sync again"
    )
