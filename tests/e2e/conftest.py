"""Run the real executables as a user would: subprocesses, config files, Singer on stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class TapRun:
    returncode: int
    messages: list[dict]
    stderr: str
    state: dict = field(default_factory=dict)

    def records(self, stream: str = "contacts") -> list[dict]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]


def executable(name: str) -> str:
    """The console script installed beside this interpreter (the project's virtualenv)."""
    beside = Path(sys.executable).parent / name
    path = str(beside) if beside.exists() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make install` (pip install -e '.[dev]')")
    return path


@pytest.fixture
def run_tap_cli(tmp_path: Path):
    """Run `tap-zoho-invoice --config C [--state S]` and parse what it prints."""
    counter = iter(range(1000))

    def run(
        config: dict,
        state: dict | None = None,
        timeout: float = 300,
        env: dict[str, str] | None = None,
    ) -> TapRun:
        n = next(counter)
        config_file = tmp_path / f"config-{n}.json"
        config_file.write_text(json.dumps(config))
        command = [executable("tap-zoho-invoice"), "--config", str(config_file)]
        if state:
            state_file = tmp_path / f"state-{n}.json"
            state_file.write_text(json.dumps(state))
            command += ["--state", str(state_file)]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **env} if env else None,
        )
        messages = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        states = [m["value"] for m in messages if m["type"] == "STATE"]
        return TapRun(done.returncode, messages, done.stderr, states[-1] if states else {})

    return run
