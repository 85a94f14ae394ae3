"""Fault injection: the next N matching requests fail with a status or a dropped connection."""

from __future__ import annotations

import pytest
import requests

from sandbox.server import SandboxHandle


def test_status_fault_with_code_and_headers_then_recovers(
    api: requests.Session, sandbox: SandboxHandle
) -> None:
    sandbox.inject_faults("/contacts", 503, count=2, code=1000, headers={"X-Fault": "yes"})
    first = api.get(f"{sandbox.api_url}/contacts", timeout=10)
    second = api.get(f"{sandbox.api_url}/contacts", timeout=10)
    third = api.get(f"{sandbox.api_url}/contacts", timeout=10)
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.json()["code"] == 1000
    assert first.headers["X-Fault"] == "yes"
    assert sandbox.stats()["faults_injected"] == 2


def test_faults_only_hit_matching_paths(api: requests.Session, sandbox: SandboxHandle) -> None:
    sandbox.inject_faults("/organizations", 500)
    assert api.get(f"{sandbox.api_url}/contacts", timeout=10).status_code == 200
    response = api.get(f"{sandbox.api_url}/organizations", timeout=10)
    assert (response.status_code, response.json()["code"]) == (500, 1000)


def test_dropped_connection(api: requests.Session, sandbox: SandboxHandle) -> None:
    sandbox.inject_faults("/contacts", "drop")
    with pytest.raises(requests.ConnectionError):
        api.get(f"{sandbox.api_url}/contacts", timeout=10)
    assert api.get(f"{sandbox.api_url}/contacts", timeout=10).status_code == 200


def test_token_endpoint_can_fail_too(sandbox: SandboxHandle) -> None:
    sandbox.inject_faults("/oauth/v2/token", 502)
    response = requests.post(sandbox.token_url, data={"grant_type": "refresh_token"}, timeout=10)
    assert response.status_code == 502


def test_injected_429_is_a_zoho_throttle(api: requests.Session, sandbox: SandboxHandle) -> None:
    sandbox.inject_faults("/contacts", 429, headers={"Retry-After": "1"})
    response = api.get(f"{sandbox.api_url}/contacts", timeout=10)
    assert (response.status_code, response.json()["code"]) == (429, 44)
    assert response.headers["Retry-After"] == "1"


def test_clear_faults(api: requests.Session, sandbox: SandboxHandle) -> None:
    sandbox.inject_faults("/contacts", 500, count=5)
    sandbox.clear_faults()
    assert api.get(f"{sandbox.api_url}/contacts", timeout=10).status_code == 200


def test_bad_fault_is_rejected(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError, match="HTTP status"):
        sandbox.inject_faults("/contacts", "explode")
