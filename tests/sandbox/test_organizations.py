"""GET /organizations and the organization id rules of every other endpoint."""

from __future__ import annotations

import requests

from sandbox.server import SandboxHandle
from tests.sandbox.helpers import GMBH, INC, INDIA, api_session


def test_organizations_need_no_organization_id(sandbox: SandboxHandle) -> None:
    response = api_session(sandbox, org_id=None).get(f"{sandbox.api_url}/organizations", timeout=10)
    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (200, 0, "success")
    zones = {org["organization_id"]: org["time_zone"] for org in body["organizations"]}
    assert zones == {INDIA: "Asia/Kolkata", INC: "America/New_York", GMBH: "Europe/Berlin"}
    assert {org["name"] for org in body["organizations"]} == {
        "Zylker India",
        "Zylker Inc",
        "Zylker GmbH",
    }


def test_organization_id_as_query_parameter(sandbox: SandboxHandle) -> None:
    session = api_session(sandbox, org_id=None)
    response = session.get(
        f"{sandbox.api_url}/contacts", params={"organization_id": INC}, timeout=10
    )
    assert response.status_code == 200
    assert all(row["currency_code"] == "USD" for row in response.json()["contacts"])


def test_missing_organization_id_is_a_clear_400(sandbox: SandboxHandle) -> None:
    response = api_session(sandbox, org_id=None).get(f"{sandbox.api_url}/contacts", timeout=10)
    body = response.json()
    assert response.status_code == 400
    assert body["code"] != 0
    assert "organization_id" in body["message"]


def test_unknown_organization_id_is_code_6041(sandbox: SandboxHandle) -> None:
    response = api_session(sandbox, org_id="63999").get(f"{sandbox.api_url}/contacts", timeout=10)
    assert response.status_code == 400
    assert response.json() == {
        "code": 6041,
        "message": "This user is not associated with the CompanyID/CompanyName:63999.",
    }


def test_unknown_path_is_404(api: requests.Session, sandbox: SandboxHandle) -> None:
    response = api.get(f"{sandbox.api_url}/invoices", timeout=10)
    assert response.status_code == 404
    assert response.json()["code"] == 5
