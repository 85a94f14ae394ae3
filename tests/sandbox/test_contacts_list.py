"""GET /contacts: paging, filter_by, sorting, page_context and the shape of list rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from sandbox.server import SandboxHandle, running_sandbox
from tests.sandbox.helpers import INDIA, api_session

Lister = Callable[..., list[dict[str, Any]]]


def get(session: requests.Session, handle: SandboxHandle, **params: Any) -> dict[str, Any]:
    response = session.get(f"{handle.api_url}/contacts", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_pages_are_one_based_and_end_with_has_more_false(
    api: requests.Session, sandbox: SandboxHandle
) -> None:
    customers = [c for c in sandbox.contacts(INDIA) if c["contact_type"] == "customer"]
    first = get(api, sandbox, per_page=25, page=1)
    assert first["page_context"]["page"] == 1
    assert first["page_context"]["per_page"] == 25
    assert first["page_context"]["has_more_page"] is True
    assert len(first["contacts"]) == 25
    last_page = -(-len(customers) // 25)
    last = get(api, sandbox, per_page=25, page=last_page)
    assert last["page_context"]["has_more_page"] is False
    assert len(last["contacts"]) == len(customers) - 25 * (last_page - 1)
    beyond = get(api, sandbox, per_page=25, page=last_page + 1)
    assert beyond["contacts"] == []
    assert beyond["page_context"]["has_more_page"] is False


def test_paging_visits_every_row_once(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    rows = list_all(api, per_page=7, filter_by="Status.All", sort_column="last_modified_time")
    ids = [row["contact_id"] for row in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(sandbox.contact_ids(INDIA))


def test_per_page_defaults_to_and_is_capped_at_200() -> None:
    with running_sandbox(contacts_per_org=450) as handle:
        session = api_session(handle)
        assert get(session, handle)["page_context"]["per_page"] == 200
        body = get(session, handle, per_page=500)
        assert body["page_context"]["per_page"] == 200
        assert len(body["contacts"]) == 200


def test_default_filter_hides_vendors_and_is_echoed(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    rows = list_all(api)
    everyone = sandbox.contacts(INDIA)
    assert get(api, sandbox)["page_context"]["applied_filter"] == "Status.Customers"
    assert {row["contact_type"] for row in rows} == {"customer"}
    vendors = [c for c in everyone if c["contact_type"] == "vendor"]
    assert vendors, "the seeded data should contain vendors"
    assert len(rows) == len(everyone) - len(vendors)


def test_status_all_shows_vendors_and_inactive(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    rows = list_all(api, filter_by="Status.All")
    assert len(rows) == len(sandbox.contacts(INDIA))
    assert {row["contact_type"] for row in rows} == {"customer", "vendor"}
    assert {row["status"] for row in rows} == {"active", "inactive"}
    assert get(api, sandbox, filter_by="Status.All")["page_context"]["applied_filter"] == (
        "Status.All"
    )


def test_status_inactive_shows_only_inactive(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    rows = list_all(api, filter_by="Status.Inactive")
    assert rows
    assert {row["status"] for row in rows} == {"inactive"}


def test_invalid_filter_is_code_2(api: requests.Session, sandbox: SandboxHandle) -> None:
    response = api.get(f"{sandbox.api_url}/contacts", params={"filter_by": "Nope"}, timeout=10)
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Invalid value passed for filter_by"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort_column": "colour"}, "Invalid value passed for sort_column"),
        ({"sort_order": "X"}, "Invalid value passed for sort_order"),
        ({"page": "0"}, "Invalid value passed for page"),
        ({"per_page": "many"}, "Invalid value passed for per_page"),
    ],
)
def test_invalid_parameters_are_code_2(
    api: requests.Session, sandbox: SandboxHandle, params: dict[str, str], message: str
) -> None:
    response = api.get(f"{sandbox.api_url}/contacts", params=params, timeout=10)
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": message}


def test_default_sort_is_contact_name_ascending(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    context = get(api, sandbox)["page_context"]
    assert (context["sort_column"], context["sort_order"]) == ("contact_name", "A")
    names = [row["contact_name"].casefold() for row in list_all(api)]
    assert names == sorted(names)


def test_sort_by_last_modified_time_both_ways(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    ascending = list_all(api, filter_by="Status.All", sort_column="last_modified_time", per_page=9)
    descending = list_all(
        api, filter_by="Status.All", sort_column="last_modified_time", sort_order="D", per_page=9
    )
    assert [r["contact_id"] for r in descending] == [r["contact_id"] for r in ascending][::-1]
    assert [r["contact_id"] for r in ascending] == sandbox.contact_ids(INDIA)


def test_page_context_has_every_live_key(api: requests.Session, sandbox: SandboxHandle) -> None:
    context = get(api, sandbox, sort_column="last_modified_time", sort_order="A")["page_context"]
    assert context == {
        "page": 1,
        "per_page": 200,
        "has_more_page": False,
        "report_name": "Contacts",
        "applied_filter": "Status.Customers",
        "custom_fields": [],
        "sort_column": "last_modified_time",
        "sort_order": "A",
    }


def test_rows_look_like_live_zoho(api: requests.Session, sandbox: SandboxHandle) -> None:
    body = get(api, sandbox, filter_by="Status.All")
    assert (body["code"], body["message"]) == (0, "success")
    for row in body["contacts"]:
        assert isinstance(row["contact_id"], str)
        assert row["contact_id"].isdigit()
        assert "billing_address" not in row
        assert "shipping_address" not in row
        assert "contact_persons" not in row
        assert isinstance(row["outstanding_receivable_amount"], int | float)
        assert None not in row.values()
        for key in ("cf_lead_source", "cf_industry"):
            assert isinstance(row[key], str)
            assert row[f"{key}_unformatted"] == row[key]
        for field in row["custom_fields"]:
            assert {"index", "label", "api_name", "value"} <= set(field)
            assert row[field["api_name"]] == field["value"]
            assert row["custom_field_hash"][field["api_name"]] == field["value"]
    assert any(row["website"] == "" for row in body["contacts"])
