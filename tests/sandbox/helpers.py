"""Helpers shared by the sandbox tests: obtain tokens and authorised sessions."""

from __future__ import annotations

from typing import Any

import requests

from sandbox.server import SandboxHandle

INDIA, INC, GMBH = "60012345678", "60023456789", "60034567890"


def grant(handle: SandboxHandle, refresh_token: str | None = None) -> dict[str, Any]:
    """POST the refresh-token grant as a form body, like the tap does."""
    response = requests.post(
        handle.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": handle.client_id,
            "client_secret": handle.client_secret,
            "refresh_token": refresh_token or handle.refresh_token,
        },
        timeout=10,
    )
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def api_session(handle: SandboxHandle, org_id: str | None = INDIA) -> requests.Session:
    """A session carrying a fresh access token and (optionally) the organization header."""
    session = requests.Session()
    session.headers["Authorization"] = f"Zoho-oauthtoken {grant(handle)['access_token']}"
    if org_id:
        session.headers["X-com-zoho-invoice-organizationid"] = org_id
    return session
