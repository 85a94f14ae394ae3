"""Fault modes for mid-run failures: `after`, "truncate", "repeat", and the issued-token log."""

from __future__ import annotations

import pytest
import requests

from sandbox.server import SandboxHandle
from sandbox.testing import RemoteSandbox
from tests.sandbox.helpers import api_session, grant


def page(api: requests.Session, sandbox: SandboxHandle, number: int) -> requests.Response:
    params = {"page": number, "per_page": 10, "filter_by": "Status.All"}
    return api.get(f"{sandbox.api_url}/contacts", params=params, timeout=10)


def test_after_lets_matching_requests_pass_first(
    api: requests.Session, sandbox: SandboxHandle
) -> None:
    sandbox.inject_faults("/contacts", 503, count=1, after=2)
    statuses = [page(api, sandbox, n).status_code for n in (1, 2, 3, 4)]
    assert statuses == [200, 200, 503, 200]


def test_truncate_sends_half_a_body_then_hangs_up(
    api: requests.Session, sandbox: SandboxHandle
) -> None:
    sandbox.inject_faults("/contacts", "truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        page(api, sandbox, 1)
    assert page(api, sandbox, 1).status_code == 200


def test_repeat_starts_a_page_with_the_previous_pages_last_row(
    api: requests.Session, sandbox: SandboxHandle
) -> None:
    first = [r["contact_id"] for r in page(api, sandbox, 1).json()["contacts"]]
    normal_second = [r["contact_id"] for r in page(api, sandbox, 2).json()["contacts"]]
    sandbox.inject_faults("/contacts", "repeat")
    assert [r["contact_id"] for r in page(api, sandbox, 1).json()["contacts"]] == first
    repeated = [r["contact_id"] for r in page(api, sandbox, 2).json()["contacts"]]
    assert repeated == [first[-1], *normal_second]
    assert [r["contact_id"] for r in page(api, sandbox, 2).json()["contacts"]] == normal_second


def test_issued_access_tokens_lists_expired_ones_too(sandbox: SandboxHandle) -> None:
    tokens = [grant(sandbox)["access_token"], grant(sandbox)["access_token"]]
    sandbox.expire_access_tokens()
    assert sandbox.issued_access_tokens() == tokens


def test_new_controls_work_over_http(sandbox: SandboxHandle) -> None:
    remote = RemoteSandbox(sandbox.base_url)
    token = grant(sandbox)["access_token"]
    assert remote.issued_access_tokens() == [token]
    remote.inject_faults("/contacts", 500, after=1)
    api = api_session(sandbox)
    assert [page(api, sandbox, n).status_code for n in (1, 2)] == [200, 500]


def test_bad_after_is_rejected(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError, match="after"):
        sandbox.inject_faults("/contacts", 500, after=-1)
