"""requests-mock fixtures that speak Zoho: a token endpoint and paged contact lists."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
import requests_mock as rm

from tap_zoho_invoice.client import ZohoInvoiceStream
from tap_zoho_invoice.tap import TapZohoInvoice

API = "https://zoho.test/invoice/v3"
ACCOUNTS = "https://accounts.zoho.test"
TOKEN_URL = f"{ACCOUNTS}/oauth/v2/token"
CONFIG = {
    "client_id": "cid",
    "client_secret": "csecret-do-not-log",
    "refresh_token": "1000.refresh-do-not-log",
    "api_url": API,
    "accounts_url": ACCOUNTS,
    "organization_ids": ["111"],
    "max_requests_per_minute": 0,
}


def contact(contact_id: str, modified: str, **fields: object) -> dict:
    return {
        "contact_id": contact_id,
        "contact_name": f"Contact {contact_id}",
        "email": f"c{contact_id}@example.com",
        "first_name": "F",
        "last_name": "L",
        "created_time": "2025-01-01T09:00:00+0530",
        "last_modified_time": modified,
        **fields,
    }


def pages(rows: list[dict], per_page: int) -> list[dict]:
    """Zoho list responses for ``rows`` cut into pages of ``per_page``."""
    count = max(1, math.ceil(len(rows) / per_page))
    return [
        {
            "json": {
                "code": 0,
                "message": "success",
                "contacts": rows[i * per_page : (i + 1) * per_page],
                "page_context": {
                    "page": i + 1,
                    "per_page": per_page,
                    "has_more_page": i < count - 1,
                },
            }
        }
        for i in range(count)
    ]


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ZohoInvoiceStream, "retry_base_seconds", 0.0)


@pytest.fixture
def zoho(requests_mock: rm.Mocker) -> rm.Mocker:
    requests_mock.post(
        TOKEN_URL, json={"access_token": "1000.access", "expires_in": 3600, "token_type": "Bearer"}
    )
    requests_mock.get(
        f"{API}/organizations",
        json={
            "code": 0,
            "organizations": [
                {"organization_id": "111", "name": "Zylker", "time_zone": "Asia/Kolkata"},
                {"organization_id": "222", "name": "Zylker Inc", "time_zone": "America/New_York"},
            ],
        },
    )
    return requests_mock


def serve_contacts(zoho: rm.Mocker, rows: list[dict], per_page: int = 200) -> None:
    """Serve ``rows`` by page number, as Zoho does, whatever else the query says."""
    responses = pages(rows, per_page)

    def callback(request, context):
        page = int(request.qs.get("page", ["1"])[0])
        if page > len(responses):  # past the end Zoho answers an empty page
            return {"code": 0, "contacts": [], "page_context": {"page": page}}
        return responses[page - 1]["json"]

    zoho.get(f"{API}/contacts", json=callback)


RunTap = Callable[..., tuple[list[dict], dict]]


@pytest.fixture
def run_tap() -> RunTap:
    """Run the tap in-process; return its Singer messages and the last STATE value."""

    def run(
        config: dict | None = None, state: dict | None = None, without: tuple[str, ...] = ()
    ) -> tuple[list[dict], dict]:
        from singer_sdk.testing import tap_sync_test

        catalog = TapZohoInvoice(config={"client_id": "x"}, validate_config=False).catalog_dict
        merged = {k: v for k, v in {**CONFIG, **(config or {})}.items() if k not in without}
        tap = TapZohoInvoice(config=merged, state=state or {}, catalog=catalog)
        stdout, _ = tap_sync_test(tap)
        messages = [json.loads(line) for line in stdout.read().splitlines() if line]
        states = [m["value"] for m in messages if m["type"] == "STATE"]
        return messages, (states[-1] if states else {})

    return run


def records(messages: list[dict], stream: str = "contacts") -> list[dict]:
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]
