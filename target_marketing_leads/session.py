"""One target process = one run: a single transaction on the store, committed at the end.

The run's upserts, memberships, per-record outcomes and history rows are all written inside one
transaction that begins with the first batch and commits only when the input has ended. STATE
is written after that commit (see ``TargetMarketingLeads._write_state_message``). So a target
killed at any moment leaves the store as it was before the run, and running it again on the
same input ends in the same store as one clean run.

A run is per (sync, list): the leads stream names both on every record, and each pair seen gets
its own history row and counts. A producer that pins its run in the leads SCHEMA
(``leads_contract.pinned_run``) has the row opened at once (:meth:`RunSession.open_run`), so a
run with no record still leaves a history row with total 0.

A dry run, or a run the removal guard blocks (:mod:`.removal_guard`), keeps only its plan:
see :mod:`.plans`.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from lead_store import admin, approvals, links
from lead_store import repository as repo
from lead_store.vocabulary import Outcome, Reason, RunStatus
from target_marketing_leads.fast_paths import LoadingRules
from target_marketing_leads.planning import (
    BatchPlan,
    OutcomeKey,
    PendingLead,
    is_leaving,
    link_key,
    plan_batch,
)
from target_marketing_leads.plans import keep_plans_only
from target_marketing_leads.removal_guard import RemovalLimits, Verdict, judge
from target_marketing_leads.validation import LeadRecord


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class RunTally:
    """A (sync, list) run of this process and its counts so far."""

    run_id: int
    sync_name: str
    list_name: str
    list_id: int
    records: int = 0
    counts: Counter[OutcomeKey] = field(default_factory=Counter)
    departures: int = 0
    """Leads this run took off its list (memberships removed, not outcomes)."""
    members_at_start: int = 0
    """The list's members before the run changed it: what the removal guard weighs against."""
    approval: approvals.Approval | None = None
    """An unused approval of this sync and list, read when the run opened."""
    status: RunStatus = RunStatus.RUNNING
    verdict: Verdict | None = None

    def outcome_totals(self) -> dict[str, int]:
        """Counts per outcome, every outcome present, plus ``total``."""
        totals = {o.value: 0 for o in Outcome}
        for (outcome, _reason), n in self.counts.items():
            totals[outcome.value] += n
        totals["total"] = sum(self.counts.values())
        return totals

    def ignored_reasons(self) -> dict[str, int]:
        """Counts per ignored reason, every reason present."""
        reasons = {r.value: 0 for r in Reason}
        for (outcome, reason), n in self.counts.items():
            if outcome is Outcome.IGNORED and reason is not None:
                reasons[reason.value] += n
        return reasons


def _stored_links(
    conn: sa.Connection,
    items: list[PendingLead],
    by_email: dict[str, repo.StoredLead],
    by_source: dict[repo.SourceKey, list[repo.StoredLead]],
) -> links.StoredLinks:
    """The stored links the batch's leaving records may act on (nothing to read without one).

    Besides the leaving contacts' own links: the leads a tombstone falls back to (by source
    contact or email), and the stored leads of emails that a leaving contact joins earlier in
    the same batch, so the planner knows every link of each lead it may take off a list.
    """
    leaving = {link_key(i) for i in items if is_leaving(i.lead)}
    if not leaving:
        return links.NO_LINKS
    other_ids = {lead.id for found in by_source.values() for lead in found}
    for item in items:
        stored = by_email.get(item.email.email) if item.email.email is not None else None
        if stored is not None and link_key(item) in leaving:
            other_ids.add(stored.id)
    return links.stored_links(conn, leaving, other_ids)


def _link_rows(plan: BatchPlan, ids: dict[str, int], now: dt.datetime) -> list[dict[str, t.Any]]:
    return [
        dict(zip(links.LINK_KEYS, key, strict=True), lead_id=ids[email], linked_at=now)
        for key, email in plan.links.items()
        if email is not None
    ]


class RunSession:
    """Loads batches of leads into the store inside one transaction, commits once."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        roles: Collection[str],
        rules: LoadingRules,
        logger: logging.Logger,
        dry_run: bool = False,
        limits: RemovalLimits | None = None,
    ) -> None:
        self.engine = engine
        self.dry_run = dry_run
        self.limits = limits or RemovalLimits()
        self.roles = roles
        self.rules = rules
        self.logger = logger
        self.started_at = utc_now()
        self.runs: dict[tuple[str, str], RunTally] = {}
        self._conn: sa.Connection | None = None
        self._tx: sa.RootTransaction | None = None
        self.committed = False

    @property
    def conn(self) -> sa.Connection:
        """The run's connection; its transaction begins on first use."""
        if self._conn is None:
            self._conn = self.engine.connect()
            self._tx = self._conn.begin()
            repo.begin_run(self._conn)
        return self._conn

    def open_run(self, sync_name: str, list_name: str) -> RunTally:
        """The (sync, list) run of this process, its history row opened on first use."""
        key = (sync_name, list_name)
        tally = self.runs.get(key)
        if tally is None:
            tally = self.runs[key] = self._open_run(sync_name, list_name)
        return tally

    def _open_run(self, sync_name: str, list_name: str) -> RunTally:
        """Insert a run's history row; note its list's size and approval before it changes."""
        conn = self.conn
        list_id = repo.ensure_list(conn, list_name, self.started_at)
        run_id = repo.start_run(conn, sync_name, list_id, self.started_at)
        return RunTally(
            run_id,
            sync_name,
            list_name,
            list_id,
            members_at_start=admin.member_count(conn, list_id),
            approval=approvals.unused_approval(conn, sync_name, list_id),
        )

    def load(self, records: Iterable[dict[str, t.Any]]) -> None:
        """Classify and write one batch of raw ``leads`` records (in input order)."""
        with self.rules.batch_context():
            self._load(records)

    def _load(self, records: Iterable[dict[str, t.Any]]) -> None:
        items: list[PendingLead] = []
        parse_lead, normalise = self.rules.parse_lead, self.rules.normaliser.normalise
        for record in records:
            lead = parse_lead(record)
            tally = self.open_run(lead.sync_name, lead.mailing_list)
            tally.records += 1
            email = normalise(lead.email if lead.problem is None else None)
            items.append(PendingLead(lead, email, tally.run_id, tally.list_id, tally.records))
        self._plan_and_apply(items)

    def _plan_and_apply(self, items: list[PendingLead]) -> None:
        if not items:
            return
        conn = self.conn
        emails = {i.email.email for i in items if i.email.email is not None}
        sources = {(i.lead.source_org_id, i.lead.source_id) for i in items if i.lead.deleted}
        by_email = repo.leads_by_email(conn, emails)
        by_source = repo.leads_by_source(conn, sources) if sources else {}
        run_ids = sorted({i.run_id for i in items})
        seen = repo.emails_seen_in_runs(conn, run_ids, emails)
        now = utc_now()
        plan = plan_batch(
            items,
            by_email=by_email,
            by_source=by_source,
            seen_in_store=seen,
            roles=self.roles,
            links=_stored_links(conn, items, by_email, by_source),
        )
        self._apply(plan, now, {email: lead.id for email, lead in by_email.items()})
        for tally in self.runs.values():
            tally.counts.update(plan.counts.get(tally.run_id, {}))
            tally.departures += plan.departures.get(tally.run_id, 0)

    def end_links_missing_from_runs(self, *, cause: str, batch_size: int) -> int:
        """End the link of every contact of this process's runs that the run did not see.

        Each such contact goes through the batch planning as a tombstone (``cause`` opens its
        outcome's detail), so shared emails, suppressed leads and the counts follow the same
        rules as a tombstone from the source. Returns how many links were ended.
        """
        ended = 0
        no_email = self.rules.normaliser.normalise(None)
        for tally in list(self.runs.values()):
            missing = links.links_missing_from_run(
                self.conn, list_id=tally.list_id, sync_name=tally.sync_name, run_id=tally.run_id
            )
            for start in range(0, len(missing), batch_size):
                items = []
                for system, org_id, source_id in missing[start : start + batch_size]:
                    tally.records += 1
                    lead = LeadRecord(
                        tally.sync_name,
                        tally.list_name,
                        org_id,
                        source_id,
                        source_system=system,
                        deleted=True,
                    )
                    items.append(
                        PendingLead(
                            lead, no_email, tally.run_id, tally.list_id, tally.records, cause
                        )
                    )
                with self.rules.batch_context():
                    self._plan_and_apply(items)
            ended += len(missing)
        return ended

    def _apply(self, plan: BatchPlan, now: dt.datetime, stored_ids: dict[str, int]) -> None:
        """Write the plan. Every lead a record joins or holds is in the store by now (stored
        before the batch, or upserted just before its memberships and links name its id)."""
        conn = self.conn
        repo.mark_deleted(conn, plan.deleted_ids, now)
        ids = stored_ids | repo.upsert_leads(conn, list(plan.upserts.values()))
        repo.remove_members(conn, [pair for pair, on in plan.membership.items() if not on])
        joining = [(list_id, ids[email]) for (list_id, email), on in plan.membership.items() if on]
        repo.add_members(conn, joining, now)
        links.set_links(conn, _link_rows(plan, ids, now))
        links.end_links(conn, [key for key, email in plan.links.items() if email is None])
        repo.remove_deleted_from_lists(conn, plan.deleted_emails)
        repo.insert_outcomes(conn, plan.outcomes)

    def commit(self, *, keep_empty_runs: bool = True) -> list[RunTally]:
        """End the run: apply it, or keep only its plan (dry run, blocked); return the runs.

        ``keep_empty_runs=False`` drops the runs that counted no record: a run opened by a
        pinned SCHEMA whose source then failed before its STATE did not "find no change", and
        must not appear as a completed run with total 0. With nothing left, nothing is written.
        """
        if self.committed:
            return list(self.runs.values())
        if not keep_empty_runs:
            self._drop_empty_runs()
        if self._conn is not None and self._tx is not None and not self.runs:
            self.rollback()
        if self._conn is not None and self._tx is not None:
            self._decide()
            finished = utc_now()
            if all(tally.status is RunStatus.COMPLETED for tally in self.runs.values()):
                self._finish(self._conn, finished)
            else:
                runs = list(self.runs.values())
                self._tx = keep_plans_only(self._conn, self._tx, runs, self.started_at)
                self._finish(self._conn, finished)
            self._conn.close()
            self._conn = None
        self.committed = True
        return list(self.runs.values())

    def _decide(self) -> None:
        """Each run's status: completed, or planned (dry run) or blocked (removal guard).

        A run the guard would block in a dry run is still ``planned``: a dry run applies nothing
        anyway, and a planned run cannot be approved.
        """
        for tally in self.runs.values():
            approved = tally.approval.removals if tally.approval is not None else None
            tally.verdict = judge(tally.departures, tally.members_at_start, self.limits, approved)
        blocked = {
            key for key, tally in self.runs.items() if tally.verdict and tally.verdict.blocked
        }
        for key, tally in self.runs.items():
            if self.dry_run or (blocked and key not in blocked):
                tally.status = RunStatus.PLANNED
            elif key in blocked:
                tally.status = RunStatus.BLOCKED
            else:
                tally.status = RunStatus.COMPLETED

    def _finish(self, conn: sa.Connection, finished: dt.datetime) -> None:
        """Write the history rows' counts (and status), consume approvals used; commit."""
        for tally in self.runs.values():
            repo.finish_run(
                conn,
                tally.run_id,
                counts=tally.outcome_totals(),
                ignored_reasons=tally.ignored_reasons(),
                finished_at=finished,
                departures=tally.departures,
                status=tally.status,
            )
            if tally.verdict is not None and tally.verdict.uses_approval:
                approvals.consume(conn, tally.sync_name, tally.list_id, tally.run_id)
        conn.commit()

    def _drop_empty_runs(self) -> None:
        for key, tally in list(self.runs.items()):
            if not tally.counts:
                repo.delete_run(self.conn, tally.run_id)
                del self.runs[key]

    def rollback(self) -> None:
        """Discard everything this run wrote."""
        if self._conn is not None:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Roll back anything uncommitted and release the store's connections."""
        self.rollback()
        self.engine.dispose()
