"""Queries and the one write (suppress) behind the ``marketing-leads`` admin CLI.

Every function returns plain dicts with the stable keys of the CLI's ``--json`` output
(documented in :mod:`marketing_leads.cli`); timestamps are ISO 8601 strings in UTC.

A list's members and a run's outcomes can be a million rows: they are streamed from the
database (:func:`member_page`, :func:`outcome_page`) and paged by key (email, position), never
by OFFSET, so that a late page costs what the first one does.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from collections.abc import Iterable, Iterator

import msgspec
import sqlalchemy as sa

from lead_store import approvals
from lead_store.bulk import IN_CHUNK, dialect_insert
from lead_store.schema import (
    lead_outcomes,
    leads,
    list_members,
    mailing_lists,
    run_approvals,
    runs,
)
from lead_store.vocabulary import LeadStatus, Outcome, Reason, RunStatus


class EmailKey(t.Protocol):
    """A normalised email (``email``), or why there is none (``reason``, ``detail``)."""

    @property
    def email(self) -> str | None: ...
    @property
    def reason(self) -> Reason | None: ...
    @property
    def detail(self) -> str | None: ...


class Normaliser(t.Protocol):
    """Turns a raw email into the store's key: the target's rule, passed in by the caller."""

    def normalise(self, raw: str | None) -> EmailKey: ...


_decode_json = msgspec.json.Decoder().decode

OUTCOME_NAMES = [o.value for o in Outcome]
REASON_NAMES = [r.value for r in Reason]
OUTCOME_KEYS = ("position", "email", "outcome", "reason", "detail", "source_org_id", "source_id",
                "changes")  # fmt: skip
"""The keys of one ``outcomes --json`` row, in order."""
SUPPRESS_STATUSES = (LeadStatus.UNSUBSCRIBED.value, LeadStatus.BOUNCED.value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _run_dict(row: sa.Row[t.Any]) -> dict[str, t.Any]:
    return {
        "run_id": row.id,
        "sync": row.sync_name,
        "list": row.list_name,
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "status": row.status,
        "total": row.total,
        **{name: row._mapping[name] for name in OUTCOME_NAMES},
        "departures": row.departures,
        "approved_by": row.approved_by,
        "approved_at": _iso(row.approved_at),
        "ignored_reasons": dict(row.ignored_reasons or {}),
    }


def _runs_query() -> sa.Select[t.Any]:
    return (
        sa.select(
            runs,
            mailing_lists.c.name.label("list_name"),
            run_approvals.c.approved_by,
            run_approvals.c.approved_at,
        )
        .join(mailing_lists, mailing_lists.c.id == runs.c.list_id)
        .outerjoin(run_approvals, run_approvals.c.run_id == runs.c.id)
    )


def history(conn: sa.Connection, sync: str | None = None) -> list[dict[str, t.Any]]:
    """Finished runs (completed, planned, blocked), newest first, optionally of one sync.

    A run still running has no counts yet (and, inside its transaction, no rows to show).
    """
    query = _runs_query().where(runs.c.status != RunStatus.RUNNING.value).order_by(runs.c.id.desc())
    if sync is not None:
        query = query.where(runs.c.sync_name == sync)
    return [_run_dict(row) for row in conn.execute(query)]


def run(conn: sa.Connection, run_id: int) -> dict[str, t.Any] | None:
    """One run's history row, or None."""
    row = conn.execute(_runs_query().where(runs.c.id == run_id)).first()
    return _run_dict(row) if row is not None else None


def lists(conn: sa.Connection) -> list[dict[str, t.Any]]:
    """Every mailing list with its member count, by name."""
    members = (
        sa.select(list_members.c.list_id, sa.func.count().label("n"))
        .group_by(list_members.c.list_id)
        .subquery()
    )
    query = (
        sa.select(mailing_lists, sa.func.coalesce(members.c.n, 0).label("members"))
        .outerjoin(members, members.c.list_id == mailing_lists.c.id)
        .order_by(mailing_lists.c.name)
    )
    return [
        {"list": row.name, "members": row.members, "created_at": _iso(row.created_at)}
        for row in conn.execute(query)
    ]


STREAM_BATCH = 1_000
"""Rows fetched at a time by a streamed query: what a command holds, whatever the result's size."""


class Page:
    """The rows of a keyset-paged query as they stream in, and the key of the next page.

    The query asks for ``limit + 1`` rows: the extra row, never yielded, tells that a next page
    exists, and :attr:`next_after` (set once the rows are consumed) is then the key of the last
    row yielded, to pass back as ``after``. Without a limit every row is yielded and
    :attr:`next_after` stays None. Use it in a ``with`` block: a reader that stops early (a
    closed pipe) must close the cursor while its connection is still open.
    """

    def __init__(
        self,
        result: sa.CursorResult[t.Any],
        shape: t.Callable[[sa.Row[t.Any]], dict[str, t.Any]],
        key: str,
        limit: int | None,
    ) -> None:
        self._result = result
        self._shape = shape
        self._key = key
        self.limit = limit
        self.next_after: t.Any = None

    def __iter__(self) -> Iterator[dict[str, t.Any]]:
        last: dict[str, t.Any] | None = None
        shape = self._shape
        for count, row in enumerate(self._result):
            if count == self.limit:
                self.next_after = last[self._key] if last is not None else None
                return
            last = shape(row)
            yield last

    def close(self) -> None:
        """Close the cursor (a server-side one on PostgreSQL)."""
        self._result.close()

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _stream(conn: sa.Connection, query: sa.Select[t.Any], *, whole: bool) -> sa.CursorResult[t.Any]:
    """The result of ``query``, read as the database sends it, never whole in memory.

    ``yield_per`` sets ``stream_results``: a server-side (named) cursor on PostgreSQL, fetched
    :data:`STREAM_BATCH` rows at a time; SQLite's cursor steps through the result by itself.
    PostgreSQL needs the transaction the caller holds open while the rows are read.

    ``whole``: every row will be read. PostgreSQL plans a cursor for its first 10% of rows
    (``cursor_tuple_fraction``): for a million members by email, a nested loop in index order
    that takes three times as long as a merge join and a sort. A page keeps that plan (it
    reads its first rows only); a whole stream is planned for all of them.
    """
    if whole and conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.set_config("cursor_tuple_fraction", "1", True)))
    return conn.execute(query.execution_options(yield_per=STREAM_BATCH))


def _keyset(query: sa.Select[t.Any], key: sa.ColumnElement[t.Any], after: t.Any,
            limit: int | None) -> sa.Select[t.Any]:  # fmt: skip
    """``query`` ordered by ``key``, from after ``after``, one row more than ``limit``."""
    query = query.order_by(key)
    if after is not None:
        query = query.where(key > after)
    return query if limit is None else query.limit(limit + 1)


def find_list(conn: sa.Connection, list_name: str) -> int | None:
    """The id of the list named ``list_name``, or None."""
    return conn.execute(
        sa.select(mailing_lists.c.id).where(mailing_lists.c.name == list_name)
    ).scalar()


def member_count(conn: sa.Connection, list_id: int) -> int:
    """How many leads are on the list (read from the membership key's index)."""
    query = sa.select(sa.func.count()).where(list_members.c.list_id == list_id)
    return int(conn.execute(query).scalar_one())


def members_query(
    list_id: int, *, after: str | None = None, limit: int | None = None
) -> sa.Select[t.Any]:
    """The members of a list by email, after the email ``after``, ``limit + 1`` rows at most."""
    query = (
        sa.select(
            leads.c.email, leads.c.status, leads.c.first_name, leads.c.last_name,
            sa.cast(leads.c.attributes, sa.Text), leads.c.source_org_id, leads.c.source_id,
            list_members.c.joined_at,
        )
        .join(list_members, list_members.c.lead_id == leads.c.id)
        .where(list_members.c.list_id == list_id)
    )  # fmt: skip
    return _keyset(query, leads.c.email, after, limit)


def member_page(
    conn: sa.Connection, list_id: int, *, after: str | None = None, limit: int | None = None
) -> Page:
    """The members of a list by email (``members --json`` shape), streamed; keyset on email."""
    query = members_query(list_id, after=after, limit=limit)
    return Page(_stream(conn, query, whole=limit is None), _member, "email", limit)


def _member(row: sa.Row[t.Any]) -> dict[str, t.Any]:
    """One member; ``attributes`` arrives as JSON text, decoded here by msgspec.

    Why: a JSON column's own result processing is ``json.loads`` (psycopg's too for JSONB),
    the largest cost per row of ``members --json`` on a million members; msgspec decodes the
    same values (ints of any size, floats) several times faster.
    """
    email, status, first_name, last_name, attributes, org_id, source_id, joined_at = row
    return {
        "email": email,
        "status": status,
        "first_name": first_name,
        "last_name": last_name,
        "attributes": None if attributes is None else _decode_json(attributes),
        "source_org_id": org_id,
        "source_id": source_id,
        "joined_at": _iso(joined_at),
    }


def members(conn: sa.Connection, list_name: str) -> list[dict[str, t.Any]] | None:
    """Every lead on a list, by email, in one list; None when there is no such list.

    For small lists and tests: the CLI streams :func:`member_page` instead.
    """
    list_id = find_list(conn, list_name)
    if list_id is None:
        return None
    with member_page(conn, list_id) as page:
        return list(page)


def outcomes_query(
    run_id: int,
    *,
    outcome: str | None = None,
    reason: str | None = None,
    changed: bool = False,
    after: int | None = None,
    limit: int | None = None,
) -> sa.Select[t.Any]:
    """A run's outcomes in input order from after position ``after``, ``limit + 1`` at most.

    ``changed``: only the updates that changed a field (``changes`` not null).

    Served in order by the index on (run_id, position) (the target numbers a run's records
    1, 2, ...): a page after position 900,000 starts there, it does not skip 900,000 rows.
    """
    o = lead_outcomes
    query = sa.select(
        o.c.position, o.c.email, o.c.outcome, o.c.reason, o.c.detail, o.c.source_org_id,
        o.c.source_id, o.c.changes,
    ).where(o.c.run_id == run_id)  # fmt: skip
    if changed:
        query = query.where(o.c.changes.is_not(None))
    if outcome is not None:
        query = query.where(o.c.outcome == outcome)
    if reason is not None:
        query = query.where(o.c.reason == reason)
    return _keyset(query, o.c.position, after, limit)


def outcome_page(
    conn: sa.Connection,
    run_id: int,
    *,
    outcome: str | None = None,
    reason: str | None = None,
    changed: bool = False,
    after: int | None = None,
    limit: int | None = None,
) -> Page:
    """A run's outcomes (``outcomes --json`` shape), streamed; keyset on position."""
    query = outcomes_query(
        run_id, outcome=outcome, reason=reason, changed=changed, after=after, limit=limit
    )
    return Page(_stream(conn, query, whole=limit is None), _outcome, "position", limit)


def _outcome(row: sa.Row[t.Any]) -> dict[str, t.Any]:
    return dict(zip(OUTCOME_KEYS, row, strict=True))


def approve(
    conn: sa.Connection, run_id: int, *, approved_by: str, now: dt.datetime
) -> dict[str, t.Any]:
    """Approve blocked run ``run_id`` (``approve --json`` shape).

    Raises :class:`~lead_store.approvals.ApprovalRefused` for an unknown run, a run that is not
    blocked, or one already approved.
    """
    found = run(conn, run_id)
    if found is None:
        msg = f"no run with id {run_id}"
        raise approvals.ApprovalRefused(msg)
    removals = approvals.approve(conn, run_id, approved_by=approved_by, now=now)
    return {
        "run_id": run_id,
        "sync": found["sync"],
        "list": found["list"],
        "approved_by": approved_by,
        "approved_at": _iso(now),
        "removals": removals,
    }


def suppress(
    conn: sa.Connection,
    status: str,
    raw_emails: Iterable[str],
    *,
    normaliser: Normaliser,
    now: dt.datetime,
) -> dict[str, t.Any]:
    """Mark emails unsubscribed or bounced and take them off every list.

    An email the store has never seen becomes a lead with that status, so that no later sync
    adds it. Invalid emails are reported and change nothing.
    """
    if status not in SUPPRESS_STATUSES:
        msg = f"status must be one of {SUPPRESS_STATUSES}, not {status!r}"
        raise ValueError(msg)
    valid: dict[str, str] = {}
    invalid: list[dict[str, t.Any]] = []
    for raw in raw_emails:
        check = normaliser.normalise(raw)
        if check.email is None:
            reason = check.reason.value if check.reason else None
            invalid.append({"email": raw, "reason": reason, "detail": check.detail})
        else:
            valid[check.email] = raw
    existing: set[str] = set()
    ordered = sorted(valid)
    for i in range(0, len(ordered), IN_CHUNK):
        chunk = ordered[i : i + IN_CHUNK]
        found = conn.execute(sa.select(leads.c.email).where(leads.c.email.in_(chunk)))
        existing.update(found.scalars())
        stmt = dialect_insert(conn, leads)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[leads.c.email],
                set_={"status": stmt.excluded.status, "updated_at": stmt.excluded.updated_at},
            ),
            [{"email": e, "status": status, "created_at": now, "updated_at": now} for e in chunk],
        )
        ids = sa.select(leads.c.id).where(leads.c.email.in_(chunk)).scalar_subquery()
        conn.execute(sa.delete(list_members).where(list_members.c.lead_id.in_(ids)))
    return {
        "status": status,
        "updated": sorted(e for e in valid if e in existing),
        "created": sorted(e for e in valid if e not in existing),
        "invalid": invalid,
    }
