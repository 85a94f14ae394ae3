"""The text search parameters of GET /contacts (reference §3.1).

`contact_name`, `company_name`, `first_name`, `last_name`, `email` and `phone` match exactly, or
with the `_startswith` / `_contains` variants; `search_text` looks inside the contact name.
Matching ignores case, as Zoho's search does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sandbox.data import Contact

SEARCHABLE = ("contact_name", "company_name", "first_name", "last_name", "email", "phone")
MAX_LENGTH = 100

Predicate = Callable[[Contact], bool]
_TESTS: dict[str, Callable[[str, str], bool]] = {
    "": lambda value, wanted: value == wanted,
    "_startswith": lambda value, wanted: value.startswith(wanted),
    "_contains": lambda value, wanted: wanted in value,
}


def build_search(query: Mapping[str, str]) -> Predicate | None:
    """A predicate for the search parameters present in `query`, or None when there are none.

    Raises ValueError naming the first parameter longer than Zoho's 100 characters.
    """
    checks: list[Predicate] = []
    for field in SEARCHABLE:
        for suffix, test in _TESTS.items():
            wanted = query.get(f"{field}{suffix}")
            if wanted:
                checks.append(_check(field, suffix, wanted, test))
    if query.get("search_text"):
        checks.append(
            _check("contact_name", "_contains", query["search_text"], _TESTS["_contains"])
        )
    if not checks:
        return None
    return lambda contact: all(check(contact) for check in checks)


def _check(field: str, suffix: str, wanted: str, test: Callable[[str, str], bool]) -> Predicate:
    if len(wanted) > MAX_LENGTH:
        raise ValueError(f"{field}{suffix}")
    folded = wanted.casefold()
    return lambda contact: test(str(getattr(contact, field)).casefold(), folded)
