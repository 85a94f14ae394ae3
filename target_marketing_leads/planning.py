"""Plans one batch of leads: outcomes and the store changes they imply, with no I/O.

Records are decided in input order against an overlay of the store, so a batch behaves exactly
as if each record were applied one by one: a tombstone followed by the same contact makes it
``re_added``; the second record of one email in a run is ``file_duplicate`` whether or not both
fell in the same batch (earlier batches are looked up by the caller: ``seen_in_store``).

Links (``design.md``, "The target"): a lead is held by every source contact that supplied it,
per (sync, list). A joining record (``new``, ``re_added``, ``duplicate``) of contact K links K,
for its run's sync and list, to the lead of its email: the link is created, or moved when K's
email changed. A moved link does not by itself take the old lead off the list: only a leaving
record does that, so a contact that changes its email never makes a lead vanish unannounced.
A ``file_duplicate`` record (a second contact with an email that joined earlier in the run, and
is still active) links its contact too: it is counted once, but both contacts hold the lead.

A leaving record ends K's link for its run: a tombstone (outcome ``deleted``) or a record with
``meets_criteria: false`` (outcome ``removed``; with no link to end it is ``ignored /
not_matching``). Then the lead leaves the run's list only when no live link for that list
remains, and is marked deleted only when no live link remains at all (any list, any sync). The
outcome's detail says which: ``left 'Newsletter'``, or ``stayed on 'Newsletter': still held by
contact 900002/17 (sync india-customers)``. Email checks do not apply to leaving records.

A tombstone of a contact with no link (a lead loaded before links existed, or by another sync)
falls back to the lead that came last from that contact (``source_org_id``, ``source_id``),
else to the tombstone's email; that lead is judged by the same rule, with no link ended. A
tombstone that finds no lead is counted ``deleted`` and changes nothing.

A leaving record never changes an unsubscribed or bounced lead's status (a later sync could
otherwise re-subscribe it), but may still take it off the run's list.
"""

from __future__ import annotations

import typing as t
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from lead_store.links import DEFAULT_SOURCE_SYSTEM, NO_LINKS, LinkKey, StoredLinks
from lead_store.repository import SourceKey, StoredLead
from lead_store.vocabulary import (
    JOINING_OUTCOMES,
    LEAVING_OUTCOMES,
    SEEN_REASONS,
    SUPPRESSED_STATUSES,
    Departure,
    LeadStatus,
    Outcome,
    Reason,
)
from target_marketing_leads.changes import Changes, LeadFields, lead_changes
from target_marketing_leads.classify import Decision, EmailCheck, decide
from target_marketing_leads.validation import LeadRecord

OutcomeKey = tuple[Outcome, Reason | None]


class PendingLead(t.NamedTuple):
    """One record of the batch, typed and with its email normalised (a named tuple: cheap).

    ``cause``, when set on a leaving record, opens its outcome's detail: why it leaves (e.g. a
    contact missing from a full-table source's latest version).
    """

    lead: LeadRecord
    email: EmailCheck
    run_id: int
    list_id: int
    position: int
    cause: str | None = None


def link_key(item: PendingLead) -> LinkKey:
    """The link a record sets or ends: its contact, for its run's sync and list."""
    lead = item.lead
    system = lead.source_system or DEFAULT_SOURCE_SYSTEM
    return (item.list_id, lead.sync_name, system, lead.source_org_id, lead.source_id)


def is_leaving(lead: LeadRecord) -> bool:
    """A tombstone, or a contact that no longer meets the criteria (valid records only)."""
    return lead.problem is None and (lead.deleted or lead.not_matching)


@dataclass
class BatchPlan:
    """What a batch does to the store, and how each of its records was counted."""

    outcomes: list[dict[str, t.Any]] = field(default_factory=list)
    upserts: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    deleted_ids: set[int] = field(default_factory=set)
    # Emails a leaving record marked deleted: a deleted lead leaves every list, not only this
    # run's.
    deleted_emails: set[str] = field(default_factory=set)
    membership: dict[tuple[int, str], bool] = field(default_factory=dict)
    # Link key -> the email it now points to, or None when the link ended.
    links: dict[LinkKey, str | None] = field(default_factory=dict)
    counts: dict[int, Counter[OutcomeKey]] = field(default_factory=dict)
    # Run id -> leads this batch took off that run's list (memberships that existed): what the
    # removal guard weighs.
    departures: Counter[int] = field(default_factory=Counter)


_ACTIVE = LeadStatus.ACTIVE.value
_DELETED = LeadStatus.DELETED.value
_VALUES: dict[Outcome | Reason | None, str | None] = {
    None: None,
    **{outcome: outcome.value for outcome in Outcome},
    **{reason: reason.value for reason in Reason},
}
"""Stored names of outcomes and reasons (``Enum.value`` is slow in a per-record loop)."""
_INVALID_RECORD = Decision(Outcome.IGNORED, Reason.INVALID_RECORD)
_NOT_MATCHING = Decision(Outcome.IGNORED, Reason.NOT_MATCHING)
_NO_LONGER_MATCHING = "no longer meets the criteria"


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
        linked: Mapping[int, StoredLead],
    ) -> None:
        self.stored: dict[str, StoredLead] = dict(by_email)
        for found in (*by_source.values(), linked.values()):
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


class _Links:
    """The links and memberships of the leads leaving records act on, as seen so far.

    Complete for every lead that a leaving record may reach: the caller loaded every link of
    those leads (:class:`StoredLinks`), and leads first seen in this batch have only the links
    this batch gives them.
    """

    def __init__(self, stored: StoredLinks) -> None:
        self.lead_of: dict[LinkKey, str] = {}
        self.holders: dict[str, set[LinkKey]] = {}
        for lead_id, keys in stored.held.items():
            email = stored.leads[lead_id].email
            self.holders[email] = set(keys)
            self.lead_of.update(dict.fromkeys(keys, email))
        self.members = {
            (list_id, stored.leads[lead_id].email) for list_id, lead_id in stored.members
        }

    def link(self, key: LinkKey, email: str) -> None:
        old = self.lead_of.get(key)
        if old is not None:
            self.holders[old].discard(key)
        self.lead_of[key] = email
        self.holders.setdefault(email, set()).add(key)

    def end(self, key: LinkKey) -> str | None:
        email = self.lead_of.pop(key, None)
        if email is not None:
            self.holders[email].discard(key)
        return email

    def holding(self, email: str, list_id: int) -> list[LinkKey]:
        return sorted(key for key in self.holders.get(email, ()) if key[0] == list_id)


class _Planner:
    """One batch's decisions, in input order, against the overlays."""

    def __init__(self, plan: BatchPlan, overlay: _Overlay, links: _Links) -> None:
        self.plan = plan
        self.overlay = overlay
        self.links = links

    def join(self, item: PendingLead, email: str) -> None:
        lead, plan = item.lead, self.plan
        plan.upserts[email] = _lead_row(lead, email)
        self.overlay.joined(email, (lead.source_org_id, lead.source_id))
        plan.membership[(item.list_id, email)] = True
        self.hold(item, email)

    def hold(self, item: PendingLead, email: str) -> None:
        """Link the record's contact to ``email``'s lead (joining, or a ``file_duplicate``)."""
        key = link_key(item)
        self.plan.links[key] = email
        self.links.link(key, email)

    def leave(self, item: PendingLead, decision: Decision) -> Leaving:
        """End the record's link and judge the lead(s) it reached."""
        key = link_key(item)
        held = self.links.end(key)
        if held is not None:
            self.plan.links[key] = None
            targets = [held]
        elif decision.outcome is Outcome.REMOVED:
            detail = f"this contact held no link to '{item.lead.mailing_list}'"
            return Leaving(_NOT_MATCHING, [], detail, None)
        else:
            lead = item.lead
            targets = self.overlay.tombstone_targets(
                (lead.source_org_id, lead.source_id), item.email.email
            )
        judged = [self._judge(item, target) for target in targets]
        detail = "; ".join(d for d, _ in judged) or "no lead came from this contact"
        departures = {departure for _, departure in judged}
        departure = next((d for d in _FARTHEST_FIRST if d in departures), None)
        return Leaving(decision, targets, detail, departure)

    def _judge(self, item: PendingLead, email: str) -> tuple[str, Departure | None]:
        """Take ``email``'s lead off the run's list unless another contact holds it there."""
        list_id, name = item.list_id, item.lead.mailing_list
        holding = self.links.holding(email, list_id)
        if holding:
            _, sync, _system, org, contact = holding[0]
            return f"stayed on '{name}': still held by contact {org}/{contact} (sync {sync})", None
        plan = self.plan
        was_member = plan.membership.get((list_id, email), (list_id, email) in self.links.members)
        plan.membership[(list_id, email)] = False
        if was_member:
            plan.departures[item.run_id] += 1
        detail = f"left '{name}'" if was_member else f"not on '{name}'"
        departure = Departure.LIST if was_member else None
        if self.links.holders.get(email):
            return detail, departure
        status = self.overlay.status.get(email)
        if status in SUPPRESSED_STATUSES:
            return f"{detail}; held by no contact, stays {status}", departure
        plan.deleted_emails.add(email)
        self.overlay.status[email] = _DELETED
        if email in plan.upserts:
            plan.upserts[email]["status"] = _DELETED
        else:
            plan.deleted_ids.add(self.overlay.stored[email].id)
        return f"{detail}; held by no contact: lead deleted", Departure.EVERY_LIST


class Leaving(t.NamedTuple):
    """What a leaving record did: its (possibly changed) decision, the leads it reached, the
    outcome's detail, and how far the farthest of them went (:class:`Departure`)."""

    decision: Decision
    targets: list[str]
    detail: str
    departure: Departure | None


_FARTHEST_FIRST = (Departure.EVERY_LIST, Departure.LIST)


def _outcome_row(
    item: PendingLead,
    decision: Decision,
    email: str | None,
    detail: str | None,
    departure: Departure | None = None,
    changes: Changes | None = None,
) -> dict[str, t.Any]:
    reason = decision.reason
    if reason is Reason.INVALID_RECORD:
        detail = item.lead.problem
    elif reason is Reason.INVALID_PATTERN:
        detail = item.email.detail
    return {
        "run_id": item.run_id,
        "position": item.position,
        "email": email,
        "outcome": _VALUES[decision.outcome],
        "reason": _VALUES[reason],
        "detail": detail,
        "source_org_id": item.lead.source_org_id,
        "source_id": item.lead.source_id,
        "departure": None if departure is None else departure.value,
        "changes": changes,
    }


def plan_batch(
    items: list[PendingLead],
    *,
    by_email: Mapping[str, StoredLead],
    by_source: Mapping[SourceKey, list[StoredLead]],
    seen_in_store: Collection[tuple[int, str]],
    roles: Collection[str],
    links: StoredLinks = NO_LINKS,
) -> BatchPlan:
    """Decide every record of the batch in order and collect the resulting store changes.

    Args:
        items: the batch, in input order.
        by_email: stored leads for every valid email of the batch.
        by_source: stored leads for the source contact of every tombstone of the batch.
        seen_in_store: (run_id, email) pairs counted by earlier batches of the same runs.
        roles: role local parts.
        links: the stored links of the leads the batch's leaving records may reach
            (``links.stored_links``); none when the batch has no leaving record.
    """
    plan = BatchPlan()
    overlay = _Overlay(by_email, by_source, links.leads)
    planner = _Planner(plan, overlay, _Links(links))
    seen_in_batch: set[tuple[int, str]] = set()
    # The latest fields of each email this batch updated: the "before" of a later update.
    latest: dict[str, LeadFields] = {}

    invalid_record = _INVALID_RECORD
    status_of = overlay.status.get
    outcomes = plan.outcomes
    for item in items:
        lead = item.lead
        email = item.email.email
        run_id = item.run_id
        detail = None
        departure = None
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
                not_matching=lead.not_matching,
            )
            shown = email if email is not None else lead.email

        changes = None
        if decision.outcome in LEAVING_OUTCOMES:
            decision, targets, detail, departure = planner.leave(item, decision)
            if decision.outcome is Outcome.REMOVED:
                detail = f"{_NO_LONGER_MATCHING}; {detail}"
            if item.cause:
                detail = f"{item.cause}; {detail}"
            if shown is None and targets:
                shown = targets[0]
        elif decision.outcome in JOINING_OUTCOMES and email is not None:
            before = latest.get(email) or overlay.stored.get(email)
            changes = None if before is None else lead_changes(before, lead)
            latest[email] = lead
            planner.join(item, email)
            seen_in_batch.add((run_id, email))
        elif decision.reason in SEEN_REASONS and email is not None:
            seen_in_batch.add((run_id, email))
        elif (
            email is not None
            and decision.reason is Reason.FILE_DUPLICATE
            and status_of(email) == _ACTIVE
        ):
            planner.hold(item, email)

        outcomes.append(_outcome_row(item, decision, shown, detail, departure, changes))
        counts = plan.counts.get(run_id)
        if counts is None:
            counts = plan.counts[run_id] = Counter()
        counts[(decision.outcome, decision.reason)] += 1
    return plan
