"""Plans one batch of leads: outcomes and the store changes they imply, with no I/O.

Records are decided in input order against an overlay of the store, so a batch behaves exactly
as if each record were applied one by one: a tombstone followed by the same contact makes it
``re_added``; the second record of one email in a run is ``file_duplicate`` whether or not both
fell in the same batch (earlier batches are looked up by the caller: ``seen_in_store``).

Tombstones find their leads by source contact (``source_org_id``, ``source_id``), falling back
to the tombstone's email when no lead came from that contact. A tombstone never changes an
unsubscribed or bounced lead's status (a later sync could otherwise re-subscribe it), but it
still takes the lead off the run's list. A tombstone for a contact never seen is counted
``deleted`` and changes nothing.
"""

from __future__ import annotations

import typing as t
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from lead_store.repository import SourceKey, StoredLead
from lead_store.vocabulary import (
    JOINING_OUTCOMES,
    SEEN_REASONS,
    SUPPRESSED_STATUSES,
    LeadStatus,
    Outcome,
    Reason,
)
from target_marketing_leads.classify import Decision, EmailCheck, decide
from target_marketing_leads.validation import LeadRecord

OutcomeKey = tuple[Outcome, Reason | None]


class PendingLead(t.NamedTuple):
    """One record of the batch, typed and with its email normalised (a named tuple: cheap)."""

    lead: LeadRecord
    email: EmailCheck
    run_id: int
    list_id: int
    position: int
    cause: str | None = None


@dataclass
class BatchPlan:
    """What a batch does to the store, and how each of its records was counted."""

    outcomes: list[dict[str, t.Any]] = field(default_factory=list)
    upserts: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    deleted_ids: set[int] = field(default_factory=set)
    # Emails a tombstone marked deleted: a deleted lead leaves every list, not only this run's.
    deleted_emails: set[str] = field(default_factory=set)
    membership: dict[tuple[int, str], bool] = field(default_factory=dict)
    counts: dict[int, Counter[OutcomeKey]] = field(default_factory=dict)


_ACTIVE = LeadStatus.ACTIVE.value
_DELETED = LeadStatus.DELETED.value
_VALUES: dict[Outcome | Reason | None, str | None] = {
    None: None,
    **{outcome: outcome.value for outcome in Outcome},
    **{reason: reason.value for reason in Reason},
}
"""Stored names of outcomes and reasons (``Enum.value`` is slow in a per-record loop)."""
_INVALID_RECORD = Decision(Outcome.IGNORED, Reason.INVALID_RECORD)


def _lead_row(lead: LeadRecord, email: str) -> dict[str, t.Any]:
    return {
        "email": email,
        "status": _ACTIVE,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "attributes": lead.attributes,
        "source_system": lead.source_system,
        "source_org_id": lead.source_org_id,
        "source_id": lead.source_id,
        "source_modified_at": lead.source_modified_at,
    }


class _Overlay:
    """The store as seen so far in this batch: statuses and source contacts by email.

    Links from source contacts to emails are only read by tombstones, which are rare: they are
    queued in input order and applied when a tombstone first needs them.
    """

    def __init__(
        self,
        by_email: Mapping[str, StoredLead],
        by_source: Mapping[SourceKey, list[StoredLead]],
    ) -> None:
        self.stored: dict[str, StoredLead] = dict(by_email)
        for found in by_source.values():
            for lead in found:
                self.stored.setdefault(lead.email, lead)
        self.status = {email: lead.status for email, lead in self.stored.items()}
        self.source_of: dict[str, SourceKey | None] = {}
        self.by_source: dict[SourceKey, set[str]] = {}
        self.unlinked: list[tuple[str, SourceKey]] = [
            (lead.email, (lead.source_org_id, lead.source_id))
            for lead in self.stored.values()
            if lead.source_org_id is not None and lead.source_id is not None
        ]

    def _link(self, email: str, key: SourceKey) -> None:
        old = self.source_of.get(email)
        if old is not None:
            self.by_source.get(old, set()).discard(email)
        self.source_of[email] = key
        self.by_source.setdefault(key, set()).add(email)

    def joined(self, email: str, key: SourceKey) -> None:
        self.status[email] = _ACTIVE
        self.unlinked.append((email, key))

    def tombstone_targets(self, key: SourceKey, email: str | None) -> list[str]:
        for queued in self.unlinked:
            self._link(*queued)
        self.unlinked.clear()
        targets = self.by_source.get(key)
        if targets:
            return sorted(targets)
        if email is not None and email in self.status:
            return [email]
        return []


def _outcome_row(item: PendingLead, decision: Decision, email: str | None) -> dict[str, t.Any]:
    reason = decision.reason
    return {
        "run_id": item.run_id,
        "position": item.position,
        "email": email,
        "outcome": _VALUES[decision.outcome],
        "reason": _VALUES[reason],
        "detail": None
        if reason is None
        else item.lead.problem
        if reason is Reason.INVALID_RECORD
        else item.email.detail
        if reason is Reason.INVALID_PATTERN
        else None,
        "source_org_id": item.lead.source_org_id,
        "source_id": item.lead.source_id,
    }


def plan_batch(
    items: list[PendingLead],
    *,
    by_email: Mapping[str, StoredLead],
    by_source: Mapping[SourceKey, list[StoredLead]],
    seen_in_store: Collection[tuple[int, str]],
    roles: Collection[str],
) -> BatchPlan:
    """Decide every record of the batch in order and collect the resulting store changes.

    Args:
        items: the batch, in input order.
        by_email: stored leads for every valid email of the batch.
        by_source: stored leads for the source contact of every tombstone of the batch.
        seen_in_store: (run_id, email) pairs counted by earlier batches of the same runs.
        roles: role local parts.
    """
    plan = BatchPlan()
    overlay = _Overlay(by_email, by_source)
    seen_in_batch: set[tuple[int, str]] = set()

    deleted, invalid_record = Outcome.DELETED, _INVALID_RECORD
    status_of = overlay.status.get
    outcomes, upserts, membership = plan.outcomes, plan.upserts, plan.membership
    for item in items:
        lead = item.lead
        email = item.email.email
        run_id = item.run_id
        if lead.problem is not None:
            decision = invalid_record
            shown = lead.email
        else:
            seen = (run_id, email) in seen_in_batch or (run_id, email) in seen_in_store
            decision = decide(
                tombstone=lead.deleted,
                email=item.email,
                roles=roles,
                seen_earlier=email is not None and seen,
                store_status=status_of(email) if email is not None else None,
            )
            shown = email if email is not None else lead.email

        outcome = decision.outcome
        if outcome is deleted:
            targets = overlay.tombstone_targets((lead.source_org_id, lead.source_id), email)
            for target in targets:
                membership[(item.list_id, target)] = False
                plan.deleted_emails.add(target)
                if status_of(target) in SUPPRESSED_STATUSES:
                    continue
                overlay.status[target] = _DELETED
                if target in upserts:
                    upserts[target]["status"] = _DELETED
                else:
                    plan.deleted_ids.add(overlay.stored[target].id)
            if shown is None and targets:
                shown = targets[0]
        elif outcome in JOINING_OUTCOMES and email is not None:
            upserts[email] = _lead_row(lead, email)
            overlay.joined(email, (lead.source_org_id, lead.source_id))
            membership[(item.list_id, email)] = True
            seen_in_batch.add((run_id, email))
        elif decision.reason in SEEN_REASONS and email is not None:
            seen_in_batch.add((run_id, email))

        outcomes.append(_outcome_row(item, decision, shown))
        counts = plan.counts.get(run_id)
        if counts is None:
            counts = plan.counts[run_id] = Counter()
        counts[(outcome, decision.reason)] += 1
    return plan
