"""API authentication: 401 code 14 for a missing/garbled header, 57 for a dead token or scope."""

from __future__ import annotations

import requests

from sandbox.server import SandboxHandle, running_sandbox
from tests.sandbox.helpers import INDIA, api_session, grant


def contacts_status(handle: SandboxHandle, headers: dict[str, str]) -> tuple[int, int]:
    response = requests.get(
        f"{handle.api_url}/contacts",
        headers={"X-com-zoho-invoice-organizationid": INDIA, **headers},
        timeout=10,
    )
    return response.status_code, response.json()["code"]


def test_missing_header_is_code_14(sandbox: SandboxHandle) -> None:
    assert contacts_status(sandbox, {}) == (401, 14)


def test_garbled_header_is_code_14(sandbox: SandboxHandle) -> None:
    token = grant(sandbox)["access_token"]
    assert contacts_status(sandbox, {"Authorization": f"Bearer {token}"}) == (401, 14)
    assert contacts_status(sandbox, {"Authorization": "Zoho-oauthtoken"}) == (401, 14)


def test_unknown_token_is_code_57(sandbox: SandboxHandle) -> None:
    assert contacts_status(sandbox, {"Authorization": "Zoho-oauthtoken 1000.abc.def"}) == (401, 57)


def test_expired_tokens_are_code_57_until_refreshed(sandbox: SandboxHandle) -> None:
    session = api_session(sandbox)
    assert session.get(f"{sandbox.api_url}/contacts", timeout=10).status_code == 200
    sandbox.expire_access_tokens()
    response = session.get(f"{sandbox.api_url}/contacts", timeout=10)
    assert (response.status_code, response.json()["code"]) == (401, 57)
    assert api_session(sandbox).get(f"{sandbox.api_url}/contacts", timeout=10).status_code == 200


def test_zero_ttl_tokens_are_born_expired() -> None:
    with running_sandbox(access_token_ttl=0) as handle:
        response = api_session(handle).get(f"{handle.api_url}/contacts", timeout=10)
        assert (response.status_code, response.json()["code"]) == (401, 57)


def test_token_without_contacts_scope_is_code_57_on_contacts_only(sandbox: SandboxHandle) -> None:
    narrow = sandbox.issue_refresh_token(scopes=["ZohoInvoice.settings.READ"])
    headers = {"Authorization": f"Zoho-oauthtoken {grant(sandbox, narrow)['access_token']}"}
    assert contacts_status(sandbox, headers) == (401, 57)
    organizations = requests.get(f"{sandbox.api_url}/organizations", headers=headers, timeout=10)
    assert organizations.status_code == 200


def test_module_all_scope_covers_read(sandbox: SandboxHandle) -> None:
    token = sandbox.issue_refresh_token(scopes=["ZohoInvoice.contacts.ALL"])
    headers = {"Authorization": f"Zoho-oauthtoken {grant(sandbox, token)['access_token']}"}
    assert contacts_status(sandbox, headers) == (200, 0)
