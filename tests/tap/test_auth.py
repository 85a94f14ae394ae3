"""OAuth against Zoho's accounts server: quirks of the refresh-token grant."""

from __future__ import annotations

import pytest

from tap_zoho_invoice.errors import ClientRejected, NotAuthorized, RefreshTokenRejected
from tap_zoho_invoice.hosts import accounts_servers
from tests.tap.conftest import API, CONFIG, TOKEN_URL, contact, records, serve_contacts


def test_invalid_code_with_http_200_is_a_rejected_refresh_token(zoho, run_tap):
    zoho.post(TOKEN_URL, json={"error": "invalid_code"})
    with pytest.raises(RefreshTokenRejected) as err:
        run_tap()
    message = str(err.value)
    assert "renew the `refresh_token` setting" in message
    assert CONFIG["refresh_token"] not in message
    assert CONFIG["client_secret"] not in message


def test_invalid_client_names_the_client_settings(zoho, run_tap):
    zoho.post(TOKEN_URL, json={"error": "invalid_client"})
    with pytest.raises(ClientRejected, match="`client_id` and `client_secret`"):
        run_tap()


def test_token_request_is_a_refresh_token_grant_and_token_is_reused(zoho, run_tap):
    rows = [contact(str(i), f"2026-01-0{i}T10:00:00+0000") for i in range(1, 6)]
    serve_contacts(zoho, rows, per_page=2)
    messages, _ = run_tap()
    token_calls = [r for r in zoho.request_history if r.url == TOKEN_URL]
    assert len(token_calls) == 1
    body = token_calls[0].text
    assert "grant_type=refresh_token" in body
    api_calls = [r for r in zoho.request_history if r.url.startswith(f"{API}/contacts")]
    assert len(api_calls) >= 3  # three pages, and the progress estimate's count of them
    assert all(r.headers["Authorization"] == "Zoho-oauthtoken 1000.access" for r in api_calls)
    assert len(records(messages)) == 5


def test_401_code_57_refreshes_once_then_succeeds(zoho, run_tap):
    rows = [contact("1", "2026-01-01T10:00:00+0000")]
    zoho.get(
        f"{API}/contacts",
        [
            {"status_code": 401, "json": {"code": 57, "message": "Invalid OAuth token."}},
            {
                "json": {
                    "code": 0,
                    "contacts": rows,
                    "page_context": {"page": 1, "has_more_page": False},
                }
            },
        ],
    )
    messages, _ = run_tap()
    assert len(records(messages)) == 1
    assert len([r for r in zoho.request_history if r.url == TOKEN_URL]) == 2


def test_401_code_57_after_a_fresh_token_is_missing_scope(zoho, run_tap):
    zoho.get(
        f"{API}/contacts",
        status_code=401,
        json={"code": 57, "message": "You are not authorized to perform this operation"},
    )
    with pytest.raises(NotAuthorized, match=r"ZohoInvoice\.contacts\.READ"):
        run_tap()
    assert len([r for r in zoho.request_history if r.url == TOKEN_URL]) == 2


@pytest.mark.parametrize(
    ("data_center", "expected"),
    [
        ("com", "https://accounts.zoho.com/oauth/v2/token"),
        ("eu", "https://accounts.zoho.eu/oauth/v2/token"),
        ("ca", "https://accounts.zohocloud.ca/oauth/v2/token"),
        ("com.au", "https://accounts.zoho.com.au/oauth/v2/token"),
    ],
)
def test_data_center_picks_the_accounts_server(data_center, expected):
    assert [s.token_url for s in accounts_servers({"data_center": data_center})] == [expected]


def test_accounts_url_overrides_the_data_center():
    servers = accounts_servers({"data_center": "eu", "accounts_url": "http://127.0.0.1:9/"})
    assert [s.token_url for s in servers] == ["http://127.0.0.1:9/oauth/v2/token"]


def test_throttled_token_requests_say_wait_not_renew(zoho, run_tap):
    from tap_zoho_invoice.errors import TokenRequestsThrottled

    zoho.post(
        TOKEN_URL,
        status_code=400,
        json={
            "error": "Access Denied",
            "error_description": "You have made too many requests continuously.",
        },
    )
    with pytest.raises(TokenRequestsThrottled, match="wait a few minutes") as err:
        run_tap()
    assert "renew" not in str(err.value)
