"""Lead links: which source contact (list, sync, system, organization, id) holds which lead.

A lead is linked to every source contact that supplied it, per sync and list. A tombstone, a
``removed`` record or a closed full load without the contact ends only that contact's link; the
lead leaves a list when no live link for that list remains (the planner decides). Reads serve a
batch's leaving records (:func:`stored_links`) and a closed full load
(:func:`links_missing_from_run`); writes follow a batch's plan (:func:`set_links`,
:func:`end_links`). All run on the caller's connection, inside the run's transaction, batched as
:mod:`lead_store.bulk` does.
"""

from __future__ import annotations

import contextlib
import operator
import typing as t
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from lead_store.bulk import (
    BatchRows,
    bulk_statement,
    execute_rows,
    executemany,
    rows_by_fixed_prefix,
)
from lead_store.repository import StoredLead, leads_by_id
from lead_store.schema import lead_links, lead_outcomes, list_members

LinkKey = tuple[int, str, str, str, str]
"""A link's key: (list_id, sync_name, source_system, source_org_id, source_id)."""
LINK_KEYS = ("list_id", "sync_name", "source_system", "source_org_id", "source_id")
DEFAULT_SOURCE_SYSTEM = "zoho_invoice"
"""The source system of a record that names none (the mapper's default)."""


@dataclass(frozen=True)
class StoredLinks:
    """The links a batch's leaving records (tombstones, ``removed``) act on, as stored.

    ``leads`` holds every lead one of them may take off a list; ``held`` every live link of
    those leads (any list, any sync), and ``members`` their list memberships, so the planner can
    tell whether a lead stays on a list, leaves it or is no longer held at all.
    """

    by_contact: dict[LinkKey, int]
    leads: dict[int, StoredLead]
    held: dict[int, list[LinkKey]]
    members: set[tuple[int, int]]


NO_LINKS = StoredLinks({}, {}, {}, set())


def links_by_contact(conn: sa.Connection, keys: Iterable[LinkKey]) -> dict[LinkKey, int]:
    """The lead each of these links points to, for the links that exist.

    One lookup per (list, sync, system, organization) of the batch, probing the primary key
    with the batch's contact ids.
    """
    groups: dict[tuple[int, str, str, str], set[str]] = defaultdict(set)
    for list_id, sync_name, system, org, source_id in keys:
        groups[(list_id, sync_name, system, org)].add(source_id)
    prefix = [lead_links.c[name] for name in LINK_KEYS[:-1]]
    found: dict[LinkKey, int] = {}
    for group, source_ids in sorted(groups.items()):
        rows = rows_by_fixed_prefix(
            conn,
            "links_by_contact",
            prefix,
            dict(zip(LINK_KEYS[:-1], group, strict=True)),
            lead_links.c.source_id,
            source_ids,
            (lead_links.c.source_id, lead_links.c.lead_id),
        )
        for source_id, lead_id in rows:
            found[(*group, source_id)] = int(lead_id)
    return found


def links_of_leads(conn: sa.Connection, lead_ids: Iterable[int]) -> dict[int, list[LinkKey]]:
    """Every live link of these leads, any list and sync (by ``ix_lead_links_lead``)."""
    selected = (lead_links.c.lead_id, *(lead_links.c[name] for name in LINK_KEYS))
    held: dict[int, list[LinkKey]] = defaultdict(list)
    rows = rows_by_fixed_prefix(
        conn, "links_of_leads", (), {}, lead_links.c.lead_id, set(lead_ids), selected
    )
    for lead_id, *key in rows:
        held[int(lead_id)].append(t.cast("LinkKey", tuple(key)))
    return dict(held)


def memberships_of_leads(conn: sa.Connection, lead_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(list_id, lead_id) of every list these leads are on (by ``ix_list_members_lead``)."""
    selected = (list_members.c.list_id, list_members.c.lead_id)
    rows = rows_by_fixed_prefix(
        conn, "memberships_of_leads", (), {}, list_members.c.lead_id, set(lead_ids), selected
    )
    return {(int(list_id), int(lead_id)) for list_id, lead_id in rows}


def stored_links(
    conn: sa.Connection, leaving: Iterable[LinkKey], other_lead_ids: Iterable[int]
) -> StoredLinks:
    """What the planner needs to end the ``leaving`` links and judge ``other_lead_ids`` too.

    Four index lookups per batch, and only for a batch with leaving records: the links of the
    leaving contacts, then the leads they and ``other_lead_ids`` name, those leads' links and
    their memberships. Cost follows the batch and the links of its leads, not the store's size.
    """
    wanted = set(leaving)
    if not wanted:
        return NO_LINKS
    by_contact = links_by_contact(conn, wanted)
    ids = set(by_contact.values()) | set(other_lead_ids)
    if not ids:
        return StoredLinks(by_contact, {}, {}, set())
    return StoredLinks(
        by_contact,
        leads_by_id(conn, ids),
        links_of_leads(conn, ids),
        memberships_of_leads(conn, ids),
    )


LinkedContact = tuple[str, str, str]
"""(source_system, source_org_id, source_id) of a contact linked to a lead."""


@contextlib.contextmanager
def hash_anti_join(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, no nested loop for the statements inside (this transaction only).

    Why: inside a run's transaction the statistics predate the run's own outcomes, so the
    planner takes them for a handful of rows and joins them to the links in a nested loop:
    the run's outcomes read once per link. With nested loops off it hashes them once.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        conn.exec_driver_sql("RESET enable_nestloop")


def links_missing_from_run(
    conn: sa.Connection, *, list_id: int, sync_name: str, run_id: int
) -> list[LinkedContact]:
    """Contacts linked to leads of (sync, list) that have no outcome in ``run_id``.

    One set-based anti-join: the links of (sync, list) by primary-key prefix against the run's
    outcomes by ``run_id``, each read once. PostgreSQL runs ``NOT EXISTS`` as a hash anti-join
    (:func:`hash_anti_join`); SQLite would run a correlated ``NOT EXISTS`` once per link, so it
    gets ``NOT IN``, which it evaluates once into a temporary index. (PostgreSQL keeps
    ``NOT IN`` hashed only while the run's outcomes fit in ``work_mem``.) No index on the
    outcomes' source keys is needed: ``tests/target/test_query_plans.py`` checks both plans.
    """
    with hash_anti_join(conn):
        rows = conn.execute(
            _links_missing_from_run(conn),
            {"list_id": list_id, "sync_name": sync_name, "run_id": run_id},
        )
        return [(row[0], row[1], row[2]) for row in rows]


def _links_missing_from_run(conn: sa.Connection) -> sa.Select[t.Any]:
    seen = sa.select(lead_outcomes.c.source_org_id, lead_outcomes.c.source_id).where(
        lead_outcomes.c.run_id == sa.bindparam("run_id")
    )
    link_key = (lead_links.c.source_org_id, lead_links.c.source_id)
    if conn.dialect.name == "postgresql":
        unseen: sa.ColumnElement[bool] = ~(
            seen.where(
                lead_outcomes.c.source_org_id == link_key[0],
                lead_outcomes.c.source_id == link_key[1],
            ).exists()
        )
    else:
        # Outcomes always carry both keys (validation stops a run without them): NOT IN's
        # NULL semantics cannot hide a link here.
        unseen = sa.tuple_(*link_key).not_in(seen)
    return (
        sa.select(lead_links.c.source_system, *link_key)
        .where(
            lead_links.c.list_id == sa.bindparam("list_id"),
            lead_links.c.sync_name == sa.bindparam("sync_name"),
            unseen,
        )
        .order_by(lead_links.c.source_system, *link_key)
    )


def _keep_linked_at(stmt: t.Any) -> sa.Executable:
    """``ON CONFLICT`` of a link: point it at the new lead; ``linked_at`` changes with the lead."""
    same_lead = lead_links.c.lead_id == stmt.excluded.lead_id
    linked_at = sa.case((same_lead, lead_links.c.linked_at), else_=stmt.excluded.linked_at)
    return t.cast(
        "sa.Executable",
        stmt.on_conflict_do_update(
            index_elements=[lead_links.c[name] for name in LINK_KEYS],
            set_={"lead_id": stmt.excluded.lead_id, "linked_at": linked_at},
        ),
    )


LINK_ROW_KEYS = (*LINK_KEYS, "lead_id", "linked_at")
"""The keys of a link row given to :func:`set_links`."""
_LINK_COLUMNS = tuple(lead_links.c[name] for name in LINK_ROW_KEYS)


def _set_links_from(batch: BatchRows) -> sa.Executable:
    keys = [batch.value(name) for name in LINK_KEYS]
    rows = sa.select(*(batch.value(name) for name in LINK_ROW_KEYS)).order_by(*keys)
    insert = batch.insert(lead_links).from_select(LINK_ROW_KEYS, rows)
    return _keep_linked_at(insert)


def set_links(conn: sa.Connection, rows: Sequence[dict[str, t.Any]]) -> None:
    """Link source contacts to leads: insert, or move an existing link to another lead.

    Each row: the keys of :data:`LINK_ROW_KEYS`, one row per link. Written in key order so
    concurrent runs take locks in the same order. A moved link keeps nothing of its old lead:
    whether that lead stays on its list is the planner's business.
    """
    ordered = sorted(rows, key=operator.itemgetter(*LINK_KEYS))
    execute_rows(conn, "set_links", _LINK_COLUMNS, _set_links_from, ordered)


def _end_links_statement() -> sa.Executable:
    return sa.delete(lead_links).where(
        *(
            lead_links.c[name] == sa.bindparam(name, type_=lead_links.c[name].type)
            for name in LINK_KEYS
        )
    )


def end_links(conn: sa.Connection, keys: Iterable[LinkKey]) -> None:
    """Delete these links (by primary key, in key order)."""
    rows = [dict(zip(LINK_KEYS, key, strict=True)) for key in sorted(set(keys))]
    if rows:
        executemany(conn, bulk_statement(conn, "end_links", _end_links_statement, LINK_KEYS), rows)
