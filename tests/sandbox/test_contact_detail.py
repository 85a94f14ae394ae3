"""GET /contacts/{id} and contact persons."""

from __future__ import annotations

import requests

from sandbox.server import SandboxHandle
from tests.sandbox.helpers import GMBH, INDIA, api_session

ADDRESS_KEYS = {
    "address",
    "street2",
    "city",
    "state",
    "state_code",
    "zip",
    "country",
    "country_code",
    "phone",
    "fax",
    "attention",
}


def test_detail_adds_addresses_and_persons(api: requests.Session, sandbox: SandboxHandle) -> None:
    row = sandbox.contacts(INDIA)[0]
    response = api.get(f"{sandbox.api_url}/contacts/{row['contact_id']}", timeout=10)
    assert response.status_code == 200
    contact = response.json()["contact"]
    assert contact["contact_id"] == row["contact_id"]
    assert contact["email"] == row["email"]
    assert set(contact["billing_address"]) >= ADDRESS_KEYS
    assert set(contact["shipping_address"]) >= ADDRESS_KEYS
    persons = contact["contact_persons"]
    assert persons[0]["is_primary_contact"] is True
    assert persons[0]["email"] == row["email"]


def test_countries_are_free_text_with_india_in_every_org(sandbox: SandboxHandle) -> None:
    for org_id in sandbox.organization_ids:
        session = api_session(sandbox, org_id)
        countries = [
            session.get(f"{sandbox.api_url}/contacts/{cid}", timeout=10).json()["contact"][
                "billing_address"
            ]
            for cid in sandbox.contact_ids(org_id)
        ]
        codes = [c["country_code"] for c in countries]
        assert codes.count("IN") >= len(codes) // 5, org_id
        assert len(set(codes)) >= 3
        assert "India" in {c["country"] for c in countries}


def test_unknown_contact_is_404_code_1002(api: requests.Session, sandbox: SandboxHandle) -> None:
    response = api.get(f"{sandbox.api_url}/contacts/999", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"code": 1002, "message": "Contact does not exist"}


def test_contact_of_another_org_is_not_found(api: requests.Session, sandbox: SandboxHandle) -> None:
    other = sandbox.contact_ids(GMBH)[0]
    assert api.get(f"{sandbox.api_url}/contacts/{other}", timeout=10).status_code == 404


def test_contact_persons_lists(api: requests.Session, sandbox: SandboxHandle) -> None:
    contact_id = sandbox.contact_ids(INDIA)[0]
    one = api.get(f"{sandbox.api_url}/contacts/{contact_id}/contactpersons", timeout=10).json()
    assert one["page_context"]["report_name"] == "Contact Persons"
    assert {p["contact_id"] for p in one["contact_persons"]} == {contact_id}
    everyone = api.get(f"{sandbox.api_url}/contacts/contactpersons", timeout=10).json()
    assert len({p["contact_id"] for p in everyone["contact_persons"]}) == len(
        sandbox.contact_ids(INDIA)
    )
