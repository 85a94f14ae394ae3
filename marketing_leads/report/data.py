"""The report's content, read from the lead store: pure queries and aggregation, no HTML.

The runs and outcomes come from :mod:`lead_store.admin` (the same dicts as
``marketing-leads history --json`` and ``outcomes --json``), so the report and the CLI can never
disagree. The list sizes over time are not stored as such: the store keeps only today's members.
They are rebuilt here by replaying what changed a list, in the order it happened:

- a run's ``new``, ``re_added`` and ``duplicate`` outcomes put their email on the run's list;
- a run's ``deleted`` and ``removed`` outcomes take their email off the run's list when they
  took the lead off it (``lead_outcomes.departure``: no other contact held it there), and off
  every list when they marked the lead deleted;
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
    UTCDateTime,
    lead_outcomes,
    leads,
    list_members,
    mailing_lists,
    runs,
)
from lead_store.vocabulary import (
    JOINING_OUTCOMES,
    SUPPRESSED_STATUSES,
    Departure,
    Outcome,
    Reason,
    RunStatus,
)

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
    """The asked-for sync has no finished run (completed, planned, blocked) in the store."""


def build_report(conn: sa.Connection, sync: str | None = None, *, now: dt.datetime) -> Report:
    """Read the report of every sync (or of one) from the store."""
    history = list(reversed(admin.history(conn, sync)))
    if sync is not None and not history:
        msg = f"no finished run of sync {sync!r}"
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
                last_outcomes=_first_outcomes(conn, last["run_id"]),
                lists=[sizes[n] for n in list_names if n in sizes],
            )
        )
    return Report(generated_at=now.astimezone(dt.timezone.utc).isoformat(), syncs=reports)


def _first_outcomes(conn: sa.Connection, run_id: int) -> list[dict[str, t.Any]]:
    with admin.outcome_page(conn, run_id, limit=MAX_LEAD_ROWS) as page:
        return list(page)


def list_sizes(conn: sa.Connection) -> dict[str, ListSizes]:
    """Every list's size after each change, replayed from runs, outcomes and suppressions.

    The database does the replay (:func:`_size_changes`): Python gets one number per list and
    event, not a million emails. Every completed run is a point of its own list, even when it
    changed nothing; a suppression, or a deletion through another list's run, is a point of
    each list it shrank.
    """
    names: dict[int, str] = {
        list_id: name
        for list_id, name in conn.execute(sa.select(mailing_lists.c.id, mailing_lists.c.name))
    }
    counts = sa.select(list_members.c.list_id, sa.func.count()).group_by(list_members.c.list_id)
    now_counts: dict[int, int] = {list_id: n for list_id, n in conn.execute(counts)}
    completed = sa.select(runs.c.id, runs.c.list_id, _RUN_AT).where(_COMPLETED)
    run_lists: dict[int, int] = {}
    events = _size_changes(conn)
    for run_id, list_id, at in conn.execute(completed):
        run_lists[run_id] = list_id
        events.setdefault((list_id, at, run_id), 0)
    sizes = dict.fromkeys(names, 0)
    points: dict[int, list[SizePoint]] = {list_id: [] for list_id in names}
    for (list_id, at, order), delta in sorted(events.items(), key=lambda e: (e[0][1], e[0][2])):
        if delta == 0 and run_lists.get(order) != list_id:
            continue
        sizes[list_id] += delta
        points[list_id].append(SizePoint(at.isoformat(), sizes[list_id], order or None))
    return {
        name: ListSizes(name, points[list_id], int(now_counts.get(list_id, 0)))
        for list_id, name in names.items()
    }


_COMPLETED = runs.c.status == RunStatus.COMPLETED.value
_RUN_AT = sa.func.coalesce(runs.c.finished_at, runs.c.started_at, type_=UTCDateTime).label("at")
EventKey = tuple[int, dt.datetime, int]
"""(list id, time, order) of a change: order is the run's id, 0 for a suppression."""


def _size_changes(conn: sa.Connection) -> dict[EventKey, int]:
    """How much each event changed each list's member count, computed in SQL.

    Each (list, email) gets a row per event that sets whether it is a member: a run's ``new``,
    ``re_added`` and ``duplicate`` outcomes put it on the run's list; a leaving outcome takes it
    off the run's list, or off every list when it marked the lead deleted (its ``departure``;
    one whose lead another contact still holds changes nothing); a suppression (at the suppressed
    lead's ``updated_at``, before any run of that instant) takes it off every list. In time
    order (then run, then position), a row changes its list's count by its state minus the
    state before it (``LAG``); the sums per list and event are the steps of the chart.
    """
    o, ml = lead_outcomes, mailing_lists
    ran = o.join(runs, runs.c.id == o.c.run_id)
    recorded = (_COMPLETED, o.c.email.is_not(None))
    joins = (
        sa.select(runs.c.list_id, o.c.email, _RUN_AT, runs.c.id, o.c.position, sa.literal(1))
        .select_from(ran)
        .where(*recorded, o.c.outcome.in_(sorted(_JOINING)))
    )
    left_list = (
        sa.select(runs.c.list_id, o.c.email, _RUN_AT, runs.c.id, o.c.position, sa.literal(0))
        .select_from(ran)
        .where(*recorded, o.c.departure == Departure.LIST.value)
    )
    left_every_list = (
        sa.select(ml.c.id, o.c.email, _RUN_AT, runs.c.id, o.c.position, sa.literal(0))
        .select_from(ran.join(ml, sa.true()))
        .where(*recorded, o.c.departure == Departure.EVERY_LIST.value)
    )
    suppressions = (
        sa.select(
            ml.c.id, leads.c.email, leads.c.updated_at, sa.literal(0), sa.literal(0), sa.literal(0)
        )
        .select_from(leads.join(ml, sa.true()))
        .where(leads.c.status.in_(sorted(SUPPRESSED_STATUSES)))
    )
    changes = sa.union_all(joins, left_list, left_every_list, suppressions).subquery("changes")
    list_id, email, at, order, position, member = changes.c
    before = sa.func.lag(member).over(partition_by=(list_id, email), order_by=(at, order, position))
    steps = sa.select(
        list_id.label("list_id"), at.label("at"), order.label("ord"),
        (member - sa.func.coalesce(before, 0)).label("delta"),
    ).subquery("steps")  # fmt: skip
    query = sa.select(
        steps.c.list_id, sa.type_coerce(steps.c.at, UTCDateTime), steps.c.ord,
        sa.func.sum(steps.c.delta),
    ).group_by(steps.c.list_id, steps.c.at, steps.c.ord)  # fmt: skip
    return {(lid, when, ordr): int(delta) for lid, when, ordr, delta in conn.execute(query)}
