"""The seeded data: deterministic, and awkward in the ways real Zoho data is."""

from __future__ import annotations

from collections import Counter

import pytest

from sandbox.config import SandboxConfig
from sandbox.data import DUPLICATE_EMAIL, ORGANIZATIONS, SHARED_EMAIL, generate_contacts
from sandbox.store import SandboxStore
from tests.sandbox.helpers import INC, INDIA

ANCHOR = 1_790_000_000
AWKWARD = (
    "José.Núñez@exämple.com",
    "用户@例子.广告",
    "john..doe@x.com",
    "a@b",
    SHARED_EMAIL,
)


def test_same_seed_same_data_other_seed_other_data() -> None:
    org = ORGANIZATIONS[0]
    first = generate_contacts(org, 200, seed=7, anchor_ts=ANCHOR)
    again = generate_contacts(org, 200, seed=7, anchor_ts=ANCHOR)
    other = generate_contacts(org, 200, seed=8, anchor_ts=ANCHOR)
    assert first == again
    assert [c.email for c in first] != [c.email for c in other]


def test_every_org_carries_every_awkward_email() -> None:
    for org in ORGANIZATIONS:
        emails = [c.email for c in generate_contacts(org, 60, seed=42, anchor_ts=ANCHOR)]
        for awkward in AWKWARD:
            assert awkward in emails, (org.name, awkward)
        assert emails.count(DUPLICATE_EMAIL) == 2
        assert "" in emails
        assert any(e.endswith(".") and "@" in e for e in emails)
        assert any(e != e.strip() for e in emails)
        assert any(e.startswith("info+") for e in emails)
        assert any(e.startswith("Support@") for e in emails)
        assert any(e != e.lower() and e.isascii() and "@" in e for e in emails)


def test_vendors_inactive_and_history_span() -> None:
    contacts = generate_contacts(ORGANIZATIONS[1], 2000, seed=42, anchor_ts=ANCHOR)
    assert 0.03 < sum(c.contact_type == "vendor" for c in contacts) / 2000 < 0.12
    assert 0.04 < sum(c.status == "inactive" for c in contacts) / 2000 < 0.13
    assert all(c.created_ts <= c.modified_ts < ANCHOR for c in contacts)
    assert ANCHOR - min(c.created_ts for c in contacts) > 700 * 86_400
    countries = Counter(c.country_code for c in contacts)
    assert countries["IN"] / 2000 > 0.2
    ties = Counter(c.modified_ts for c in contacts)
    assert sum(1 for count in ties.values() if count > 1) >= 50


def test_ids_are_unique_strings_across_orgs() -> None:
    store = SandboxStore(SandboxConfig(contacts_per_org=300))
    ids = [cid for org in ORGANIZATIONS for cid in store.contact_ids(org.organization_id)]
    assert len(ids) == len(set(ids)) == 900
    assert all(isinstance(cid, str) and len(cid) == 18 and cid.isdigit() for cid in ids)


def test_one_hundred_thousand_contacts_generate_and_page() -> None:
    store = SandboxStore(SandboxConfig(contacts_per_org=0, contacts={INDIA: 100_000}))
    assert store.stats()["contacts_by_org"] == {INDIA: 100_000, INC: 0, "60034567890": 0}
    rows, has_more = store.list_rows(
        INDIA,
        filter_by="Status.All",
        sort_column="last_modified_time",
        descending=False,
        modified_since=None,
        page=500,
        per_page=200,
    )
    assert len(rows) == 200
    assert has_more is False


def test_country_weights_replace_an_organizations_mix() -> None:
    config = SandboxConfig(
        contacts_per_org=0, contacts={INC: 4000}, country_weights={INC: {"IN": 1, "DE": 9}}
    )
    store = SandboxStore(config)
    countries = Counter(
        store.detail(INC, cid)["billing_address"]["country_code"] for cid in store.contact_ids(INC)
    )
    assert set(countries) == {"IN", "DE"}
    assert 0.07 < countries["IN"] / 4000 < 0.13


def test_bad_country_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown organization id"):
        SandboxStore(SandboxConfig(country_weights={"1": {"IN": 1}}))
    with pytest.raises(ValueError, match="codes among"):
        SandboxStore(SandboxConfig(country_weights={INC: {"XX": 1}}))
    with pytest.raises(ValueError, match="not all zero"):
        SandboxStore(SandboxConfig(country_weights={INC: {"IN": 0}}))
