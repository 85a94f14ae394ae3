"""In-memory state of the sandbox and the control operations that change it.

Contacts of each organization are kept in one list sorted by (last_modified_time, contact_id), so
a `last_modified_time >= X` page is a bisect plus a slice, never a scan. Other sort orders and
`filter_by` views are built once and cached until the organization's contacts change.
"""

from __future__ import annotations

import bisect
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.data import COUNTRIES, ORGANIZATIONS, Contact, Organization, generate_contacts
from sandbox.limits import Fault, FaultInjector, RateLimiter
from sandbox.render import contact_detail, contact_row
from sandbox.render import contact_persons as render_persons
from sandbox.tokens import TokenBook

# filter_by values (Invoice echoes "Status.Customers" when none is sent: vendors are hidden).
FILTERS: dict[str, Callable[[Contact], bool]] = {
    "Status.All": lambda c: True,
    "Status.Customers": lambda c: c.contact_type == "customer",
    "Status.Active": lambda c: c.contact_type == "customer" and c.status == "active",
    "Status.Inactive": lambda c: c.contact_type == "customer" and c.status == "inactive",
    "Status.Duplicate": lambda c: False,
    "Status.Crm": lambda c: False,
}
DEFAULT_FILTER = "Status.Customers"
SORT_KEYS: dict[str, Callable[[Contact], Any]] = {
    "contact_name": lambda c: c.contact_name.casefold(),
    "first_name": lambda c: c.first_name.casefold(),
    "last_name": lambda c: c.last_name.casefold(),
    "email": lambda c: c.email.casefold(),
    "outstanding_receivable_amount": lambda c: c.outstanding_receivable_amount,
    "created_time": lambda c: c.created_ts,
    "last_modified_time": lambda c: c.modified_ts,
}
# Fields a test may set through add_contact / touch_contacts.
EDITABLE = frozenset(Contact.__dataclass_fields__) - {"contact_id", "organization_id"}


@dataclass
class Page:
    """One page of a contacts listing."""

    contacts: list[Contact]
    has_more: bool


class OrgContacts:
    """The contacts of one organization, ordered by (last_modified_time, contact_id)."""

    def __init__(self, org: Organization, contacts: list[Contact]) -> None:
        self.org = org
        self._rows = sorted(contacts, key=lambda c: c.sort_key)
        self._keys = [c.sort_key for c in self._rows]
        self._by_id = {c.contact_id: c for c in self._rows}
        self._next_seq = len(contacts) + 1
        self._views: dict[tuple[str, str], tuple[list[Contact], list[int]]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, contact_id: str) -> Contact | None:
        return self._by_id.get(contact_id)

    def all(self) -> list[Contact]:
        return list(self._rows)

    def newest_ts(self) -> int:
        return self._keys[-1][0] if self._keys else 0

    def next_id(self) -> str:
        contact_id = f"{self.org.contact_id_prefix}{self._next_seq:08d}"
        self._next_seq += 1
        return contact_id

    def insert(self, contact: Contact) -> None:
        index = bisect.bisect_left(self._keys, contact.sort_key)
        self._rows.insert(index, contact)
        self._keys.insert(index, contact.sort_key)
        self._by_id[contact.contact_id] = contact
        self._views.clear()

    def remove(self, contact: Contact) -> None:
        index = bisect.bisect_left(self._keys, contact.sort_key)
        del self._rows[index]
        del self._keys[index]
        del self._by_id[contact.contact_id]
        self._views.clear()

    def _view(self, filter_by: str, sort_column: str) -> tuple[list[Contact], list[int]]:
        """Contacts passing `filter_by`, ascending by `sort_column`, with their modified times."""
        key = (filter_by, sort_column)
        if key not in self._views:
            keep = FILTERS[filter_by]
            rows = [c for c in self._rows if keep(c)]
            if sort_column != "last_modified_time":
                rows.sort(key=lambda c: (SORT_KEYS[sort_column](c), c.contact_id))
            self._views[key] = (rows, [c.modified_ts for c in rows])
        return self._views[key]

    def page(
        self,
        *,
        filter_by: str,
        sort_column: str,
        descending: bool,
        modified_since: int | None,
        page: int,
        per_page: int,
        search: Callable[[Contact], bool] | None = None,
    ) -> Page:
        """One page; with `modified_since`, only contacts modified at or after it.

        Sorted by `last_modified_time` without a text search, this is a bisect and a slice;
        anything else scans the cached view once.
        """
        rows, modified = self._view(filter_by, sort_column)
        if search is None and modified_since is None:
            selected, lo, hi = rows, 0, len(rows)
        elif search is None and sort_column == "last_modified_time":
            selected, lo, hi = rows, bisect.bisect_left(modified, modified_since or 0), len(rows)
        else:
            since = modified_since or 0
            selected = [c for c in rows if c.modified_ts >= since and (search is None or search(c))]
            lo, hi = 0, len(selected)
        start = (page - 1) * per_page
        end = min(start + per_page, hi - lo)
        if start >= hi - lo:
            return Page([], False)
        if descending:  # the last `end` items, newest first
            return Page(selected[hi - end : hi - start][::-1], end < hi - lo)
        return Page(selected[lo + start : lo + end], end < hi - lo)


class SandboxStore:
    """All sandbox state plus the control operations (each returns JSON-ready data)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._lock = threading.RLock()
        self._rng = random.Random(f"{config.seed}:control")
        self.organizations: dict[str, Organization] = {o.organization_id: o for o in ORGANIZATIONS}
        _check_per_org_settings(config, self.organizations)
        anchor = config.anchor()
        self._contacts: dict[str, OrgContacts] = {}
        for org_id, org in self.organizations.items():
            count = config.contact_count(org_id)
            if count < 0:
                raise ValueError(f"contact count for {org_id} must be >= 0, got {count}")
            weights = config.country_weights.get(org_id)
            self._contacts[org_id] = OrgContacts(
                org, generate_contacts(org, count, config.seed, anchor, weights)
            )
        self.tokens = TokenBook(config.refresh_token)
        self.limiter = RateLimiter()
        self.faults = FaultInjector()
        self._requests: Counter[tuple[str, str]] = Counter()
        self._statuses: Counter[str] = Counter()
        self._throttled: Counter[str] = Counter()

    # -- reads used by the HTTP handlers -------------------------------------------------------

    def org_contacts(self, org_id: str) -> OrgContacts | None:
        return self._contacts.get(org_id)

    def list_rows(self, org_id: str, **query: Any) -> tuple[list[dict[str, Any]], bool]:
        """One rendered page of `GET /contacts` (rendered under the lock: records are mutable)."""
        with self._lock:
            contacts = self._contacts[org_id]
            page = contacts.page(**query)
            return [contact_row(c, contacts.org) for c in page.contacts], page.has_more

    def detail(self, org_id: str, contact_id: str) -> dict[str, Any] | None:
        """The rendered `GET /contacts/{id}` record, or None if there is no such contact."""
        with self._lock:
            contacts = self._contacts[org_id]
            contact = contacts.get(contact_id)
            return None if contact is None else contact_detail(contact, contacts.org)

    def contact_persons(self, org_id: str, contact_id: str | None) -> list[dict[str, Any]] | None:
        """Contact persons of one contact (None if unknown) or, without an id, of all contacts."""
        with self._lock:
            contacts = self._contacts[org_id]
            if contact_id is None:
                chosen = sorted(contacts.all(), key=lambda c: c.contact_id)
            else:
                contact = contacts.get(contact_id)
                if contact is None:
                    return None
                chosen = [contact]
            return [
                {"contact_id": c.contact_id, "contact_name": c.contact_name, **person}
                for c in chosen
                for person in render_persons(c)
            ]

    def record(
        self, endpoint: str, org_id: str | None, status: int, throttle_code: int | None
    ) -> None:
        """Count one answered API request for `stats()`."""
        with self._lock:
            self._requests[(endpoint, org_id or "")] += 1
            self._statuses[str(status)] += 1
            if throttle_code is not None:
                self._throttled[str(throttle_code)] += 1

    # -- control operations (also served under /_sandbox/) -------------------------------------

    def _org(self, org_id: str) -> OrgContacts:
        contacts = self._contacts.get(str(org_id))
        if contacts is None:
            raise KeyError(f"unknown organization id {org_id!r}")
        return contacts

    def _pick(
        self, contacts: OrgContacts, ids: Iterable[str] | None, n: int | None
    ) -> list[Contact]:
        if ids is not None:
            picked = []
            for contact_id in ids:
                contact = contacts.get(str(contact_id))
                if contact is None:
                    raise KeyError(f"unknown contact id {contact_id!r}")
                picked.append(contact)
            return picked
        everyone = contacts.all()
        count = 1 if n is None else int(n)
        if not 0 <= count <= len(everyone):
            raise ValueError(f"n must be between 0 and {len(everyone)}, got {count}")
        return self._rng.sample(everyone, count)

    @staticmethod
    def _check_fields(fields: dict[str, Any]) -> None:
        unknown = sorted(set(fields) - EDITABLE)
        if unknown:
            raise ValueError(f"unknown contact field(s): {', '.join(unknown)}")

    def touch_contacts(
        self, org_id: str, n: int | None = None, ids: list[str] | None = None, **fields: Any
    ) -> list[str]:
        """Modify contacts now (optionally changing `fields`); returns their ids.

        Each call's timestamp is strictly later than every earlier one in the organization.
        """
        self._check_fields(fields)
        with self._lock:
            contacts = self._org(org_id)
            picked = self._pick(contacts, ids, n)
            now = max(int(time.time()), contacts.newest_ts() + 1)
            for contact in picked:
                contacts.remove(contact)
                for name, value in fields.items():
                    setattr(contact, name, value)
                contact.modified_ts = now
                contacts.insert(contact)
            return [c.contact_id for c in picked]

    def add_contact(self, org_id: str, **fields: Any) -> str:
        """Create a contact (created and modified now unless given); returns its id."""
        self._check_fields(fields)
        with self._lock:
            contacts = self._org(org_id)
            now = max(int(time.time()), contacts.newest_ts() + 1)
            first, last = fields.get("first_name", "New"), fields.get("last_name", "Contact")
            values: dict[str, Any] = {
                "contact_name": f"{first} {last}",
                "company_name": "",
                "first_name": first,
                "last_name": last,
                "email": "",
                "phone": "",
                "mobile": "",
                "website": "",
                "contact_type": "customer",
                "status": "active",
                "customer_sub_type": "individual",
                "payment_terms": 0,
                "payment_terms_label": "Due on Receipt",
                "outstanding_receivable_amount": 0,
                "unused_credits_receivable_amount": 0,
                "country": contacts.org.country_name,
                "country_code": contacts.org.country_code,
                "city": "",
                "state": "",
                "zip": "",
                "street": "",
                "lead_source": "",
                "industry": "",
                "extra_persons": 0,
                "created_ts": now,
                "modified_ts": now,
            }
            values.update(fields)
            contact = Contact(contact_id=contacts.next_id(), organization_id=org_id, **values)
            contacts.insert(contact)
            return contact.contact_id

    def delete_contacts(
        self, org_id: str, ids: list[str] | None = None, n: int | None = None
    ) -> list[str]:
        """Hard-delete contacts (Zoho keeps no trace); returns their ids."""
        with self._lock:
            contacts = self._org(org_id)
            picked = self._pick(contacts, ids, n)
            for contact in picked:
                contacts.remove(contact)
            return [c.contact_id for c in picked]

    def contacts(self, org_id: str) -> list[dict[str, Any]]:
        """Every contact of an organization (vendors and inactive too) as list rows."""
        with self._lock:
            contacts = self._org(org_id)
            return [contact_row(c, contacts.org) for c in contacts.all()]

    def contact_ids(self, org_id: str) -> list[str]:
        """Ids of every contact of an organization, in `last_modified_time` order."""
        with self._lock:
            return [c.contact_id for c in self._org(org_id).all()]

    def issue_refresh_token(self, scopes: list[str] | None = None) -> str:
        """A new refresh token; pass `scopes` (e.g. only settings) to test a missing scope."""
        return self.tokens.issue_refresh_token(scopes)

    def revoke_refresh_token(self, token: str) -> bool:
        """Revoke a refresh token ("key regenerated"): the next grant answers invalid_code."""
        return self.tokens.revoke_refresh_token(token)

    def issued_access_tokens(self) -> list[str]:
        """Every access token granted so far, expired or not."""
        return self.tokens.issued_tokens()

    def expire_access_tokens(self) -> int:
        """Expire all access tokens: the next API call answers 401 code 57."""
        return self.tokens.expire_access_tokens()

    def set_config(self, **changes: Any) -> dict[str, object]:
        """Change runtime settings (rate limits, filter honouring, ...); returns them all."""
        with self._lock:
            self.config.update(**changes)
            return self.config.public()

    def new_day(self) -> int:
        """Start a simulated new day: every organization's daily quota is whole again.

        Returns how many days have been simulated (statistics and per-minute windows stay).
        """
        return self.limiter.new_day()

    def spend_quota(self, org_id: str, count: int) -> dict[str, str]:
        """Spend `count` of today's quota as the organization's other integrations would.

        Returns the `x-rate-limit-*` headers the organization's next response would carry.
        """
        self._org(org_id)
        return self.limiter.spend(str(org_id), int(count), self.config)

    def inject_faults(
        self,
        path_substring: str,
        status: int | str,
        count: int = 1,
        code: int | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        after: int = 0,
    ) -> int:
        """Make `count` requests whose path contains `path_substring` fail, after `after` pass.

        `status` is an HTTP status (answered with a Zoho envelope carrying `code`), "drop"
        (the connection closes without a response), "truncate" (half the body, then the
        connection closes) or "repeat" (a contacts page after the first starts with the previous
        page's last row). Returns the number of pending faulty responses.
        """
        fault = Fault(
            path_substring, status, int(count), code, message, dict(headers or {}), int(after)
        )
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        self.faults.clear()

    def stats(self) -> dict[str, Any]:
        """Request counts per endpoint and organization, 429s, tokens issued, faults applied."""
        with self._lock:
            by_endpoint: Counter[str] = Counter()
            by_org: Counter[str] = Counter()
            by_endpoint_org: dict[str, dict[str, int]] = {}
            for (endpoint, org_id), count in self._requests.items():
                by_endpoint[endpoint] += count
                if org_id:
                    by_org[org_id] += count
                    by_endpoint_org.setdefault(endpoint, {})[org_id] = count
            return {
                "requests_total": sum(by_endpoint.values()),
                "requests_by_endpoint": dict(by_endpoint),
                "requests_by_org": dict(by_org),
                "requests_by_endpoint_and_org": by_endpoint_org,
                "responses_by_status": dict(self._statuses),
                "responses_429": sum(self._throttled.values()),
                "responses_429_by_code": dict(self._throttled),
                "tokens_issued": self.tokens.issued,
                "faults_injected": self.faults.injected,
                "contacts_by_org": {o: len(c) for o, c in self._contacts.items()},
            }

    def reset_counters(self) -> None:
        """Zero request statistics and rate-limit counters (tokens and data stay)."""
        with self._lock:
            self._requests.clear()
            self._statuses.clear()
            self._throttled.clear()
            self.tokens.issued = 0
            self.faults.injected = 0
        self.limiter.reset()


def _check_per_org_settings(config: SandboxConfig, organizations: dict[str, Organization]) -> None:
    """Per-organization settings must name known organizations and sensible country mixes."""
    for setting in ("contacts", "country_weights"):
        unknown = sorted(set(getattr(config, setting)) - set(organizations))
        if unknown:
            raise ValueError(
                f"unknown organization id(s) in {setting}: {', '.join(unknown)} "
                f"(known: {', '.join(organizations)})"
            )
    for mix in config.country_weights.values():
        if set(mix) - set(COUNTRIES) or min(mix.values(), default=-1) < 0 or not any(mix.values()):
            raise ValueError(
                "country weights must be non-negative, not all zero, with codes among "
                f"{', '.join(COUNTRIES)}; got {mix!r}"
            )


# The operations reachable over HTTP under /_sandbox/<name> and through the client classes.
CONTROL_OPERATIONS = frozenset(
    {
        "touch_contacts",
        "add_contact",
        "delete_contacts",
        "contacts",
        "contact_ids",
        "issue_refresh_token",
        "revoke_refresh_token",
        "expire_access_tokens",
        "issued_access_tokens",
        "set_config",
        "new_day",
        "spend_quota",
        "inject_faults",
        "clear_faults",
        "stats",
        "reset_counters",
    }
)
