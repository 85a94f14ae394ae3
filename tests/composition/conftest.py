"""The tap composed with Singer tools it did not write: SDK stream maps, third-party targets.

The tap runs as its own executable against the local sandbox (``run_tap_cli``); a target gets the
tap's exact stdout on its stdin, as ``tap | target`` would give it, and runs as its own
executable from its own virtualenv (``tests/singer_tools.py``).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.server import SandboxHandle, running_sandbox
from tests.e2e.conftest import TapRun, run_tap_cli  # noqa: F401  (a fixture, shared)

RunTarget = Callable[[Path, dict, TapRun], subprocess.CompletedProcess]


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    with running_sandbox(contacts_per_org=30, rate_limit_per_minute=None) as handle:
        yield handle


@pytest.fixture
def run_target(tmp_path: Path) -> RunTarget:
    """Feed a tap run's Singer messages to a target executable with ``config``."""
    counter = iter(range(1000))

    def run(executable: Path, config: dict, tap_run: TapRun) -> subprocess.CompletedProcess:
        config_file = tmp_path / f"target-config-{next(counter)}.json"
        config_file.write_text(json.dumps(config))
        singer = "".join(json.dumps(message) + "\n" for message in tap_run.messages)
        return subprocess.run(
            [str(executable), "--config", str(config_file)],
            input=singer,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


def deletion_between_two_runs(
    sandbox: SandboxHandle, run_tap: Callable[..., TapRun], config: dict, n: int = 2
) -> tuple[TapRun, TapRun, list[str]]:
    """A first run, ``n`` contacts of one organization deleted, a second run from its state."""
    first = run_tap(config)
    assert first.returncode == 0, first.stderr
    org = first.records()[0]["organization_id"]
    deleted = sandbox.delete_contacts(org, n=n)
    second = run_tap(config, state=first.state)
    assert second.returncode == 0, second.stderr
    return first, second, deleted


def tombstones(run: TapRun) -> list[dict]:
    return [r for r in run.records() if r.get("_sdc_deleted_at")]


def schema_of(run: TapRun, stream: str = "contacts") -> dict:
    return next(
        m["schema"] for m in run.messages if m["type"] == "SCHEMA" and m["stream"] == stream
    )
