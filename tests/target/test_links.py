"""One email held by many contacts, and contacts that leave: the real target on a real store.

Each behaviour's input is a Singer fixture file (``fixtures/``) fed to the real executable;
steps that only set the scene run in process. SQLite always, PostgreSQL when reachable.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from lead_store import admin, open_store, schema
from target_marketing_leads.fast_paths import loading_rules
from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS
from target_marketing_leads.session import RunSession

from .conftest import (
    FIXTURES,
    lead,
    query_rows,
    run_executable,
    run_unguarded,
    singer_lines,
    tombstone,
)

OUTCOMES = ("new", "re_added", "duplicate", "ignored", "deleted", "removed")


def _feed(url: str, fixture: str) -> None:
    done = run_executable(url, (FIXTURES / fixture).read_text(), max_removal_fraction=1)
    assert done.returncode == 0, done.stderr[-2000:]


def _history(url: str) -> list[dict]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            runs = admin.history(conn)
    finally:
        engine.dispose()
    for run in runs:  # the invariant holds for every run
        assert run["total"] == sum(run[name] for name in OUTCOMES), run
    return sorted(runs, key=lambda run: run["run_id"])


def _links(url: str) -> list[tuple]:
    ln, ld, ml = schema.lead_links, schema.leads, schema.mailing_lists
    return query_rows(
        url,
        sa.select(ml.c.name, ln.c.sync_name, ln.c.source_org_id, ln.c.source_id, ld.c.email)
        .join(ld, ld.c.id == ln.c.lead_id)
        .join(ml, ml.c.id == ln.c.list_id)
        .order_by(ml.c.name, ln.c.source_org_id, ln.c.source_id),
    )


def _lead(url: str, email: str) -> tuple:
    ld, m, ml = schema.leads, schema.list_members, schema.mailing_lists
    (status,) = query_rows(url, sa.select(ld.c.status).where(ld.c.email == email))[0]
    lists = query_rows(
        url,
        sa.select(ml.c.name)
        .join(m, m.c.list_id == ml.c.id)
        .join(ld, ld.c.id == m.c.lead_id)
        .where(ld.c.email == email)
        .order_by(ml.c.name),
    )
    return status, [name for (name,) in lists]


def _last_outcomes(url: str) -> list[tuple]:
    o = schema.lead_outcomes
    newest = sa.select(sa.func.max(o.c.run_id)).scalar_subquery()
    return query_rows(
        url,
        sa.select(o.c.email, o.c.outcome, o.c.reason, o.c.detail)
        .where(o.c.run_id == newest)
        .order_by(o.c.position),
    )


def test_a_deleted_contact_leaves_the_lead_to_the_contact_that_still_holds_it(
    store_url: str,
) -> None:
    _feed(store_url, "shared_email_two_contacts.singer")
    assert _links(store_url) == [
        ("Newsletter", "daily", "1", "11", "ann@example.com"),
        ("Newsletter", "daily", "2", "17", "ann@example.com"),
    ]
    _feed(store_url, "shared_email_one_contact_deleted.singer")
    assert _last_outcomes(store_url) == [
        (
            "ann@example.com",
            "deleted",
            None,
            "stayed on 'Newsletter': still held by contact 1/11 (sync daily)",
        )
    ]
    assert _lead(store_url, "ann@example.com") == ("active", ["Newsletter"])
    assert _links(store_url) == [("Newsletter", "daily", "1", "11", "ann@example.com")]

    run_unguarded(store_url, singer_lines([tombstone("11")]))
    assert _last_outcomes(store_url) == [
        (
            "ann@example.com",
            "deleted",
            None,
            "left 'Newsletter'; held by no contact: lead deleted",
        )
    ]
    assert _lead(store_url, "ann@example.com") == ("deleted", [])
    assert _links(store_url) == []
    assert [run["deleted"] for run in _history(store_url)] == [0, 1, 1]


def test_a_contact_that_no_longer_matches_is_removed(store_url: str) -> None:
    run_unguarded(store_url, singer_lines([lead("11", "ann@example.com")]))
    _feed(store_url, "no_longer_matching.singer")
    assert _last_outcomes(store_url) == [
        (
            "ann@example.com",
            "removed",
            None,
            "no longer meets the criteria; left 'Newsletter'; held by no contact: lead deleted",
        ),
        ("zed@example.com", "ignored", "not_matching", "this contact held no link to 'Newsletter'"),
    ]
    assert _lead(store_url, "ann@example.com") == ("deleted", [])
    latest = _history(store_url)[-1]
    assert (latest["total"], latest["removed"], latest["ignored"]) == (2, 1, 1)
    assert latest["ignored_reasons"]["not_matching"] == 1
    # Meeting the criteria again brings the lead back.
    run_unguarded(store_url, singer_lines([lead("11", "ann@example.com")]))
    assert _last_outcomes(store_url)[0][1] == "re_added"


def test_a_contact_changing_its_email_moves_its_link_only(store_url: str) -> None:
    run_unguarded(store_url, singer_lines([lead("11", "ann@example.com")]))
    run_unguarded(store_url, singer_lines([lead("11", "ann.new@example.com")]))
    assert _links(store_url) == [("Newsletter", "daily", "1", "11", "ann.new@example.com")]
    assert _lead(store_url, "ann@example.com") == ("active", ["Newsletter"])  # not taken off
    run_unguarded(store_url, singer_lines([tombstone("11")]))
    assert _lead(store_url, "ann.new@example.com") == ("deleted", [])


def test_a_schema_that_pins_its_run_leaves_a_history_row_without_records(
    store_url: str,
) -> None:
    _feed(store_url, "pinned_run_no_records.singer")
    (run,) = _history(store_url)
    assert (run["sync"], run["list"], run["status"], run["total"]) == (
        "daily",
        "Newsletter",
        "completed",
        0,
    )


def test_departures_are_tallied_per_run(store_url: str) -> None:
    run_unguarded(
        store_url,
        singer_lines(
            [lead("11", "ann@example.com"), lead("12", "bob@example.com"), lead("13", "cy@x.org")]
        ),
    )
    session = RunSession(
        open_store(store_url),
        roles=DEFAULT_ROLE_LOCAL_PARTS,
        rules=loading_rules(),
        logger=logging.getLogger("test"),
    )
    try:
        session.load([tombstone("11"), lead("12", "bob@example.com", meets_criteria=False)])
        session.load([tombstone("11"), tombstone("404")])
        (tally,) = session.commit()
    finally:
        session.close()
    assert tally.departures == 2
    assert tally.outcome_totals() == {
        "new": 0, "re_added": 0, "duplicate": 0, "ignored": 0, "deleted": 3, "removed": 1,
        "total": 4,
    }  # fmt: skip
