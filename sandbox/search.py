"""The text search parameters of GET /contacts (reference §3.1).

`contact_name`, `company_name`, `first_name`, `last_name`, `email`, `phone` and `address` match
exactly, or with the `_startswith` / `_contains` variants; `address` looks at every address
field (street, city, state, zip, country: the sandbox's billing and shipping addresses are the
same), as Zoho's "any of the address fields" does; `search_text` looks inside the contact name.
Matching ignores case, as Zoho's search does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sandbox.data import Contact

#: Each search parameter and the contact values it looks at.
FIELDS: dict[str, Callable[[Contact], tuple[str, ...]]] = {
    "contact_name": lambda c: (c.contact_name,),
    "company_name": lambda c: (c.company_name,),
    "first_name": lambda c: (c.first_name,),
    "last_name": lambda c: (c.last_name,),
    "email": lambda c: (c.email,),
    "phone": lambda c: (c.phone,),
    "address": lambda c: (c.street, c.city, c.state, c.zip, c.country),
}
SEARCHABLE = tuple(FIELDS)
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
    values = FIELDS[field]
    return lambda contact: any(test(str(value).casefold(), folded) for value in values(contact))
