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

from target_marketing_leads.classify import (
    JOINING_OUTCOMES,
    SEEN_REASONS,
    SUPPRESSED_STATUSES,
    Decision,
    EmailCheck,
    LeadStatus,
    Outcome,
    Reason,
    decide,
)
from target_marketing_leads.store.repository import SourceKey, StoredLead
from target_marketing_leads.validation import LeadRecord

OutcomeKey = tuple[Outcome, Reason | None]


@dataclass(frozen=True)
class PendingLead:
    """One record of the batch, typed and with its email normalised."""

    lead: LeadRecord
    email: EmailCheck
    run_id: int
    list_id: int
    position: int


@dataclass
class BatchPlan:
    """What a batch does to the store, and how each of its records was counted."""

    outcomes: list[dict[str, t.Any]] = field(default_factory=list)
    upserts: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    deleted_ids: set[int] = field(default_factory=set)
    membership: dict[tuple[int, str], bool] = field(default_factory=dict)
    counts: dict[int, Counter[OutcomeKey]] = field(default_factory=dict)


def _lead_row(lead: LeadRecord, email: str) -> dict[str, t.Any]:
    return {
        "email": email,
        "status": LeadStatus.ACTIVE.value,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "attributes": lead.attributes,
        "source_system": lead.source_system,
        "source_org_id": lead.source_org_id,
        "source_id": lead.source_id,
        "source_modified_at": lead.source_modified_at,
    }


class _Overlay:
    """The store as seen so far in this batch: statuses and source contacts by email."""

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
        for lead in self.stored.values():
            if lead.source_org_id is not None and lead.source_id is not None:
                self._link(lead.email, (lead.source_org_id, lead.source_id))

    def _link(self, email: str, key: SourceKey) -> None:
        old = self.source_of.get(email)
        if old is not None:
            self.by_source.get(old, set()).discard(email)
        self.source_of[email] = key
        self.by_source.setdefault(key, set()).add(email)

    def joined(self, email: str, key: SourceKey) -> None:
        self.status[email] = LeadStatus.ACTIVE.value
        self._link(email, key)

    def tombstone_targets(self, key: SourceKey, email: str | None) -> list[str]:
        targets = self.by_source.get(key)
        if targets:
            return sorted(targets)
        if email is not None and email in self.status:
            return [email]
        return []


def _outcome_row(item: PendingLead, decision: Decision, email: str | None) -> dict[str, t.Any]:
    return {
        "run_id": item.run_id,
        "position": item.position,
        "email": email,
        "outcome": decision.outcome.value,
        "reason": decision.reason.value if decision.reason else None,
        "detail": item.lead.problem
        if decision.reason is Reason.INVALID_RECORD
        else item.email.detail
        if decision.reason is Reason.INVALID_PATTERN
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

    for item in items:
        lead = item.lead
        email = item.email.email
        key = (lead.source_org_id, lead.source_id)
        if lead.problem is not None:
            decision = Decision(Outcome.IGNORED, Reason.INVALID_RECORD)
            shown = lead.email
        else:
            seen = (item.run_id, email) in seen_in_batch or (item.run_id, email) in seen_in_store
            decision = decide(
                tombstone=lead.deleted,
                email=item.email,
                roles=roles,
                seen_earlier=email is not None and seen,
                store_status=overlay.status.get(email) if email is not None else None,
            )
            shown = email if email is not None else lead.email

        if decision.outcome is Outcome.DELETED:
            targets = overlay.tombstone_targets(key, email)
            for target in targets:
                plan.membership[(item.list_id, target)] = False
                if overlay.status.get(target) in SUPPRESSED_STATUSES:
                    continue
                overlay.status[target] = LeadStatus.DELETED.value
                if target in plan.upserts:
                    plan.upserts[target]["status"] = LeadStatus.DELETED.value
                else:
                    plan.deleted_ids.add(overlay.stored[target].id)
            if shown is None and targets:
                shown = targets[0]
        elif decision.outcome in JOINING_OUTCOMES and email is not None:
            plan.upserts[email] = _lead_row(lead, email)
            overlay.joined(email, key)
            plan.membership[(item.list_id, email)] = True
            seen_in_batch.add((item.run_id, email))
        elif decision.reason in SEEN_REASONS and email is not None:
            seen_in_batch.add((item.run_id, email))

        plan.outcomes.append(_outcome_row(item, decision, shown))
        counts = plan.counts.get(item.run_id)
        if counts is None:
            counts = plan.counts[item.run_id] = Counter()
        counts[(decision.outcome, decision.reason)] += 1
    return plan
