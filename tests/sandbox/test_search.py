"""Text search parameters of GET /contacts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from sandbox.data import DUPLICATE_EMAIL
from sandbox.server import SandboxHandle
from tests.sandbox.helpers import INDIA

Lister = Callable[..., list[dict[str, Any]]]


def test_email_exact_match_ignores_case(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    rows = list_all(api, filter_by="Status.All", email=DUPLICATE_EMAIL.upper())
    assert [row["email"] for row in rows] == [DUPLICATE_EMAIL, DUPLICATE_EMAIL]


def test_startswith_and_contains(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    everyone = sandbox.contacts(INDIA)
    prefix = everyone[0]["contact_name"][:3]
    rows = list_all(api, filter_by="Status.All", contact_name_startswith=prefix.lower())
    expected = {
        r["contact_id"]
        for r in everyone
        if r["contact_name"].casefold().startswith(prefix.casefold())
    }
    assert {row["contact_id"] for row in rows} == expected
    contains = list_all(api, filter_by="Status.All", search_text="traders")
    assert contains
    assert all("traders" in row["contact_name"].casefold() for row in contains)


def test_search_combines_with_the_modified_filter(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    touched = sandbox.touch_contacts(INDIA, n=1, email="findme@example.com")
    latest = sandbox.contacts(INDIA)[-1]["last_modified_time"]
    rows = list_all(
        api,
        filter_by="Status.All",
        sort_column="last_modified_time",
        last_modified_time=latest,
        email_contains="findme",
    )
    assert [row["contact_id"] for row in rows] == touched


def test_overlong_search_value_is_code_2(api: requests.Session, sandbox: SandboxHandle) -> None:
    response = api.get(f"{sandbox.api_url}/contacts", params={"email": "x" * 101}, timeout=10)
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Invalid value passed for email"}


def test_address_search_looks_at_every_address_field(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    rows = list_all(api, filter_by="Status.All", address_contains="india")
    details = {
        row["contact_id"]: api.get(
            f"{sandbox.api_url}/contacts/{row['contact_id']}", timeout=10
        ).json()["contact"]["billing_address"]
        for row in sandbox.contacts(INDIA)
    }
    expected = {
        contact_id
        for contact_id, address in details.items()
        if any("india" in str(value).casefold() for value in address.values())
    }
    assert expected
    assert {row["contact_id"] for row in rows} == expected
    by_city = list_all(api, filter_by="Status.All", address="CHENNAI")
    assert by_city
    assert all(details[row["contact_id"]]["city"] == "Chennai" for row in by_city)
    starts = list_all(api, filter_by="Status.All", address_startswith="ind")
    assert {row["contact_id"] for row in starts} == {
        cid for cid, a in details.items() if a["country"].casefold().startswith("ind")
    }
