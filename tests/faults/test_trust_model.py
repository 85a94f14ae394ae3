"""Where credentials may travel: https only, plain http only to a loopback host."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import ConfigValidationError

from sandbox.server import SandboxHandle
from tap_zoho_invoice import hosts
from tap_zoho_invoice.tap import TapZohoInvoice
from tests.faults.conftest import RunTap, tap_config

# An empty refresh token keeps discovery from sampling contacts (no request leaves the test).
CREDENTIALS = {"client_id": "a", "client_secret": "b", "refresh_token": ""}


def test_every_data_center_host_is_https() -> None:
    for api, accounts in hosts.DATA_CENTERS.values():
        assert api.startswith("https://")
        assert accounts.startswith("https://")


@pytest.mark.parametrize(
    "url",
    [
        "https://proxy.example.com/invoice/v3",
        "https://10.0.0.5:8443",
        "http://127.0.0.1:8080/invoice/v3",
        "http://127.8.9.10",
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://[::1]:8080",
        None,
        "",
    ],
)
def test_trusted_urls(url: str | None) -> None:
    assert hosts.untrusted_url_problem("api_url", url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://www.zohoapis.com/invoice/v3", "must use https://"),
        ("http://10.0.0.5:8080", "must use https://"),
        ("http://localhost.example.com", "must use https://"),  # a name, not loopback
        ("http://127.0.0.1.nip.io", "must use https://"),
        ("ftp://127.0.0.1", "must use https://"),
        ("www.zohoapis.com/invoice/v3", "absolute https:// URL"),
    ],
)
def test_untrusted_urls(url: str, why: str) -> None:
    problem = hosts.untrusted_url_problem("accounts_url", url)
    assert problem is not None
    assert why in problem
    assert "`accounts_url`" in problem


def test_tap_refuses_plain_http_to_a_remote_host_at_start() -> None:
    config = {**CREDENTIALS, "api_url": "http://zoho-proxy.example.com/invoice/v3"}
    with pytest.raises(ConfigValidationError, match="`api_url` must use https://"):
        TapZohoInvoice(config=config)


def test_tap_accepts_the_loopback_sandbox() -> None:
    config = {
        **CREDENTIALS,
        "api_url": "http://127.0.0.1:8080/invoice/v3",
        "accounts_url": "http://localhost:8080",
        "organization_ids": ["1"],
    }
    assert TapZohoInvoice(config=config).config["api_url"].startswith("http://127.0.0.1")


@pytest.mark.e2e
def test_executable_fails_with_one_clear_line_before_sending_any_secret(
    sandbox: SandboxHandle, run_tap: RunTap
) -> None:
    # The accounts server is the (loopback) sandbox; the API is plain http on a remote name.
    config = tap_config(sandbox, api_url="http://zoho-proxy.example.com/invoice/v3")
    run = run_tap(config)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    problems = [line for line in run.stderr.splitlines() if "`api_url` must use https://" in line]
    assert len(problems) == 1
    assert sandbox.stats()["requests_total"] == 0  # not even the token request went out
