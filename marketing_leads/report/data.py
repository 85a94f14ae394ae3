"""The report's content, read from the lead store: pure queries and aggregation, no HTML.

The runs and outcomes come from :mod:`lead_store.admin` (the same dicts as
``marketing-leads history --json`` and ``outcomes --json``), so the report and the CLI can never
disagree. The list sizes over time are not stored as such: the store keeps only today's members.
They are rebuilt here by replaying what changed a list, in the order it happened:

- a run's ``new``, ``re_added`` and ``duplicate`` outcomes put their email on the run's list;
- a run's ``deleted`` outcomes take their email off the run's list;
- ``marketing-leads suppress`` takes a lead off every list; it leaves no history row, so its time
  is the suppressed lead's ``updated_at`` (a sync never touches a suppressed lead again).

The last point of each list is checked against today's member count (``members_now``): a
difference means the store was changed outside the target and the CLI, and the report says so.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass, field

import sqlalchemy as sa

from lead_store import admin
from lead_store.schema import (
    lead_outcomes,
    leads,
    list_members,
    mailing_lists,
    runs,
)
from lead_store.vocabulary import JOINING_OUTCOMES, SUPPRESSED_STATUSES, Outcome, Reason, RunStatus

OUTCOMES = tuple(o.value for o in Outcome)
"""The outcome series of the runs chart, in the contract's order."""

REASONS = tuple(r.value for r in Reason)
"""The known ignored reasons, in the order the checks run."""

_JOINING = frozenset(o.value for o in JOINING_OUTCOMES)

MAX_LEAD_ROWS = 20_000
"""Records of the last run read into the page; beyond, the page says how to get them all."""


@dataclass(frozen=True)
class SizePoint:
    """A list's member count right after a run (or a suppression) changed it."""

    at: str
    members: int
    run_id: int | None


@dataclass(frozen=True)
class ListSizes:
    """One list's size over time and its member count now."""

    name: str
    points: list[SizePoint]
    members_now: int

    @property
    def consistent(self) -> bool:
        """Whether the replayed history ends at today's member count."""
        last = self.points[-1].members if self.points else 0
        return last == self.members_now


@dataclass
class SyncReport:
    """Everything the report shows about one sync."""

    sync: str
    runs: list[dict[str, t.Any]]
    """History entries (``history --json`` shape), oldest first."""
    last_run: dict[str, t.Any]
    last_outcomes: list[dict[str, t.Any]]
    """The last run's first :data:`MAX_LEAD_ROWS` outcomes (``outcomes --json`` shape), in
    input order; ``last_run["total"]`` says how many it has."""
    lists: list[ListSizes] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Reasons that occur in this sync's runs: known ones in check order, then others."""
        seen = {reason for run in self.runs for reason, n in run["ignored_reasons"].items() if n}
        return [r for r in REASONS if r in seen] + sorted(seen.difference(REASONS))

    def outcome_totals(self, run: dict[str, t.Any]) -> dict[str, int]:
        """A run's count per outcome."""
        return {outcome: int(run[outcome]) for outcome in OUTCOMES}


@dataclass
class Report:
    """The whole report: one section per sync, by sync name."""

    generated_at: str
    syncs: list[SyncReport]


class UnknownSync(LookupError):
    """The asked-for sync has no completed run in the store."""


def build_report(conn: sa.Connection, sync: str | None = None, *, now: dt.datetime) -> Report:
    """Read the report of every sync (or of one) from the store."""
    history = list(reversed(admin.history(conn, sync)))
    if sync is not None and not history:
        msg = f"no completed run of sync {sync!r}"
        raise UnknownSync(msg)
    by_sync: dict[str, list[dict[str, t.Any]]] = {}
    for run in history:
        by_sync.setdefault(run["sync"], []).append(run)
    sizes = list_sizes(conn)
    reports = []
    for name in sorted(by_sync):
        sync_runs = by_sync[name]
        last = sync_runs[-1]
        list_names = sorted({run["list"] for run in sync_runs})
        reports.append(
            SyncReport(
                sync=name,
                runs=sync_runs,
                last_run=last,
                last_outcomes=list(admin.outcome_page(conn, last["run_id"], limit=MAX_LEAD_ROWS)),
                lists=[sizes[n] for n in list_names if n in sizes],
            )
        )
    return Report(generated_at=now.astimezone(dt.timezone.utc).isoformat(), syncs=reports)


def list_sizes(conn: sa.Connection) -> dict[str, ListSizes]:
    """Every list's size after each change, replayed from runs, outcomes and suppressions."""
    names = {row.id: row.name for row in conn.execute(sa.select(mailing_lists))}
    counts = sa.select(list_members.c.list_id, sa.func.count().label("n")).group_by(
        list_members.c.list_id
    )
    now_counts = {row.list_id: row.n for row in conn.execute(counts)}
    events = _run_events(conn) + _suppress_events(conn)
    events.sort(key=lambda event: (event.at, event.order))
    members: dict[int, set[str]] = {list_id: set() for list_id in names}
    points: dict[int, list[SizePoint]] = {list_id: [] for list_id in names}
    for event in events:
        changed = event.apply(members)
        for list_id in changed:
            points[list_id].append(
                SizePoint(event.at.isoformat(), len(members[list_id]), event.run_id)
            )
    return {
        name: ListSizes(name, points[list_id], int(now_counts.get(list_id, 0)))
        for list_id, name in names.items()
    }


@dataclass
class _Event:
    at: dt.datetime
    order: int
    run_id: int | None
    list_id: int | None
    joins: set[str] = field(default_factory=set)
    leaves: set[str] = field(default_factory=set)

    def apply(self, members: dict[int, set[str]]) -> list[int]:
        """Change the member sets; return the lists this event is a point of."""
        if self.list_id is None:  # a suppression: off every list
            touched = [li for li, emails in members.items() if emails & self.leaves]
            for list_id in touched:
                members[list_id] -= self.leaves
            return touched
        on_list = members.setdefault(self.list_id, set())
        for email in self.leaves:
            on_list.discard(email)
        on_list.update(self.joins)
        return [self.list_id]


def _run_events(conn: sa.Connection) -> list[_Event]:
    """One event per completed run: the emails it put on and took off its list."""
    query = (
        sa.select(runs.c.id, runs.c.list_id, runs.c.finished_at, runs.c.started_at)
        .where(runs.c.status == RunStatus.COMPLETED.value)
        .order_by(runs.c.id)
    )
    events = {
        row.id: _Event(row.finished_at or row.started_at, row.id, row.id, row.list_id)
        for row in conn.execute(query)
    }
    changes = (
        sa.select(lead_outcomes.c.run_id, lead_outcomes.c.email, lead_outcomes.c.outcome)
        .where(
            lead_outcomes.c.email.is_not(None),
            lead_outcomes.c.outcome.in_(sorted(_JOINING | {Outcome.DELETED.value})),
        )
        .order_by(lead_outcomes.c.run_id, lead_outcomes.c.position)
    )
    for row in conn.execute(changes):
        event = events.get(row.run_id)
        if event is None:
            continue
        if row.outcome == Outcome.DELETED.value:
            event.joins.discard(row.email)
            event.leaves.add(row.email)
        else:
            event.leaves.discard(row.email)
            event.joins.add(row.email)
    return list(events.values())


def _suppress_events(conn: sa.Connection) -> list[_Event]:
    """One event per suppression time: suppressed leads leave every list."""
    query = sa.select(leads.c.email, leads.c.updated_at).where(
        leads.c.status.in_(sorted(SUPPRESSED_STATUSES))
    )
    by_time: dict[dt.datetime, set[str]] = {}
    for row in conn.execute(query):
        by_time.setdefault(row.updated_at, set()).add(row.email)
    return [_Event(at, 0, None, None, leaves=emails) for at, emails in sorted(by_time.items())]
