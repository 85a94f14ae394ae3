"""Run the real executables as a user would: subprocesses, config files, Singer on stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.server import running_sandbox
from tests.conftest import BIN, ROOT, meltano_env


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


JOB = "india-customers-newsletter"


class Project:
    def __init__(self, sys_dir: Path, sandbox, tmp: Path) -> None:
        self.sys_dir = sys_dir
        self.sandbox = sandbox
        self.db_url = f"sqlite:///{tmp / 'leads.db'}"
        # A system database (where Meltano keeps state) per test; the plugin venvs are shared.
        self.meltano_db = f"sqlite:///{tmp / 'meltano.db'}"
        self.refresh_token = sandbox.refresh_token

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return meltano_env(self.sys_dir, {"MELTANO_DATABASE_URI": self.meltano_db, **(extra or {})})

    def run(
        self, job: str = JOB, settings: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        """``meltano run JOB``; ``settings``: more plugin settings as environment variables."""
        extra = {
            "TAP_ZOHO_INVOICE_API_URL": self.sandbox.api_url,
            "TAP_ZOHO_INVOICE_ACCOUNTS_URL": self.sandbox.accounts_url,
            "TAP_ZOHO_INVOICE_REFRESH_TOKEN": self.refresh_token,
            "TARGET_MARKETING_LEADS_DATABASE_URL": self.db_url,
            **(settings or {}),
        }
        return subprocess.run(
            [str(BIN / "meltano"), "run", job],
            cwd=ROOT,
            env=self.env(extra),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def cli(self, *argv: str) -> dict:
        """``marketing-leads ARGV --json`` on the project's store."""
        done = subprocess.run(
            [str(BIN / "marketing-leads"), "--database-url", self.db_url, *argv, "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        return t.cast("dict", json.loads(done.stdout))

    def history(self) -> list[dict]:
        return t.cast("list[dict]", self.cli("history")["runs"])


@pytest.fixture
def project(meltano_dir: Path, tmp_path: Path):
    with running_sandbox(contacts_per_org=40, rate_limit_per_minute=None) as sandbox:
        yield Project(meltano_dir, sandbox, tmp_path)


def india_customers(sandbox, org: str) -> list[str]:
    """Ids of the organization's contacts that the example sync's criteria select."""
    chosen = []
    for contact_id in sandbox.contact_ids(org):
        detail = sandbox.store.detail(org, contact_id)
        country = (detail.get("billing_address") or {}).get("country", "")
        if country.strip().lower() == "india" and detail.get("contact_type") == "customer":
            chosen.append(contact_id)
    return chosen
