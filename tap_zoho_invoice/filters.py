"""``contact_filters``: Zoho's list-search parameters, sent with every incremental list request.

Zoho's list rows lack addresses, so criteria such as "Country is India" cost one detail request
per changed contact. Letting Zoho narrow the list first (``address_contains: India``) means
details are fetched only for candidates; the mapper still applies the exact criteria, because
Zoho's search is looser (``address_contains`` looks at every address field, billing and
shipping). The deletion scan never uses these filters: a contact that merely left the filter
has not been deleted.

The keys are Zoho's documented List Contacts parameters (reference §3.1); anything else is a
typo or a parameter the tap sets itself (paging, sorting, ``last_modified_time``), and stops the
tap at start with one line listing the valid keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

SEARCH_FIELDS = (
    "contact_name",
    "company_name",
    "first_name",
    "last_name",
    "address",
    "email",
    "phone",
)
VARIANTS = ("", "_startswith", "_contains")
#: Zoho's ``filter_by`` values for Invoice contacts.
FILTER_BY_VALUES = (
    "Status.All",
    "Status.Active",
    "Status.Inactive",
    "Status.Duplicate",
    "Status.Crm",
)
VALID_KEYS = (
    *(f"{field}{variant}" for field in SEARCH_FIELDS for variant in VARIANTS),
    "search_text",
    "filter_by",
    "zcrm_contact_id",
    "zcrm_account_id",
)
#: Zoho's documented maximum length of a search value.
MAX_LENGTH = 100
#: What the tap asks for without a ``filter_by`` of the user's: Invoice's default hides vendors.
DEFAULT_FILTER_BY = "Status.All"


def problem(filters: object) -> str | None:
    """Why ``contact_filters`` cannot be sent to Zoho, as one line; None when it can."""
    if filters is None:
        return None
    if not isinstance(filters, Mapping):
        return "`contact_filters` must be an object of Zoho list-search parameters."
    unknown = sorted(key for key in filters if key not in VALID_KEYS)
    if unknown:
        return (
            f"`contact_filters` has unknown key(s) {', '.join(unknown)}; valid keys (Zoho's "
            f"list-search parameters): {', '.join(sorted(VALID_KEYS))}."
        )
    for key, value in filters.items():
        if not isinstance(value, str):
            return f'`contact_filters.{key}` must be text ("" leaves the parameter out).'
        if len(value) > MAX_LENGTH:
            return f"`contact_filters.{key}` is longer than Zoho's {MAX_LENGTH} characters."
    filter_by = filters.get("filter_by")
    if filter_by is not None and filter_by not in FILTER_BY_VALUES:
        return (
            f"`contact_filters.filter_by` must be one of {', '.join(FILTER_BY_VALUES)}, "
            f"not {filter_by!r}."
        )
    return None


def active(filters: Mapping[str, str] | None) -> dict[str, str]:
    """The filters that are set: an empty value leaves its parameter out.

    That is how an inherited Meltano extractor clears a filter of its parent, because Meltano
    merges object settings key by key (``{}`` or ``null`` would inherit the parent's filters).
    """
    return {key: value for key, value in (filters or {}).items() if value.strip()}


def list_params(filters: Mapping[str, str] | None) -> dict[str, str]:
    """The query parameters the filters add to an incremental list request."""
    return {"filter_by": DEFAULT_FILTER_BY, **active(filters)}


def fingerprint(filters: Mapping[str, str] | None) -> str:
    """A stable text for the filters (kept in the state, to notice when they change)."""
    return json.dumps(active(filters), sort_keys=True, separators=(",", ":"))


def widened(previous: str | None, current: str) -> bool:
    """Whether contacts the previous filters left out may pass the current ones.

    Then the bookmark (earned under the previous filters) skips contacts the sync never saw,
    and the organization must be read again. Unfiltered runs saw everything, so going from
    no filters to some only narrows; an unknown previous value is a run before filters existed.
    """
    return previous not in (None, fingerprint(None), current)
