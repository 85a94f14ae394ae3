"""OAuth for Zoho: the refresh-token grant of a self-client, with Zoho's quirks handled.

Zoho answers a bad refresh token with HTTP 200 and ``{"error": "invalid_code"}``, so the
status code alone cannot be trusted; and API calls want ``Zoho-oauthtoken``, not ``Bearer``.
A 5xx or 429 from the accounts server, or a connection it drops after answering once, is
transient: it raises ``RetriableAPIError`` (the request being authenticated is retried with
backoff) instead of telling the user to renew a refresh token that is fine.
One instance is shared by every stream of a tap so that one access token serves the whole run
until it expires (Zoho limits how many tokens a refresh token may mint). With
``data_center: auto`` it also finds, once per run, the data center the refresh token belongs to.
Neither secret nor access token is ever logged: only host names and Zoho's error words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import requests
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers._util import utc_now

from tap_zoho_invoice.errors import ClientRejected, RefreshTokenRejected, TokenRequestsThrottled
from tap_zoho_invoice.hosts import AccountsServer

#: Refresh a little before Zoho's stated expiry so a token never dies mid-request.
EXPIRY_MARGIN_SECONDS = 60
#: Zoho's answers meaning "this accounts server does not know the client".
CLIENT_ERRORS = frozenset({"invalid_client", "invalid_client_secret"})


class ZohoAuthenticator(OAuthAuthenticator):
    """Refresh-token grant against ``{accounts server}/oauth/v2/token``.

    Given several accounts servers (``data_center: auto``), the first token request tries them
    in order, one request each, and keeps the first that accepts the refresh token for the rest
    of the run; ``api_domain`` then holds the API host that server named.
    """

    def __init__(self, *, refresh_token: str, servers: Sequence[AccountsServer], **kwargs) -> None:
        super().__init__(**kwargs)
        self._refresh_token = refresh_token
        self._candidates = tuple(servers)
        self.server: AccountsServer | None = servers[0] if len(servers) == 1 else None
        self.api_domain: str | None = None

    @property
    def auth_endpoint(self) -> str:
        return (self.server or self._candidates[0]).token_url

    @property
    def oauth_request_body(self) -> dict:
        return {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }

    def authenticate_request(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self.ensure_token()
        request.headers["Authorization"] = f"Zoho-oauthtoken {self.access_token}"
        return request

    def ensure_token(self) -> None:
        """Have a live access token (finding the accounts server first, if that is still open)."""
        if not self.is_token_valid():
            self.update_access_token()

    def invalidate(self) -> None:
        """Forget the access token so the next request refreshes it (after a 401 code 57)."""
        self.last_refreshed = None

    def update_access_token(self) -> None:
        if self.server is None:
            self._find_server()
            return
        self.logger.info("Requesting a new Zoho access token from %s", self.auth_endpoint)
        request_time = utc_now()
        try:
            response = self._post(self.server)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if self.access_token is not None:
                # It answered earlier in this run: a passing network fault, worth a retry.
                msg = f"Zoho's accounts server dropped the connection ({type(exc).__name__})"
                raise RetriableAPIError(msg) from exc
            msg = (
                f"Cannot reach Zoho's accounts server at {self.auth_endpoint}: check the "
                "`data_center` setting (or `accounts_url`) and the network."
            )
            raise RefreshTokenRejected(msg) from exc
        if response.status_code >= 500 or response.status_code == 429:
            # The accounts server is down or busy: that says nothing about the refresh token.
            msg = f"Zoho's accounts server answered HTTP {response.status_code}"
            raise RetriableAPIError(msg, response)
        body = _json_or_empty(response)
        _raise_if_refused(body, response)
        self._accept(body, request_time)

    def _find_server(self) -> None:
        """Try each candidate accounts server once, in order; keep the first that accepts.

        A server of another data center answers ``invalid_client`` (the self-client lives in
        one data center) or ``invalid_code``; one that cannot be reached or fails is passed
        over too. Throttling means the server knows the client: that stops the search.
        """
        tried: list[tuple[AccountsServer, str]] = []
        for server in self._candidates:
            request_time = utc_now()
            try:
                response = self._post(server)
            except (requests.ConnectionError, requests.Timeout) as exc:
                tried.append((server, f"unreachable ({type(exc).__name__})"))
                continue
            body = _json_or_empty(response)
            if response.ok and "access_token" in body and not body.get("error"):
                self.server = server
                self._accept(body, request_time)
                self.logger.info(
                    "Zoho data center found: %s (its accounts server %s accepted the refresh "
                    "token); set `data_center: %s` to skip this search.",
                    server.data_center,
                    server.host,
                    server.data_center,
                )
                return
            if _throttled(body):
                _raise_if_refused(body, response)
            tried.append((server, str(body.get("error") or f"HTTP {response.status_code}")))
        raise _no_server_accepted(tried)

    def _post(self, server: AccountsServer) -> requests.Response:
        return self._session.post(server.token_url, data=self.oauth_request_payload, timeout=60)

    def _accept(self, body: dict, request_time: dt.datetime) -> None:
        self.access_token = body["access_token"]
        self.api_domain = body.get("api_domain") or None
        expires_in = int(body.get("expires_in") or self._default_expiration or 3600)
        self.expires_in = max(expires_in - EXPIRY_MARGIN_SECONDS, 1)
        self.last_refreshed = request_time


def _throttled(body: dict) -> bool:
    """Zoho caps how many access tokens a refresh token may mint in a few minutes."""
    return body.get("error") == "Access Denied" or "too many requests" in str(body).lower()


def _raise_if_refused(body: dict, response: requests.Response) -> None:
    """Raise the one-line error for a token answer that carries no access token."""
    error = body.get("error")
    if error in CLIENT_ERRORS:
        msg = (
            f"Zoho rejected the OAuth client ({error}): check the `client_id` and "
            "`client_secret` settings against the self-client in Zoho's API console."
        )
        raise ClientRejected(msg)
    if _throttled(body):
        msg = (
            "Zoho's accounts server is throttling token requests for this client "
            f"({body.get('error_description') or error}): wait a few minutes and run again; "
            "the bookmarks are kept. The refresh token itself is fine."
        )
        raise TokenRequestsThrottled(msg)
    if error or response.status_code >= 400 or "access_token" not in body:
        reason = error or f"HTTP {response.status_code}"
        msg = (
            f"Zoho refused the refresh token ({reason}): renew the `refresh_token` setting "
            "(generate a new grant code for the self-client with scopes "
            "ZohoInvoice.contacts.READ,ZohoInvoice.settings.READ), and check that "
            "`data_center` matches the account's region."
        )
        raise RefreshTokenRejected(msg)


def _no_server_accepted(tried: list[tuple[AccountsServer, str]]) -> Exception:
    """The one-line error after every accounts server refused (``data_center: auto``)."""
    answers = "; ".join(f"{server.host}: {answer}" for server, answer in tried)
    if all(answer in CLIENT_ERRORS for _, answer in tried):
        return ClientRejected(
            f"No Zoho data center knows this OAuth client ({answers}): check the `client_id` "
            "and `client_secret` settings against the self-client in Zoho's API console."
        )
    if all(answer.startswith("unreachable") for _, answer in tried):
        return RefreshTokenRejected(
            f"Cannot reach any Zoho accounts server ({answers}): check the network, or set "
            "`data_center` to the account's region."
        )
    return RefreshTokenRejected(
        f"No Zoho accounts server accepted the refresh token ({answers}): renew the "
        "`refresh_token` setting (generate a new grant code for the self-client with scopes "
        "ZohoInvoice.contacts.READ,ZohoInvoice.settings.READ), or set `data_center` to the "
        "account's region."
    )


def _json_or_empty(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
