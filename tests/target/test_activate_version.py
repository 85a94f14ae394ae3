"""ACTIVATE_VERSION from a full-table source: contacts missing from a closed load lose their link.

Runs of the target in this process against a real store (SQLite, and PostgreSQL when reachable).
Each run is one full load of the source: ``version`` on every RECORD, ACTIVATE_VERSION before
the records (as singer-sdk taps send it), after them (as singer-python taps send it), or both.
"""

from __future__ import annotations

import json
import typing as t

import sqlalchemy as sa

from lead_store import admin, open_store, schema
from leads_contract import LEADS_SCHEMA_MESSAGE, pin_run
from target_marketing_leads.full_loads import FullLoads
from target_marketing_leads.target import FULL_LOAD_CAUSE

from .conftest import lead, run_unguarded

PEOPLE = {"1": "ann@example.com", "2": "bob@example.com", "3": "cy@example.com"}


def full_load(
    version: int,
    records: t.Iterable[dict[str, t.Any]],
    *,
    opening: bool = True,
    closing: bool = True,
) -> str:
    """One run's input: a pinned SCHEMA, the load of ``version``, a STATE."""
    schema_message = {
        **LEADS_SCHEMA_MESSAGE,
        "schema": pin_run(LEADS_SCHEMA_MESSAGE["schema"], "daily", "Newsletter"),
    }
    activate = {"type": "ACTIVATE_VERSION", "stream": "leads", "version": version}
    lines = [schema_message, *([activate] if opening else [])]
    lines += [
        {"type": "RECORD", "stream": "leads", "record": r, "version": version} for r in records
    ]
    lines += [*([activate] if closing else []), {"type": "STATE", "value": {"v": version}}]
    return "".join(json.dumps(line) + "\n" for line in lines)


def people(*ids: str) -> list[dict[str, t.Any]]:
    return [lead(i, PEOPLE[i]) for i in ids]


def _members(url: str) -> list[str]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return sorted(m["email"] for m in admin.members(conn, "Newsletter") or [])
    finally:
        engine.dispose()


def _last_run(url: str) -> tuple[dict[str, t.Any], list[tuple[t.Any, ...]]]:
    """The newest history row and its outcomes (source id, outcome, detail) in input order."""
    engine = open_store(url)
    o = schema.lead_outcomes
    try:
        with engine.connect() as conn:
            run = admin.history(conn)[0]
            rows = conn.execute(
                sa.select(o.c.source_id, o.c.outcome, o.c.detail)
                .where(o.c.run_id == run["run_id"])
                .order_by(o.c.position)
            )
            return run, [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_a_contact_missing_from_a_closed_load_loses_its_link(store_url: str) -> None:
    run_unguarded(store_url, full_load(1, people("1", "2", "3")))
    run_unguarded(store_url, full_load(2, people("1", "3")))

    assert _members(store_url) == ["ann@example.com", "cy@example.com"]
    run, outcomes = _last_run(store_url)
    assert [(source, outcome) for source, outcome, _ in outcomes] == [
        ("1", "duplicate"),
        ("3", "duplicate"),
        ("2", "deleted"),
    ]
    assert outcomes[2][2].startswith(FULL_LOAD_CAUSE + "; ")
    assert (run["total"], run["duplicate"], run["deleted"]) == (3, 2, 1)


def test_a_load_closed_only_at_its_end_is_enough(store_url: str) -> None:
    run_unguarded(store_url, full_load(1, people("1", "2"), opening=False))
    run_unguarded(store_url, full_load(2, people("2"), opening=False))
    assert _members(store_url) == ["bob@example.com"]


def test_an_opening_message_and_a_load_cut_short_remove_nothing(store_url: str) -> None:
    run_unguarded(store_url, full_load(1, people("1", "2", "3")))
    # singer-sdk taps send ACTIVATE_VERSION only before their records; a pipeline cut short
    # never sends the closing one. Either way the missing contacts may still be at the source.
    run_unguarded(store_url, full_load(2, people("1"), closing=False))

    assert _members(store_url) == sorted(PEOPLE.values())
    run, outcomes = _last_run(store_url)
    assert outcomes == [("1", "duplicate", None)]
    assert run["deleted"] == 0


def test_an_empty_load_closed_twice_empties_the_list(store_url: str) -> None:
    run_unguarded(store_url, full_load(1, people("1", "2")))
    run_unguarded(store_url, full_load(2, []))

    assert _members(store_url) == []
    run, outcomes = _last_run(store_url)
    assert sorted((source, outcome) for source, outcome, _ in outcomes) == [
        ("1", "deleted"),
        ("2", "deleted"),
    ]
    assert run["total"] == 2


def test_a_lead_still_held_by_a_contact_in_the_load_stays(store_url: str) -> None:
    shared = [lead("1", "ann@example.com"), lead("9", "Ann@Example.com", source_org_id="2")]
    run_unguarded(store_url, full_load(1, shared))
    run_unguarded(store_url, full_load(2, shared[1:]))

    assert _members(store_url) == ["ann@example.com"]
    _, outcomes = _last_run(store_url)
    assert [(source, outcome) for source, outcome, _ in outcomes] == [
        ("9", "duplicate"),
        ("1", "deleted"),
    ]


def test_the_setting_can_switch_activate_version_off(store_url: str) -> None:
    run_unguarded(store_url, full_load(1, people("1", "2")))
    run_unguarded(store_url, full_load(2, people("1")), process_activate_version_messages=False)
    assert _members(store_url) == ["ann@example.com", "bob@example.com"]


def test_which_activate_version_closes_a_load() -> None:
    loads = FullLoads()
    verdicts = []

    def activate(version: int) -> None:
        loads.saw_activate_version("leads", version)
        verdicts.append(loads.closes(version))

    activate(1)  # opening, nothing read yet
    loads.saw_record("leads", 1)
    loads.saw_record("other", 5)
    activate(1)  # after records of version 1
    activate(2)  # a new version, none of its records yet
    loads.saw_record("leads", None)
    activate(2)  # a record came between: not an empty load
    activate(2)  # twice in a row, nothing between: an empty load
    activate(5)  # version 5 records were of another stream
    assert verdicts == [False, True, False, False, True, False]
    assert not loads.closes(1), "a verdict is about the message being dispatched"
