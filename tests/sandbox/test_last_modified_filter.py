"""The `last_modified_time` query parameter: honoured as >= or ignored, switchable at runtime."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests

from sandbox.server import SandboxHandle
from tests.sandbox.helpers import INDIA

Lister = Callable[..., list[dict[str, Any]]]
FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def parse(text: str) -> datetime:
    return datetime.strptime(text, FORMAT)


def shared_second(sandbox: SandboxHandle) -> str:
    """A last_modified_time that several contacts share (the seeded data has such ties)."""
    counts = Counter(row["last_modified_time"] for row in sandbox.contacts(INDIA))
    value, count = counts.most_common(1)[0]
    assert count >= 2
    return value


def test_honoured_filter_is_inclusive_and_exact(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    boundary = shared_second(sandbox)
    rows = list_all(
        api, filter_by="Status.All", sort_column="last_modified_time", last_modified_time=boundary
    )
    expected = [
        row["contact_id"]
        for row in sandbox.contacts(INDIA)
        if parse(row["last_modified_time"]) >= parse(boundary)
    ]
    assert [row["contact_id"] for row in rows] == expected
    assert sum(row["last_modified_time"] == boundary for row in rows) >= 2


def test_filter_compares_instants_not_strings(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    boundary = parse(shared_second(sandbox)).astimezone(parse("2020-01-01T00:00:00-0800").tzinfo)
    rows = list_all(
        api,
        filter_by="Status.All",
        sort_column="last_modified_time",
        last_modified_time=boundary.strftime(FORMAT),
    )
    assert rows
    assert all(parse(row["last_modified_time"]) >= boundary for row in rows)


def test_filter_with_another_sort_column_still_filters(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    boundary = shared_second(sandbox)
    rows = list_all(api, filter_by="Status.All", last_modified_time=boundary)
    assert {row["contact_id"] for row in rows} == {
        row["contact_id"]
        for row in sandbox.contacts(INDIA)
        if parse(row["last_modified_time"]) >= parse(boundary)
    }


def test_ignored_filter_returns_everything(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    sandbox.set_config(honour_last_modified_filter=False)
    rows = list_all(api, filter_by="Status.All", last_modified_time="2100-01-01T00:00:00+0000")
    assert len(rows) == len(sandbox.contacts(INDIA))


def test_touched_contacts_appear_after_a_bookmark(
    api: requests.Session, sandbox: SandboxHandle, list_all: Lister
) -> None:
    bookmark = sandbox.contacts(INDIA)[-1]["last_modified_time"]
    touched = sandbox.touch_contacts(INDIA, n=3)
    rows = list_all(
        api, filter_by="Status.All", sort_column="last_modified_time", last_modified_time=bookmark
    )
    assert set(touched) <= {row["contact_id"] for row in rows}
    assert [row["contact_id"] for row in rows][-3:] == sorted(touched)


def test_malformed_value_is_code_2(api: requests.Session, sandbox: SandboxHandle) -> None:
    response = api.get(
        f"{sandbox.api_url}/contacts", params={"last_modified_time": "2026-01-01"}, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["code"] == 2
