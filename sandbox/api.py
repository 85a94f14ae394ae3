"""The fake Zoho endpoints: OAuth token grant, organizations, contacts list/detail/persons.

Pure request-in, response-out logic (no sockets), so every rule lives in one place: auth
(401 codes 14/57), organization id (400 code 6041), throttles (429 codes 44/45/1070), paging,
`filter_by`, sorting and the switchable `last_modified_time` filter.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.limits import Throttled
from sandbox.render import organization_json, parse_time
from sandbox.search import build_search
from sandbox.store import DEFAULT_FILTER, FILTERS, SORT_KEYS, SandboxStore
from sandbox.tokens import TooManyGrants, has_scope

API_PREFIX = "/invoice/v3"
TOKEN_PATH = "/oauth/v2/token"
ORG_HEADER = "x-com-zoho-invoice-organizationid"
MAX_PER_PAGE = 200
AUTH_RE = re.compile(r"^Zoho-oauthtoken\s+(\S+)\s*$")
SETTINGS_READ = "ZohoInvoice.settings.READ"
CONTACTS_READ = "ZohoInvoice.contacts.READ"
CODE_14 = (
    "The request could not be authenticated as the authentication value you entered is invalid. "
    "Enter a valid authentication value and try again."
)
CODE_57 = "You are not authorized to perform this operation"
# Zoho Accounts' answer to too many access tokens from one refresh token [2ND].
TOO_MANY_GRANTS = {
    "error_description": "You have made too many requests continuously. "
    "Please try again after some time.",
    "error": "Access Denied",
    "status": "failure",
}


@dataclass
class Request:
    """What the endpoints need from an HTTP request (header names lower-cased)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    form: Mapping[str, str] = field(default_factory=dict)
    # Injected "repeat" fault: a contacts page starts with the previous page's last row.
    repeat_previous_row: bool = False


@dataclass
class Response:
    """A JSON answer; `endpoint`/`org_id`/`throttle_code` feed the statistics."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    endpoint: str = "unknown"
    org_id: str | None = None
    throttle_code: int | None = None


class ApiError(Exception):
    """A Zoho-style error answer: HTTP status plus envelope code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def zoho_error(status: int, code: int, message: str, **extra: Any) -> Response:
    return Response(status, {"code": code, "message": message}, **extra)


def success(**payload: Any) -> dict[str, Any]:
    return {"code": 0, "message": "success", **payload}


class ZohoApi:
    """Dispatches requests to the endpoint methods below."""

    def __init__(self, store: SandboxStore) -> None:
        self.store = store

    def handle(self, request: Request) -> Response:
        if request.path == TOKEN_PATH:
            if request.method != "POST":
                return zoho_error(405, 37, "The HTTP method GET is not allowed", endpoint="token")
            return self.token(request)
        if not request.path.startswith(API_PREFIX + "/"):
            return zoho_error(404, 5, "Invalid URL Passed")
        route = self._route(request.path[len(API_PREFIX) :])
        if route is None:
            return zoho_error(404, 5, "Invalid URL Passed")
        endpoint, handler, scope, needs_org = route
        if request.method != "GET":
            return zoho_error(
                405, 37, f"The HTTP method {request.method} is not allowed", endpoint=endpoint
            )
        try:
            self._authorize(request, scope)
            org_id = self._organization_id(request) if needs_org else None
        except ApiError as error:
            return zoho_error(error.status, error.code, error.message, endpoint=endpoint)
        return self._throttled_call(endpoint, org_id, lambda: handler(request, org_id))

    def endpoint_for(self, path: str) -> str:
        """The statistics name of the endpoint serving `path`."""
        if path == TOKEN_PATH:
            return "token"
        route = self._route(path[len(API_PREFIX) :]) if path.startswith(API_PREFIX) else None
        return route[0] if route else "unknown"

    def _route(
        self, sub_path: str
    ) -> tuple[str, Callable[[Request, Any], Response], str, bool] | None:
        parts = [p for p in sub_path.split("/") if p]
        if parts == ["organizations"]:
            return "organizations", self.organizations, SETTINGS_READ, False
        if parts == ["contacts"]:
            return "contacts", self.list_contacts, CONTACTS_READ, True
        if parts == ["contacts", "contactpersons"]:
            return "contact_persons", self.list_contact_persons, CONTACTS_READ, True
        if len(parts) == 2 and parts[0] == "contacts":
            return "contact", self.get_contact, CONTACTS_READ, True
        if len(parts) == 3 and parts[0] == "contacts" and parts[2] == "contactpersons":
            return "contact_persons", self.list_contact_persons, CONTACTS_READ, True
        return None

    # -- cross-cutting rules --------------------------------------------------------------------

    def _authorize(self, request: Request, scope: str) -> None:
        match = AUTH_RE.match(request.headers.get("authorization", ""))
        if match is None:
            raise ApiError(401, 14, CODE_14)
        scopes = self.store.tokens.scopes_of(match.group(1))
        if scopes is None or not has_scope(scopes, scope):
            raise ApiError(401, 57, CODE_57)

    def _organization_id(self, request: Request) -> str:
        org_id = request.headers.get(ORG_HEADER) or request.query.get("organization_id", "")
        org_id = org_id.strip()
        if not org_id:
            # Zoho's answer to a missing id is undocumented (reference §1.3); this one is clear.
            raise ApiError(
                400,
                6042,
                "Organization id is missing: send the X-com-zoho-invoice-organizationid header "
                "or the organization_id query parameter.",
            )
        if self.store.org_contacts(org_id) is None:
            raise ApiError(
                400, 6041, f"This user is not associated with the CompanyID/CompanyName:{org_id}."
            )
        return org_id

    def _throttled_call(
        self, endpoint: str, org_id: str | None, call: Callable[[], Response]
    ) -> Response:
        config = self.store.config
        if org_id is None:  # /organizations is not counted against an organization
            response = call()
            response.endpoint = endpoint
            return response
        refusal, headers = self.store.limiter.admit(org_id, config)
        if refusal is not None:
            return self._refused(refusal, headers, endpoint, org_id)
        try:
            if config.latency_seconds:
                time.sleep(config.latency_seconds)
            try:
                response = call()
            except ApiError as error:
                response = zoho_error(error.status, error.code, error.message)
        finally:
            self.store.limiter.release(org_id)
        response.headers.update(headers)
        response.endpoint, response.org_id = endpoint, org_id
        return response

    @staticmethod
    def _refused(
        refusal: Throttled, headers: dict[str, str], endpoint: str, org_id: str
    ) -> Response:
        return zoho_error(
            429,
            refusal.code,
            refusal.message,
            headers={**headers, **refusal.headers},
            endpoint=endpoint,
            org_id=org_id,
            throttle_code=refusal.code,
        )

    # -- endpoints ------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        """`POST /oauth/v2/token`: errors come back as HTTP 200 with an `error` key, like Zoho."""
        params = {**request.query, **request.form}
        config = self.store.config

        def answer(body: dict[str, Any]) -> Response:
            return Response(200, body, endpoint="token")

        if params.get("grant_type") != "refresh_token":
            return answer({"error": "unsupported_grant_type"})
        if (
            params.get("client_id") != config.client_id
            or params.get("client_secret") != config.client_secret
        ):
            return answer({"error": "invalid_client"})
        try:
            access_token = self.store.tokens.grant(
                params.get("refresh_token", ""),
                config.access_token_ttl,
                config.token_grants_per_window,
                config.token_window_seconds,
            )
        except TooManyGrants:
            return Response(400, dict(TOO_MANY_GRANTS), endpoint="token")
        if access_token is None:
            return answer({"error": "invalid_code"})
        host = request.headers.get("host", f"{config.host}:{config.port}")
        return answer(
            {
                "access_token": access_token,
                "api_domain": f"http://{host}",
                "token_type": "Bearer",
                "expires_in": config.access_token_ttl,
            }
        )

    def organizations(self, request: Request, _org_id: None) -> Response:
        orgs = [organization_json(o) for o in self.store.organizations.values()]
        return Response(200, success(organizations=orgs))

    def list_contacts(self, request: Request, org_id: str) -> Response:
        query = request.query
        page = _int_param(query, "page", 1, minimum=1)
        per_page = min(_int_param(query, "per_page", MAX_PER_PAGE, minimum=1), MAX_PER_PAGE)
        filter_by = query.get("filter_by") or DEFAULT_FILTER
        if filter_by not in FILTERS:
            raise ApiError(400, 2, "Invalid value passed for filter_by")
        sort_column = query.get("sort_column") or "contact_name"
        if sort_column not in SORT_KEYS:
            raise ApiError(400, 2, "Invalid value passed for sort_column")
        sort_order = query.get("sort_order") or "A"
        if sort_order not in ("A", "D"):
            raise ApiError(400, 2, "Invalid value passed for sort_order")
        modified_since = None
        if self.store.config.honour_last_modified_filter and query.get("last_modified_time"):
            try:
                modified_since = parse_time(query["last_modified_time"])
            except ValueError:
                raise ApiError(400, 2, "Invalid value passed for last_modified_time") from None
        try:
            search = build_search(query)
        except ValueError as error:
            raise ApiError(400, 2, f"Invalid value passed for {error}") from None
        listing = {
            "search": search,
            "filter_by": filter_by,
            "sort_column": sort_column,
            "descending": sort_order == "D",
            "modified_since": modified_since,
            "per_page": per_page,
        }
        rows, has_more = self.store.list_rows(org_id, page=page, **listing)
        if request.repeat_previous_row and page > 1:
            previous, _ = self.store.list_rows(org_id, page=page - 1, **listing)
            rows = previous[-1:] + rows
        page_context = {
            "page": page,
            "per_page": per_page,
            "has_more_page": has_more,
            "report_name": "Contacts",
            "applied_filter": filter_by,
            "custom_fields": [],
            "sort_column": sort_column,
            "sort_order": sort_order,
        }
        return Response(200, success(contacts=rows, page_context=page_context))

    def get_contact(self, request: Request, org_id: str) -> Response:
        contact_id = request.path.rstrip("/").rsplit("/", 1)[-1]
        detail = self.store.detail(org_id, contact_id)
        if detail is None:
            raise ApiError(404, 1002, "Contact does not exist")
        return Response(200, success(contact=detail))

    def list_contact_persons(self, request: Request, org_id: str) -> Response:
        parts = [p for p in request.path.split("/") if p]
        contact_id = parts[-2] if parts[-2] != "contacts" else request.query.get("contact_id")
        page = _int_param(request.query, "page", 1, minimum=1)
        per_page = min(_int_param(request.query, "per_page", MAX_PER_PAGE, minimum=1), MAX_PER_PAGE)
        persons = self.store.contact_persons(org_id, contact_id)
        if persons is None:
            raise ApiError(404, 1002, "Contact does not exist")
        start = (page - 1) * per_page
        page_context = {
            "page": page,
            "per_page": per_page,
            "has_more_page": start + per_page < len(persons),
            "report_name": "Contact Persons",
            "sort_column": "contact_person_id",
            "sort_order": "A",
        }
        chunk = persons[start : start + per_page]
        return Response(200, success(contact_persons=chunk, page_context=page_context))


def _int_param(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, 2, f"Invalid value passed for {name}") from None
    if value < minimum:
        raise ApiError(400, 2, f"Invalid value passed for {name}")
    return value
