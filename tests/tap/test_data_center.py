"""`data_center: auto`: find the accounts server that accepts the refresh token, once per run,
and take the API host from its `api_domain` (only a Zoho API host is trusted)."""

from __future__ import annotations

import logging

import pytest
import requests

from tap_zoho_invoice import hosts
from tap_zoho_invoice.errors import (
    ClientRejected,
    RefreshTokenRejected,
    TokenRequestsThrottled,
    ZohoUserError,
)
from tests.tap.conftest import CONFIG, contact, records

AUTO = ("api_url", "accounts_url")  # run without the overrides: data_center decides
ORDER = [server.token_url for server in hosts.accounts_servers({})]
GRANT = {"access_token": "1000.access", "expires_in": 3600, "api_domain": "https://www.zohoapis.eu"}


def answer_tokens(zoho, answers: dict[str, dict]) -> None:
    """Each data center's accounts server answers as given (by default: invalid_client)."""
    for name, (_, accounts) in hosts.DATA_CENTERS.items():
        zoho.post(
            accounts + hosts.TOKEN_PATH, **answers.get(name, {"json": {"error": "invalid_client"}})
        )


def serve_api(zoho, base: str) -> None:
    zoho.get(
        f"{base}/organizations", json={"code": 0, "organizations": [{"organization_id": "111"}]}
    )
    zoho.get(
        f"{base}/contacts",
        json={
            "code": 0,
            "contacts": [contact("1", "2026-01-01T10:00:00+0000")],
            "page_context": {},
        },
    )


def token_calls(zoho) -> list[str]:
    return [r.url for r in zoho.request_history if r.path == hosts.TOKEN_PATH]


def test_the_first_server_that_accepts_is_used_and_names_the_api_host(
    zoho, run_tap, caplog: pytest.LogCaptureFixture
) -> None:
    answer_tokens(zoho, {"com": {"json": {"error": "invalid_code"}}, "eu": {"json": GRANT}})
    serve_api(zoho, "https://www.zohoapis.eu/invoice/v3")
    with caplog.at_level(logging.INFO):
        messages, _ = run_tap(without=AUTO)
    assert token_calls(zoho) == ORDER[:2]  # com, then eu; no later data center is asked
    assert len(records(messages)) == 1
    api = [r.url for r in zoho.request_history if r.path.startswith("/invoice/v3")]
    assert api and all(url.startswith("https://www.zohoapis.eu/") for url in api)
    found = [r.getMessage() for r in caplog.records if "data center found" in r.getMessage()]
    assert found == [
        "Zoho data center found: eu (its accounts server accounts.zoho.eu accepted the refresh "
        "token); set `data_center: eu` to skip this search."
    ]
    text = caplog.text
    assert CONFIG["refresh_token"] not in text and CONFIG["client_secret"] not in text
    assert "1000.access" not in text


def test_the_search_happens_once_per_run_and_later_tokens_come_from_the_server_found(
    zoho, run_tap
) -> None:
    answer_tokens(zoho, {"in": {"json": {**GRANT, "api_domain": "https://www.zohoapis.in"}}})
    serve_api(zoho, "https://www.zohoapis.in/invoice/v3")
    expired = {"status_code": 401, "json": {"code": 57, "message": "Invalid OAuth token."}}
    ok = {
        "json": {"code": 0, "contacts": [contact("1", "2026-01-01T10:00:00+0000")]},
    }
    zoho.get("https://www.zohoapis.in/invoice/v3/contacts", [expired, ok])
    messages, _ = run_tap(without=AUTO)
    assert len(records(messages)) == 1
    accounts_in = "https://accounts.zoho.in/oauth/v2/token"
    assert token_calls(zoho) == [*ORDER[:3], accounts_in]


def test_unreachable_servers_are_passed_over(zoho, run_tap) -> None:
    answer_tokens(
        zoho,
        {
            "com": {"exc": requests.exceptions.ConnectTimeout},
            "eu": {"status_code": 503, "text": "down"},
            "in": {"json": {**GRANT, "api_domain": "https://www.zohoapis.in"}},
        },
    )
    serve_api(zoho, "https://www.zohoapis.in/invoice/v3")
    messages, _ = run_tap(without=AUTO)
    assert len(records(messages)) == 1


def test_no_server_accepting_is_one_line_naming_what_each_said(zoho, run_tap) -> None:
    answer_tokens(zoho, {"eu": {"json": {"error": "invalid_code"}}})
    with pytest.raises(RefreshTokenRejected) as raised:
        run_tap(without=AUTO)
    message = str(raised.value)
    assert "accounts.zoho.com: invalid_client; accounts.zoho.eu: invalid_code;" in message
    assert "renew the `refresh_token` setting" in message and "`data_center`" in message
    assert token_calls(zoho) == ORDER
    assert CONFIG["refresh_token"] not in message


def test_a_client_no_data_center_knows_is_a_client_error(zoho, run_tap) -> None:
    answer_tokens(zoho, {})
    with pytest.raises(ClientRejected, match="No Zoho data center knows this OAuth client"):
        run_tap(without=AUTO)


def test_throttling_means_the_server_knows_the_client_and_stops_the_search(zoho, run_tap) -> None:
    answer_tokens(
        zoho,
        {"com": {"status_code": 400, "json": {"error": "Access Denied", "error_description": "x"}}},
    )
    with pytest.raises(TokenRequestsThrottled):
        run_tap(without=AUTO)
    assert token_calls(zoho) == ORDER[:1]


def test_an_api_domain_that_is_no_zoho_api_host_is_refused_before_any_api_call(
    zoho, run_tap
) -> None:
    answer_tokens(zoho, {"com": {"json": {**GRANT, "api_domain": "https://zoho.example.net"}}})
    with pytest.raises(ZohoUserError, match=r"unexpected API host \(https://zoho.example.net\)"):
        run_tap(without=AUTO)
    assert [r for r in zoho.request_history if r.path.startswith("/invoice")] == []


def test_without_an_api_domain_the_data_centers_own_api_host_is_used(zoho, run_tap) -> None:
    answer_tokens(zoho, {"jp": {"json": {"access_token": "1000.access", "expires_in": 3600}}})
    serve_api(zoho, "https://www.zohoapis.jp/invoice/v3")
    messages, _ = run_tap(without=AUTO)
    assert len(records(messages)) == 1


def test_a_named_data_center_asks_only_its_own_server_and_ignores_api_domain(zoho, run_tap) -> None:
    answer_tokens(zoho, {"com.au": {"json": {**GRANT, "api_domain": "https://www.zohoapis.eu"}}})
    serve_api(zoho, "https://www.zohoapis.com.au/invoice/v3")
    messages, _ = run_tap({"data_center": "com.au"}, without=AUTO)
    assert token_calls(zoho) == ["https://accounts.zoho.com.au/oauth/v2/token"]
    assert len(records(messages)) == 1


@pytest.mark.parametrize(
    ("api_domain", "accounts", "expected"),
    [
        (
            "https://www.zohoapis.com.au",
            "https://accounts.zoho.com.au",
            "https://www.zohoapis.com.au",
        ),
        ("http://www.zohoapis.com", "https://accounts.zoho.com", None),  # not https
        ("https://www.zohoapis.com.evil.example", "https://accounts.zoho.com", None),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765", "https://accounts.zoho.com", None),  # loopback only from loopback
        ("http://10.0.0.5", "http://127.0.0.1:8765", None),  # plain http only to loopback
    ],
)
def test_which_api_domains_are_trusted(
    api_domain: str, accounts: str, expected: str | None
) -> None:
    server = hosts.AccountsServer("x", accounts)
    if expected is None:
        with pytest.raises(ValueError, match="unexpected API host"):
            hosts.api_base_from_token(api_domain, server)
    else:
        assert hosts.api_base_from_token(api_domain, server) == expected + "/invoice/v3"
