"""Run the real `tap-zoho-invoice` executable against an in-process sandbox that misbehaves.

Every test checks one of two outcomes: the run completes with every contact exactly once, or it
stops with one clear line and a bookmark from which the next run catches up, nothing lost and
nothing doubled except the boundary second (contacts modified in the same second as the
bookmark are read again, by design: the next run asks for `last_modified_time >=` bookmark).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import SandboxHandle, running_sandbox
from tests.e2e.conftest import executable

ORGS = ("60012345678", "60023456789", "60034567890")
#: A few hundred contacts over the three organizations: 5, 4 and 5 pages of 25.
CONTACTS = dict(zip(ORGS, (110, 95, 120), strict=True))
PAGE_SIZE = 25
CLIENT_SECRET = "cs-FAULTS-client-secret-7f3a9c"
REFRESH_TOKEN = "1000.rt-FAULTS-refresh-token-51be0d"
FAST_WAITS = Path(__file__).parent / "fast_waits"
CLEAR_LINE_PREFIX = "tap-zoho-invoice:"

Key = tuple[str, str]


@dataclass
class TapRun:
    """What one run of the executable printed."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def state(self) -> dict[str, Any]:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}

    def records(self, stream: str = "contacts") -> list[dict[str, Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    def keys(self) -> Counter[Key]:
        return Counter((r["organization_id"], r["contact_id"]) for r in self.records())

    def bookmarks(self) -> dict[str, str]:
        partitions = self.state.get("bookmarks", {}).get("contacts", {}).get("partitions", [])
        return {
            p["context"]["organization_id"]: p["replication_key_value"]
            for p in partitions
            if p.get("replication_key_value")
        }

    def clear_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith(CLEAR_LINE_PREFIX)]


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    with running_sandbox(
        contacts=CONTACTS,
        rate_limit_per_minute=None,
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
    ) as handle:
        yield handle


def tap_config(sandbox: SandboxHandle, **overrides: Any) -> dict[str, Any]:
    return sandbox.tap_config(**{"page_size": PAGE_SIZE, "max_requests_per_minute": 0, **overrides})


RunTap = Callable[..., TapRun]


@pytest.fixture
def run_tap(tmp_path: Path) -> RunTap:
    """Run `tap-zoho-invoice --config C [--state S]` with the fast-wait shim on PYTHONPATH."""
    counter = iter(range(1000))

    def run(
        config: dict[str, Any],
        state: dict[str, Any] | None = None,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> TapRun:
        n = next(counter)
        config_file = tmp_path / f"config-{n}.json"
        config_file.write_text(json.dumps(config))
        command = [executable("tap-zoho-invoice"), "--config", str(config_file)]
        if state:
            state_file = tmp_path / f"state-{n}.json"
            state_file.write_text(json.dumps(state))
            command += ["--state", str(state_file)]
        python_path = os.pathsep.join(filter(None, [str(FAST_WAITS), os.environ.get("PYTHONPATH")]))
        full_env = {**os.environ, "PYTHONPATH": python_path, **(env or {})}
        started = time.monotonic()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=full_env, check=False
        )
        return TapRun(done.returncode, done.stdout, done.stderr, time.monotonic() - started)

    return run


def every_contact(sandbox: SandboxHandle) -> Counter[Key]:
    return Counter((org, cid) for org in ORGS for cid in sandbox.contact_ids(org))


def assert_every_contact_once(run: TapRun, sandbox: SandboxHandle) -> None:
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert run.keys() == every_contact(sandbox)
    assert set(run.keys().values()) == {1}


def assert_stopped_with_one_clear_line(run: TapRun, *phrases: str) -> None:
    assert run.returncode != 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = run.clear_lines()
    assert len(lines) == 1, run.stderr[-3000:]
    for phrase in phrases:
        assert phrase in lines[0]


def assert_caught_up(first: TapRun, second: TapRun, sandbox: SandboxHandle) -> None:
    """Both runs together gave every contact; only the boundary second of a stop came twice."""
    assert second.returncode == 0, second.stderr[-3000:]
    assert set(first.keys().values()) <= {1}
    assert set(second.keys().values()) <= {1}
    assert set(first.keys()) | set(second.keys()) == set(every_contact(sandbox))
    bookmarks = first.bookmarks()
    modified = {
        (r["organization_id"], r["contact_id"]): r["last_modified_time"] for r in first.records()
    }
    twice = set(first.keys()) & set(second.keys())
    assert all(modified[key] == bookmarks.get(key[0]) for key in twice), twice
    # The boundary is one second of one organization: a handful of contacts at most.
    assert len(twice) <= 2 * len(ORGS)


def when_served(
    sandbox: SandboxHandle, endpoint: str, count: int, action: Callable[[], object]
) -> threading.Thread:
    """Start a thread that runs `action` once the sandbox answered `count` `endpoint` calls."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sandbox.stats()["requests_by_endpoint"].get(endpoint, 0) >= count:
                action()
                return
            time.sleep(0.002)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread
