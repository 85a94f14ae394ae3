"""List sizes over time, replayed in SQL, agree with a plain replay of every change in Python.

The reference below is the report's former implementation (sets of emails, one event at a
time), with the target's rules for leaving records: a lead leaves the run's list when no other
contact holds it there, and every list when no contact holds it anywhere (the outcome's
``departure``). It reads every outcome into memory, which the report no longer may; on small
stores it is the truth to compare with.
"""

from __future__ import annotations

import random
import typing as t

import sqlalchemy as sa

from lead_store import open_store, schema
from marketing_leads.cli import main
from marketing_leads.report.data import list_sizes
from tests.target.conftest import lead, run_in_process, singer_lines, tombstone

from .conftest import NEWSLETTER_SIZES

Points = dict[str, list[tuple[int | None, int]]]
"""List name -> (run id or None for a suppression, members after it), in time order."""


def reference_sizes(conn: sa.Connection) -> Points:
    r, o, ld, ml = schema.runs, schema.lead_outcomes, schema.leads, schema.mailing_lists
    names = dict(conn.execute(sa.select(ml.c.id, ml.c.name)).all())
    events: list[tuple[t.Any, int, int | None, set[str], set[str], set[str]]] = []
    runs = conn.execute(sa.select(r).where(r.c.status == "completed").order_by(r.c.id)).all()
    for run in runs:
        joins: set[str] = set()
        leaves: set[str] = set()
        everywhere: set[str] = set()
        rows = conn.execute(
            sa.select(o.c.email, o.c.outcome, o.c.departure)
            .where(o.c.run_id == run.id)
            .order_by(o.c.position)
        )
        for email, outcome, departure in rows:
            if email is None or outcome == "ignored":
                continue
            if outcome in ("deleted", "removed"):
                if departure is None:
                    continue
                leaves.add(email)
                joins.discard(email)
                if departure == "every_list":
                    everywhere.add(email)
            else:
                joins.add(email)
                leaves.discard(email)
                everywhere.discard(email)
        when = run.finished_at or run.started_at
        events.append((when, run.id, run.list_id, joins, leaves, everywhere))
    suppressed: dict[t.Any, set[str]] = {}
    query = sa.select(ld.c.email, ld.c.updated_at).where(
        ld.c.status.in_(["unsubscribed", "bounced"])
    )
    for email, at in conn.execute(query):
        suppressed.setdefault(at, set()).add(email)
    events += [(at, 0, None, set(), emails, emails) for at, emails in suppressed.items()]
    members: dict[int, set[str]] = {list_id: set() for list_id in names}
    points: Points = {name: [] for name in names.values()}
    for _, order, list_id, joins, leaves, everywhere in sorted(events, key=lambda e: (e[0], e[1])):
        for other, emails in members.items():
            if other != list_id and emails & everywhere:  # off every list
                emails -= everywhere
                points[names[other]].append((order or None, len(emails)))
        if list_id is not None:
            members[list_id] = (members[list_id] - leaves) | joins
            points[names[list_id]].append((order, len(members[list_id])))
    return points


def _sql_and_reference(url: str) -> tuple[Points, Points, dict[str, bool]]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            found = list_sizes(conn)
            reference = reference_sizes(conn)
    finally:
        engine.dispose()
    sql = {name: [(p.run_id, p.members) for p in sizes.points] for name, sizes in found.items()}
    return sql, reference, {name: sizes.consistent for name, sizes in found.items()}


def test_the_known_history(filled_store: str) -> None:
    sql, reference, consistent = _sql_and_reference(filled_store)
    assert sql == reference
    assert [n for _, n in sql["Newsletter"]] == NEWSLETTER_SIZES
    assert all(consistent.values())


def test_a_deletion_leaves_other_lists_until_no_link_holds_the_lead(store_url: str) -> None:
    """A tombstone ends its run's link: the lead leaves that list, and the others only when no
    contact holds it anywhere (then it is deleted). The replay must agree, or warn wrongly."""
    partners = {"sync_name": "weekly", "mailing_list": "Partners"}
    run_in_process(store_url, singer_lines([lead("1", "ann@x.org"), lead("2", "bob@x.org")]))
    run_in_process(store_url, singer_lines([lead("1", "ann@x.org", **partners)]))
    # Through daily -> Newsletter; half its members: the guard would block it.
    run_in_process(store_url, singer_lines([tombstone("1")]), max_removal_fraction=1)
    sql, reference, consistent = _sql_and_reference(store_url)
    assert sql == reference
    assert sql["Newsletter"] == [(1, 2), (3, 1)]
    assert sql["Partners"] == [(2, 1)], "weekly's link still holds ann on Partners"
    assert consistent == {"Newsletter": True, "Partners": True}

    run_in_process(store_url, singer_lines([tombstone("1", **partners)]), max_removal_fraction=1)
    sql, reference, consistent = _sql_and_reference(store_url)
    assert sql == reference
    assert sql["Partners"] == [(2, 1), (4, 0)]
    assert consistent == {"Newsletter": True, "Partners": True}


def test_random_histories_agree_with_the_reference(store_url: str) -> None:
    """Runs of two syncs over shared contacts, with deletions, comebacks and suppressions."""
    rng = random.Random(11)
    emails = {str(i): f"p{i}@example.com" for i in range(12)}  # one email per contact
    syncs = [{}, {"sync_name": "weekly", "mailing_list": "Partners"}]
    for step in range(8):
        if step in (3, 6):
            picked = rng.sample(sorted(emails.values()), 2)
            assert (
                main(["--database-url", store_url, "suppress", "--status", "bounced", *picked]) == 0
            )
        fields = syncs[rng.randrange(2)]
        records = [
            tombstone(contact, **fields) if rng.random() < 0.25 else lead(contact, email, **fields)
            for contact, email in rng.sample(sorted(emails.items()), 6)
        ]
        run_in_process(store_url, singer_lines(records), max_removal_fraction=1)
    sql, reference, consistent = _sql_and_reference(store_url)
    assert sql == reference
    assert sum(len(points) for points in sql.values()) >= 8
    assert all(consistent.values()), (sql, consistent)
