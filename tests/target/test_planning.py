"""The batch planner: outcomes in input order against an overlay of the store (no database)."""

from __future__ import annotations

import typing as t
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from lead_store.links import LinkKey, StoredLinks
from lead_store.repository import StoredLead
from lead_store.vocabulary import Outcome, Reason
from target_marketing_leads.emails import EmailNormaliser
from target_marketing_leads.planning import PendingLead, plan_batch
from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS
from target_marketing_leads.validation import parse_lead

from .conftest import lead, tombstone

NORMALISER = EmailNormaliser()
RUN, LIST = 7, 3


def _items(records: list[dict[str, t.Any]]) -> list[PendingLead]:
    items = []
    for position, record in enumerate(records, start=1):
        parsed = parse_lead(record)
        email = NORMALISER.normalise(parsed.email if parsed.problem is None else None)
        items.append(PendingLead(parsed, email, RUN, LIST, position))
    return items


def _plan(
    records: list[dict[str, t.Any]],
    stored: list[StoredLead] = (),  # type: ignore[assignment]
    seen: set[tuple[int, str]] | None = None,
    links: StoredLinks | None = None,
    causes: dict[int, str] | None = None,
):  # type: ignore[no-untyped-def]
    by_email = {s.email: s for s in stored}
    by_source: dict[tuple[str, str], list[StoredLead]] = {}
    for s in stored:
        if s.source_org_id and s.source_id:
            by_source.setdefault((s.source_org_id, s.source_id), []).append(s)
    items = _items(records)
    for index, cause in (causes or {}).items():
        items[index] = items[index]._replace(cause=cause)
    return plan_batch(
        items,
        by_email=by_email,
        by_source=by_source,
        seen_in_store=seen or set(),
        roles=DEFAULT_ROLE_LOCAL_PARTS,
        **({"links": links} if links is not None else {}),
    )


def _outcomes(plan) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(row["outcome"], row["reason"]) for row in plan.outcomes]


def test_every_record_of_a_mixed_batch_gets_its_outcome() -> None:
    stored = [
        StoredLead(1, "gone@example.com", "deleted", "1", "g"),
        StoredLead(2, "known@example.com", "active", "1", "k"),
        StoredLead(3, "unsub@example.com", "unsubscribed", "1", "u"),
        StoredLead(4, "bounce@example.com", "bounced", "1", "b"),
    ]
    plan = _plan(
        [
            lead("1", "New@Example.com"),
            lead("2", "new@example.COM"),
            lead("3", "Info+promo@example.com"),
            lead("4", ""),
            lead("5", "john..doe@x.com"),
            lead("6", "Gone@example.com"),
            lead("7", "known@example.com"),
            lead("8", "unsub@example.com"),
            lead("9", "bounce@example.com"),
            lead("10", "x@example.com", attributes=["not", "an", "object"]),
            tombstone("never-seen"),
        ],
        stored,
    )
    assert _outcomes(plan) == [
        ("new", None),
        ("ignored", "file_duplicate"),
        ("ignored", "role_address"),
        ("ignored", "empty_email"),
        ("ignored", "invalid_pattern"),
        ("re_added", None),
        ("duplicate", None),
        ("ignored", "unsubscribed"),
        ("ignored", "bounced"),
        ("ignored", "invalid_record"),
        ("deleted", None),
    ]
    assert set(plan.upserts) == {"new@example.com", "gone@example.com", "known@example.com"}
    assert plan.membership == {
        (LIST, "new@example.com"): True,
        (LIST, "gone@example.com"): True,
        (LIST, "known@example.com"): True,
    }
    assert plan.outcomes[9]["detail"] == "attributes must be an object or null, got list"
    assert plan.outcomes[4]["detail"] == "An email address cannot have two periods in a row."


def test_duplicates_across_batches_come_from_the_store() -> None:
    plan = _plan([lead("1", "ann@example.com")], seen={(RUN, "ann@example.com")})
    assert _outcomes(plan) == [("ignored", "file_duplicate")]


def test_the_second_of_two_suppressed_records_is_a_file_duplicate() -> None:
    stored = [StoredLead(3, "unsub@example.com", "unsubscribed", "1", "u")]
    plan = _plan([lead("1", "unsub@example.com"), lead("2", "UNSUB@example.com")], stored)
    assert _outcomes(plan) == [("ignored", "unsubscribed"), ("ignored", "file_duplicate")]
    assert not plan.upserts


def test_tombstone_finds_the_lead_by_source_contact_and_takes_it_off_the_list() -> None:
    stored = [StoredLead(5, "ann@example.com", "active", "1", "c-5")]
    plan = _plan([tombstone("c-5")], stored)
    assert _outcomes(plan) == [("deleted", None)]
    assert plan.deleted_ids == {5}
    assert plan.membership == {(LIST, "ann@example.com"): False}
    assert plan.outcomes[0]["email"] == "ann@example.com"


def test_tombstone_falls_back_to_its_email() -> None:
    stored = [StoredLead(5, "ann@example.com", "active", "9", "other")]
    plan = _plan([tombstone("c-5", email="Ann@Example.com")], stored)
    assert plan.deleted_ids == {5}


def test_tombstone_keeps_a_suppressed_status() -> None:
    stored = [StoredLead(5, "ann@example.com", "unsubscribed", "1", "c-5")]
    plan = _plan([tombstone("c-5"), lead("c-5", "ann@example.com")], stored)
    assert plan.deleted_ids == set()
    assert _outcomes(plan) == [("deleted", None), ("ignored", "unsubscribed")]


def test_tombstone_then_the_same_contact_again_is_re_added() -> None:
    stored = [StoredLead(5, "ann@example.com", "active", "1", "c-5")]
    plan = _plan([tombstone("c-5"), lead("c-5", "ann@example.com")], stored)
    assert _outcomes(plan) == [("deleted", None), ("re_added", None)]
    assert plan.upserts["ann@example.com"]["status"] == "active"
    assert plan.membership == {(LIST, "ann@example.com"): True}


def test_new_lead_deleted_in_the_same_batch_is_written_deleted() -> None:
    plan = _plan([lead("c-9", "zed@example.com"), tombstone("c-9")])
    assert _outcomes(plan) == [("new", None), ("deleted", None)]
    assert plan.upserts["zed@example.com"]["status"] == "deleted"
    assert plan.membership == {(LIST, "zed@example.com"): False}


_EMAILS = [
    "ann@example.com",
    "ANN@example.com",
    "bob@example.com",
    "info@example.com",
    "support+x@example.com",
    "john..doe@x.com",
    "a@b",
    "",
    None,
    "émile@exämple.fr",
    "trailing.dot@example.com.",
]
_STATUSES = [None, "active", "deleted", "unsubscribed", "bounced"]
_records = st.lists(
    st.one_of(
        st.builds(
            lambda sid, email: lead(sid, email),
            st.sampled_from(["1", "2", "3", "4"]),
            st.sampled_from(_EMAILS),
        ),
        st.builds(tombstone, st.sampled_from(["1", "2", "3", "9"])),
        st.builds(lambda sid: lead(sid, "bad@example.com", first_name=42), st.sampled_from(["5"])),
        st.builds(
            lambda sid, email: lead(sid, email, meets_criteria=False),
            st.sampled_from(["1", "2", "3", "9"]),
            st.sampled_from(_EMAILS),
        ),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(records=_records, statuses=st.lists(st.sampled_from(_STATUSES), min_size=3, max_size=3))
def test_invariant_every_record_one_outcome_and_counts_add_up(
    records: list[dict[str, t.Any]], statuses: list[str | None]
) -> None:
    emails = ["ann@example.com", "bob@example.com", "émile@exämple.fr"]
    stored = [
        StoredLead(i, email, status, "1", str(i))
        for i, (email, status) in enumerate(zip(emails, statuses, strict=True), start=1)
        if status is not None
    ]
    plan = _plan(records, stored)
    counts = plan.counts.get(RUN, Counter())
    totals = Counter(outcome for outcome, _ in counts.elements())
    assert len(plan.outcomes) == len(records) == sum(counts.values())
    assert sum(totals[o] for o in Outcome) == len(records)
    # total = new + re_added + duplicate + ignored + deleted + removed
    assert len(records) == sum(
        totals[o] for o in ("new", "re_added", "duplicate", "ignored", "deleted", "removed")
    )
    assert all(
        (row["outcome"] == "ignored") == (row["reason"] is not None) for row in plan.outcomes
    )
    suppressed = {s.email for s in stored if s.status in ("unsubscribed", "bounced")}
    assert not suppressed & {e for e, row in plan.upserts.items() if row["status"] == "active"}
    assert not any(plan.membership.get((LIST, e)) for e in suppressed)
    assert {s.id for s in stored if s.email in suppressed}.isdisjoint(plan.deleted_ids)
    assert all(r is None or isinstance(r, Reason) for (_, r) in counts)


# --- links: one email held by many contacts ---------------------------------------------------

ANN = StoredLead(5, "ann@example.com", "active", "1", "a")
OTHER_LIST = 4


def _key(contact: str, org: str = "1", list_id: int = LIST, sync: str = "daily") -> LinkKey:
    return (list_id, sync, "zoho_invoice", org, contact)


def _links(*held: LinkKey, lead: StoredLead = ANN, lists: tuple[int, ...] = (LIST,)) -> StoredLinks:
    """Stored links: ``held`` all point at ``lead``, which is a member of ``lists``."""
    return StoredLinks(
        by_contact=dict.fromkeys(held, lead.id),
        leads={lead.id: lead},
        held={lead.id: list(held)},
        members={(list_id, lead.id) for list_id in lists},
    )


def _details(plan) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [row["detail"] for row in plan.outcomes]


def test_a_joining_record_links_its_contact_to_the_lead_of_its_email() -> None:
    plan = _plan([lead("a", "Ann@example.com"), lead("b", "bob@example.com", source_org_id="2")])
    assert plan.links == {
        _key("a"): "ann@example.com",
        _key("b", org="2"): "bob@example.com",
    }


def test_a_file_duplicate_links_its_contact_too() -> None:
    plan = _plan([lead("a", "ann@example.com"), lead("b", "ANN@example.com", source_org_id="2")])
    assert _outcomes(plan) == [("new", None), ("ignored", "file_duplicate")]
    assert plan.links == {_key("a"): "ann@example.com", _key("b", org="2"): "ann@example.com"}


def test_a_tombstone_of_one_holder_keeps_the_lead_held_by_another() -> None:
    links = _links(_key("a"), _key("b", org="2"))
    plan = _plan([tombstone("a")], [ANN], links=links)
    assert _outcomes(plan) == [("deleted", None)]
    assert plan.outcomes[0]["email"] == "ann@example.com"
    assert _details(plan) == ["stayed on 'Newsletter': still held by contact 2/b (sync daily)"]
    assert plan.links == {_key("a"): None}
    assert plan.membership == {}
    assert plan.deleted_ids == set()
    assert plan.departures == Counter()


def test_the_last_holders_tombstone_takes_the_lead_off_and_deletes_it() -> None:
    plan = _plan([tombstone("a")], [ANN], links=_links(_key("a")))
    assert _details(plan) == ["left 'Newsletter'; held by no contact: lead deleted"]
    assert plan.membership == {(LIST, "ann@example.com"): False}
    assert plan.deleted_ids == {5}
    assert plan.deleted_emails == {"ann@example.com"}
    assert plan.departures == Counter({RUN: 1})


def test_a_lead_held_on_another_list_leaves_this_one_but_is_not_deleted() -> None:
    links = _links(_key("a"), _key("a", list_id=OTHER_LIST), lists=(LIST, OTHER_LIST))
    plan = _plan([tombstone("a")], [ANN], links=links)
    assert _details(plan) == ["left 'Newsletter'"]
    assert plan.membership == {(LIST, "ann@example.com"): False}
    assert plan.deleted_ids == set()
    assert plan.departures == Counter({RUN: 1})


def test_a_holder_in_another_sync_of_the_same_list_keeps_the_lead() -> None:
    links = _links(_key("a"), _key("z", sync="weekly"))
    plan = _plan([tombstone("a")], [ANN], links=links)
    assert _details(plan) == ["stayed on 'Newsletter': still held by contact 1/z (sync weekly)"]


def test_a_suppressed_lead_leaves_the_list_but_keeps_its_status() -> None:
    unsubscribed = StoredLead(5, "ann@example.com", "unsubscribed", "1", "a")
    plan = _plan([tombstone("a")], [unsubscribed], links=_links(_key("a"), lead=unsubscribed))
    assert _details(plan) == ["left 'Newsletter'; held by no contact, stays unsubscribed"]
    assert plan.deleted_ids == set()
    assert plan.membership == {(LIST, "ann@example.com"): False}


def test_a_moved_link_does_not_take_the_old_lead_off_the_list() -> None:
    # Contact a changed its email: its link moves to the new lead, the old one stays on the list.
    plan = _plan([lead("a", "ann.new@example.com")], [ANN], links=_links(_key("a")))
    assert plan.links == {_key("a"): "ann.new@example.com"}
    assert plan.membership == {(LIST, "ann.new@example.com"): True}


def test_a_tombstone_after_a_moved_link_reaches_the_new_lead_only() -> None:
    links = _links(_key("a"), _key("b", org="2"))
    plan = _plan([lead("a", "ann.new@example.com"), tombstone("a")], [ANN], links=links)
    assert _outcomes(plan) == [("new", None), ("deleted", None)]
    assert plan.outcomes[1]["email"] == "ann.new@example.com"
    assert plan.membership == {(LIST, "ann.new@example.com"): False}
    assert plan.upserts["ann.new@example.com"]["status"] == "deleted"
    assert plan.deleted_ids == set()


def test_a_contact_no_longer_matching_is_removed_with_its_link() -> None:
    links = _links(_key("a"))
    plan = _plan([lead("a", "ann@example.com", meets_criteria=False)], [ANN], links=links)
    assert _outcomes(plan) == [("removed", None)]
    assert _details(plan) == [
        "no longer meets the criteria; left 'Newsletter'; held by no contact: lead deleted"
    ]
    assert plan.links == {_key("a"): None}
    assert plan.departures == Counter({RUN: 1})


def test_a_contact_no_longer_matching_without_a_link_is_ignored_not_matching() -> None:
    plan = _plan([lead("a", "ann@example.com", meets_criteria=False)], [ANN])
    assert _outcomes(plan) == [("ignored", "not_matching")]
    assert plan.membership == {}
    assert plan.deleted_ids == set()
    assert plan.links == {}


def test_email_checks_do_not_apply_to_a_leaving_record() -> None:
    links = _links(_key("a"), _key("b", org="2"))
    plan = _plan([lead("a", "info@example.com", meets_criteria=False)], [ANN], links=links)
    assert _outcomes(plan) == [("removed", None)]
    plan = _plan([lead("x", "", meets_criteria=False)])
    assert _outcomes(plan) == [("ignored", "not_matching")]


def test_a_cause_opens_the_detail_of_a_leaving_record() -> None:
    cause = "not in the source's latest full load"
    plan = _plan([tombstone("a")], [ANN], links=_links(_key("a")), causes={0: cause})
    assert _details(plan) == [f"{cause}; left 'Newsletter'; held by no contact: lead deleted"]


def test_an_unlinked_tombstone_falls_back_but_spares_a_lead_held_on_the_list() -> None:
    # A store from before links: the lead came from contact a, whose tombstone finds no link.
    links = StoredLinks({}, {5: ANN}, {5: [_key("b", org="2")]}, {(LIST, 5)})
    plan = _plan([tombstone("a")], [ANN], links=links)
    assert _details(plan) == ["stayed on 'Newsletter': still held by contact 2/b (sync daily)"]
    assert plan.deleted_ids == set()


def test_departures_count_memberships_removed_not_outcomes() -> None:
    # Two holders leave in one batch: two outcomes, one lead off the list.
    links = _links(_key("a"), _key("b", org="2"))
    plan = _plan([tombstone("a"), tombstone("b", source_org_id="2")], [ANN], links=links)
    assert _outcomes(plan) == [("deleted", None), ("deleted", None)]
    assert plan.departures == Counter({RUN: 1})
    # A tombstone that finds nothing takes nothing off.
    assert _plan([tombstone("nobody")]).departures == Counter()
