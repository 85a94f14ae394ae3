"""The REST plumbing every Zoho Invoice stream shares: hosts, auth, pacing, errors, retries."""

from __future__ import annotations

import typing as t
from collections.abc import Generator, Iterable
from functools import cached_property
from urllib.parse import urlparse

import requests
from singer_sdk import RESTStream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.pagination import PageNumberPaginator
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_zoho_invoice.errors import (
    DailyQuotaExhausted,
    NotAuthorized,
    UnknownOrganization,
)
from tap_zoho_invoice.pacing import ORGANIZATION_HEADER
from tap_zoho_invoice.record_shape import RecordShape

if t.TYPE_CHECKING:
    from tap_zoho_invoice.auth import ZohoAuthenticator

# Zoho's `code` values (reference §5.2) that change what the tap does.
CODE_UNAUTHENTICATED = 14
CODE_NOT_AUTHORIZED = 57
CODE_DAILY_QUOTA = 45
CODE_TOO_MANY_IN_FLIGHT = 1070
CODE_UNKNOWN_ORGANIZATION = 6041

#: Longest wait the tap accepts from a server hint before giving up on that hint.
MAX_HINTED_WAIT_SECONDS = 120.0


class ZohoPaginator(PageNumberPaginator):
    """1-based page numbers, continuing while ``page_context.has_more_page`` is true."""

    def has_more(self, response: requests.Response) -> bool:
        return bool(response_json(response).get("page_context", {}).get("has_more_page"))


class ZohoInvoiceStream(RESTStream):
    """Base stream: authenticates, paces per organization, and reads Zoho's error envelope."""

    #: First wait (seconds) of the exponential backoff for 5xx, dropped connections and
    #: 429 code 1070 (too many requests in flight: those finish within seconds).
    retry_base_seconds = 1.0
    #: Wait after a per-minute 429 (code 44) that carries no ``Retry-After``: Zoho blocks the
    #: organization for the rest of its one-minute window, so probing sooner only wastes calls.
    rate_limit_wait_seconds = 60.0

    @property
    def url_base(self) -> str:
        return self._tap.api_base_url  # type: ignore[attr-defined,no-any-return]

    @property
    def authenticator(self) -> ZohoAuthenticator:
        return self._tap.zoho_authenticator  # type: ignore[attr-defined]

    @property
    def requests_session(self) -> requests.Session:
        return self._tap.http_session  # type: ignore[attr-defined]

    def get_new_paginator(self) -> ZohoPaginator:
        return ZohoPaginator(start_value=1)

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        request = super().get_http_request(page=page)
        request.headers.update(organization_headers(page.stream_context))
        return request

    def get_url_params(self, context: t.Any, next_page_token: t.Any) -> dict[str, t.Any]:
        params: dict[str, t.Any] = {"page": next_page_token or 1}
        if context and context.get("organization_id"):
            params["organization_id"] = context["organization_id"]
        return params

    # Errors -------------------------------------------------------------------------------

    def validate_response(self, response: requests.Response) -> None:
        """Map Zoho's status + ``code`` envelope onto retry, refresh, stop, or one clear error."""
        status = response.status_code
        code, message = _envelope(response)
        if status < 400 and code in (None, 0):
            self._reauthenticated = False
            return
        org = self._organization_of(response)
        if status == 429:
            if code == CODE_DAILY_QUOTA:
                raise DailyQuotaExhausted(
                    f"Zoho's daily API quota for organization {org} is spent ({message})."
                )
            raise RetriableAPIError(f"Rate limited by Zoho (code {code}): {message}", response)
        if status == 401 and code in (CODE_NOT_AUTHORIZED, CODE_UNAUTHENTICATED):
            if not getattr(self, "_reauthenticated", False):
                # The access token may have died early (revoked session, clock skew): get a
                # fresh one and try once more before blaming the grant.
                self._reauthenticated = True
                self.authenticator.invalidate()
                raise RetriableAPIError("Zoho rejected the access token; refreshing it", response)
            raise NotAuthorized(
                f"Zoho denies {self.name} for organization {org} even with a fresh token "
                f"(code {code}: {message}): regenerate the `refresh_token` with scopes "
                "ZohoInvoice.contacts.READ,ZohoInvoice.settings.READ."
            )
        if code == CODE_UNKNOWN_ORGANIZATION or (status == 400 and "CompanyID" in message):
            raise UnknownOrganization(
                f"Organization {org} is not visible to this Zoho user: fix `organization_ids` "
                "(leave it empty to sync every organization the token can see)."
            )
        if status == 403:
            raise NotAuthorized(
                f"Zoho forbids {self.name} for organization {org} ({message}): the user behind "
                "the `refresh_token` needs access to this organization."
            )
        if status >= 500:
            raise RetriableAPIError(f"Zoho server error {status}: {message}", response)
        path = urlparse(response.url).path
        raise FatalAPIError(f"Zoho answered {status} (code {code}) for {path}: {message}")

    def _organization_of(self, response: requests.Response) -> str:
        return str(response.request.headers.get(ORGANIZATION_HEADER) or "(none)")

    # Retries -------------------------------------------------------------------------------

    def backoff_wait_generator(self) -> Generator[float, t.Any, None]:  # type: ignore[override]
        """Wait as the server says on 429 (``Retry-After``), else back off exponentially."""
        attempt = 0
        exception = yield  # type: ignore[misc]
        while True:
            attempt += 1
            exception = yield self.seconds_before_retry(exception, attempt)

    def seconds_before_retry(self, exception: Exception, attempt: int) -> float:
        response = getattr(exception, "response", None)
        if response is not None and response.status_code == 401:
            return 0.0
        if response is not None and response.status_code == 429:
            hint = _retry_after(response)
            if hint is not None:
                return hint
            if _envelope(response)[0] != CODE_TOO_MANY_IN_FLIGHT:
                return self.rate_limit_wait_seconds
        return min(self.retry_base_seconds * 2 ** (attempt - 1), 60.0)

    def backoff_jitter(self, value: float) -> float:
        return value

    #: Tries per request (the first one included) before the run stops with one clear line.
    max_tries = 8

    def backoff_max_tries(self) -> int:
        return self.max_tries

    def response_error_message(self, response: requests.Response) -> str:
        code, message = _envelope(response)
        return f"{response.status_code} for {urlparse(response.url).path}: {code} {message}"

    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        yield from response_json(response).get(self.records_key, [])

    def post_process(self, row: dict, context: t.Any = None) -> dict | None:
        """Every record, tombstones included, leaves with exactly its schema's properties.

        The one place records pass on their way out, whichever generator built them.
        """
        return self._record_shape.apply(row)

    @cached_property
    def _record_shape(self) -> RecordShape:
        # The schema the SCHEMA message carries: the input catalog's when one is given.
        return RecordShape(self.effective_schema, self.name, self.logger)

    records_key: str = ""


def organization_headers(context: t.Any) -> dict[str, str]:
    """Zoho documents the organization header; the tap also sends the query parameter."""
    if context and context.get("organization_id"):
        return {ORGANIZATION_HEADER: str(context["organization_id"])}
    return {}


def response_json(response: requests.Response) -> dict:
    """The decoded body, parsed once per response (validation, paging and records all read it)."""
    cached = getattr(response, "_zoho_json", None)
    if cached is None:
        try:
            cached = response.json()
        except ValueError:
            cached = {}
        if not isinstance(cached, dict):
            cached = {}
        response._zoho_json = cached  # type: ignore[attr-defined]
    return cached


def _envelope(response: requests.Response) -> tuple[int | None, str]:
    body = response_json(response)
    if not body:
        return None, (response.text or "")[:200]
    code = body.get("code")
    return (int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None), str(
        body.get("message", "")
    )


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from a ``Retry-After`` header, if present, numeric and reasonable.

    ``x-rate-limit-reset`` is deliberately not read: Zoho uses it for the *daily* quota window
    (seconds until the day resets), which says nothing about when a per-minute block lifts.
    """
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_HINTED_WAIT_SECONDS else None
