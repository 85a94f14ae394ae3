"""Secrets never reach stdout (records, STATE), stderr (logs, METRIC lines, errors) or state.

Several real runs, good and bad, at INFO and at DEBUG, with faults on the way; then every byte
they printed is searched for the client secret, every refresh token and every access token the
sandbox issued.
"""

from __future__ import annotations

import pytest

from sandbox.server import SandboxHandle
from tests.faults.conftest import (
    CLIENT_SECRET,
    ORGS,
    REFRESH_TOKEN,
    RunTap,
    TapRun,
    tap_config,
    when_served,
)

pytestmark = pytest.mark.e2e


def inject_a_bit_of_everything(sandbox: SandboxHandle) -> None:
    sandbox.inject_faults("/contacts", 401, code=57, after=1)
    sandbox.inject_faults("/contacts", 429, code=44, after=2)
    sandbox.inject_faults("/contacts", 503, after=3)
    sandbox.inject_faults("/contacts", "drop", after=4)
    sandbox.inject_faults("/contacts", "truncate", after=5)
    sandbox.inject_faults("/oauth/v2/token", 502)


def leaks(runs: list[TapRun], secrets: list[str]) -> list[tuple[int, str]]:
    return [
        (number, secret)
        for number, run in enumerate(runs)
        for secret in secrets
        if secret in run.stdout or secret in run.stderr
    ]


def test_no_run_prints_a_secret(sandbox: SandboxHandle, run_tap: RunTap) -> None:
    sandbox.set_config(access_token_ttl=1, latency_seconds=0.01)  # several tokens per run
    config = tap_config(sandbox, fetch_contact_details=True, organization_ids=[ORGS[1]])
    runs: list[TapRun] = []

    inject_a_bit_of_everything(sandbox)
    runs.append(run_tap(config, env={"LOGLEVEL": "DEBUG"}))
    assert runs[-1].returncode == 0, runs[-1].stderr[-3000:]
    assert "DEBUG" in runs[-1].stderr

    inject_a_bit_of_everything(sandbox)
    runs.append(run_tap(config, runs[-1].state))
    assert runs[-1].returncode == 0, runs[-1].stderr[-3000:]

    # A failing run: the refresh token is revoked mid-run.
    sandbox.touch_contacts(ORGS[1], n=40)
    watcher = when_served(sandbox, "contact", 5, sandbox.revoke_refresh_token)
    runs.append(run_tap(config, runs[0].state, env={"LOGLEVEL": "DEBUG"}))
    watcher.join(5)
    assert runs[-1].returncode != 0
    assert runs[-1].clear_lines()

    # A wrong client secret fails too, and must not echo the wrong one either.
    wrong = "cs-FAULTS-wrong-secret-0c41"
    renewed = sandbox.issue_refresh_token()
    runs.append(run_tap({**config, "refresh_token": renewed, "client_secret": wrong}))
    assert runs[-1].returncode != 0
    assert "`client_secret`" in runs[-1].clear_lines()[0]

    issued = sandbox.issued_access_tokens()
    assert len(issued) >= 4
    secrets = [CLIENT_SECRET, REFRESH_TOKEN, renewed, wrong, *issued]
    assert leaks(runs, secrets) == []
    # Not even a recognisable piece of one (a truncated or re-encoded token).
    fragments = ["cs-FAULTS", "rt-FAULTS", *(token.split(".")[1] for token in [renewed, *issued])]
    assert leaks(runs, fragments) == []
