"""Fixtures: a fresh in-process sandbox per test and an authorised `requests` session for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from sandbox.server import SandboxHandle, running_sandbox
from tests.sandbox.helpers import api_session


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def api(sandbox: SandboxHandle) -> requests.Session:
    return api_session(sandbox)


@pytest.fixture
def list_all(sandbox: SandboxHandle) -> Callable[..., list[dict[str, Any]]]:
    """Page through GET /contacts to the end, returning every row."""

    def fetch(session: requests.Session, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            body = session.get(
                f"{sandbox.api_url}/contacts", params={**params, "page": page}, timeout=10
            ).json()
            rows += body["contacts"]
            if not body["page_context"]["has_more_page"]:
                return rows
            page += 1

    return fetch
