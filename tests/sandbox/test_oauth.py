"""POST /oauth/v2/token: Zoho Accounts answers every outcome with HTTP 200."""

from __future__ import annotations

import re

import requests

from sandbox.server import SandboxHandle, running_sandbox
from tests.sandbox.helpers import grant


def test_refresh_grant_returns_an_access_token(sandbox: SandboxHandle) -> None:
    body = grant(sandbox)
    assert re.fullmatch(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}", body["access_token"])
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert body["api_domain"] == sandbox.base_url
    assert "refresh_token" not in body  # Zoho refresh tokens are permanent


def test_parameters_in_the_query_string_work_too(sandbox: SandboxHandle) -> None:
    params = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "refresh_token": sandbox.refresh_token,
    }
    response = requests.post(sandbox.token_url, params=params, timeout=10)
    assert response.status_code == 200
    assert "access_token" in response.json()


def test_unknown_refresh_token_is_invalid_code_with_status_200(sandbox: SandboxHandle) -> None:
    assert grant(sandbox, refresh_token="1000.not-a-real-token") == {"error": "invalid_code"}


def test_bad_client_secret_is_invalid_client(sandbox: SandboxHandle) -> None:
    response = requests.post(
        sandbox.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": sandbox.client_id,
            "client_secret": "wrong",
            "refresh_token": sandbox.refresh_token,
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json() == {"error": "invalid_client"}


def test_unsupported_grant_type(sandbox: SandboxHandle) -> None:
    response = requests.post(
        sandbox.token_url, data={"grant_type": "authorization_code", "code": "x"}, timeout=10
    )
    assert response.json() == {"error": "unsupported_grant_type"}


def test_revoked_refresh_token_stops_granting(sandbox: SandboxHandle) -> None:
    assert "access_token" in grant(sandbox)
    assert sandbox.revoke_refresh_token() is True
    assert grant(sandbox) == {"error": "invalid_code"}


def test_a_newly_issued_refresh_token_grants(sandbox: SandboxHandle) -> None:
    token = sandbox.issue_refresh_token()
    assert token != sandbox.refresh_token
    assert "access_token" in grant(sandbox, refresh_token=token)


def test_tokens_issued_are_counted(sandbox: SandboxHandle) -> None:
    grant(sandbox)
    grant(sandbox)
    grant(sandbox, refresh_token="1000.unknown")
    stats = sandbox.stats()
    assert stats["tokens_issued"] == 2
    assert stats["requests_by_endpoint"]["token"] == 3


def test_too_many_grants_from_one_refresh_token_is_access_denied() -> None:
    with running_sandbox(token_grants_per_window=2, token_window_seconds=600) as handle:
        assert "access_token" in grant(handle)
        assert "access_token" in grant(handle)
        response = requests.post(
            handle.token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": handle.client_id,
                "client_secret": handle.client_secret,
                "refresh_token": handle.refresh_token,
            },
            timeout=10,
        )
        assert response.status_code == 400
        assert response.json()["error"] == "Access Denied"
        assert "access_token" in grant(handle, handle.issue_refresh_token())
