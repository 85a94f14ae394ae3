"""Request logging is off by default and, when on, never shows tokens or query strings."""

from __future__ import annotations

import logging

import pytest
import requests

from sandbox.server import running_sandbox
from tests.sandbox.helpers import api_session


def test_quiet_by_default(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.DEBUG), running_sandbox() as handle:
        api_session(handle).get(f"{handle.api_url}/contacts", timeout=10)
    assert [r for r in caplog.records if r.name.startswith("sandbox")] == []
    assert capfd.readouterr().err == ""  # http.server's own request lines are silenced too


def test_verbose_lines_carry_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sandbox"), running_sandbox(verbose=True) as handle:
        session = api_session(handle)
        token = session.headers["Authorization"]
        session.get(f"{handle.api_url}/contacts", params={"organization_id": "1"}, timeout=10)
        requests.post(
            handle.token_url,
            params={"client_secret": handle.client_secret, "refresh_token": handle.refresh_token},
            timeout=10,
        )
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /invoice/v3/contacts -> 200" in text
    assert "POST /oauth/v2/token -> 200" in text
    for secret in (str(token), handle.client_secret, handle.refresh_token, "organization_id"):
        assert secret not in text
