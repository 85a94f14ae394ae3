"""OAuth for Zoho: the refresh-token grant of a self-client, with Zoho's quirks handled.

Zoho answers a bad refresh token with HTTP 200 and ``{"error": "invalid_code"}``, so the
status code alone cannot be trusted; and API calls want ``Zoho-oauthtoken``, not ``Bearer``.
A 5xx or 429 from the accounts server, or a connection it drops after answering once, is
transient: it raises ``RetriableAPIError`` (the request being authenticated is retried with
backoff) instead of telling the user to renew a refresh token that is fine.
One instance is shared by every stream of a tap so that one access token serves the whole run
until it expires (Zoho limits how many tokens a refresh token may mint).
"""

from __future__ import annotations

import requests
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers._util import utc_now

from tap_zoho_invoice.errors import ClientRejected, RefreshTokenRejected, TokenRequestsThrottled

#: Refresh a little before Zoho's stated expiry so a token never dies mid-request.
EXPIRY_MARGIN_SECONDS = 60


class ZohoAuthenticator(OAuthAuthenticator):
    """Refresh-token grant against ``{accounts server}/oauth/v2/token``."""

    def __init__(self, *, refresh_token: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._refresh_token = refresh_token

    @property
    def oauth_request_body(self) -> dict:
        return {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }

    def authenticate_request(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if not self.is_token_valid():
            self.update_access_token()
        request.headers["Authorization"] = f"Zoho-oauthtoken {self.access_token}"
        return request

    def invalidate(self) -> None:
        """Forget the access token so the next request refreshes it (after a 401 code 57)."""
        self.last_refreshed = None

    def update_access_token(self) -> None:
        self.logger.info("Requesting a new Zoho access token from %s", self.auth_endpoint)
        request_time = utc_now()
        try:
            response = self._session.post(
                self.auth_endpoint, data=self.oauth_request_payload, timeout=60
            )
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
        error = body.get("error")
        if error in {"invalid_client", "invalid_client_secret"}:
            msg = (
                f"Zoho rejected the OAuth client ({error}): check the `client_id` and "
                "`client_secret` settings against the self-client in Zoho's API console."
            )
            raise ClientRejected(msg)
        if error == "Access Denied" or "too many requests" in str(body).lower():
            # Zoho caps how many access tokens a refresh token may mint in a few minutes.
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
        self.access_token = body["access_token"]
        expires_in = int(body.get("expires_in") or self._default_expiration or 3600)
        self.expires_in = max(expires_in - EXPIRY_MARGIN_SECONDS, 1)
        self.last_refreshed = request_time


def _json_or_empty(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
