"""Two `meltano run` of the same job at once: Meltano's guard, then the store's.

Meltano refuses a second run of a job whose state ID has a running job in its system database
("Another '<state id>' pipeline is already running"); `--force` skips that check. The store's
own guard (`target_marketing_leads.run_guard`) still stops a forced second run at its first
record: exactly one run applies either way.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from sandbox.server import SandboxHandle
from tests.conftest import BIN, ROOT, meltano_env

from .conftest import run_history

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.meltano]

JOB = "india-customers-newsletter"
SYNC = "india-customers-newsletter"


def _start(
    meltano_dir: Path, sandbox: SandboxHandle, tmp_path: Path, *flags: str
) -> subprocess.Popen[str]:
    env = meltano_env(
        meltano_dir,
        {
            "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'meltano.db'}",
            "TAP_ZOHO_INVOICE_API_URL": sandbox.api_url,
            "TAP_ZOHO_INVOICE_ACCOUNTS_URL": sandbox.accounts_url,
            "TAP_ZOHO_INVOICE_REFRESH_TOKEN": sandbox.refresh_token,
            "TAP_ZOHO_INVOICE_MAX_REQUESTS_PER_MINUTE": "0",
            "TARGET_MARKETING_LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'leads.db'}",
        },
    )
    return subprocess.Popen(
        [str(BIN / "meltano"), "run", JOB, *flags],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize("force", [False, True])
def test_second_meltano_run_of_a_running_job_does_not_apply(
    meltano_dir: Path, sandbox: SandboxHandle, tmp_path: Path, force: bool
) -> None:
    sandbox.reset_counters()
    first = _start(meltano_dir, sandbox, tmp_path)
    # Start the second run once the first one's tap is reading Zoho: Meltano writes each run's
    # tap config and state to the same files under .meltano/run/, so a second run started while
    # the first tap still reads its own files (a slow machine, a fixed sleep) would break the
    # first run, not the guard under test.
    deadline = time.monotonic() + 120
    while sandbox.stats()["requests_total"] == 0 and first.poll() is None:
        assert time.monotonic() < deadline, "the first run's tap never called the sandbox"
        time.sleep(0.2)
    assert first.poll() is None, "the first run ended too soon to overlap"
    second = _start(meltano_dir, sandbox, tmp_path, *(["--force"] if force else []))
    out_second, _ = second.communicate(timeout=300)
    out_first, _ = first.communicate(timeout=300)

    assert first.returncode == 0, out_first[-3000:]
    assert second.returncode != 0, out_second[-3000:]
    if force:
        assert f"sync '{SYNC}' is already being loaded by another run" in out_second
    else:
        assert "pipeline is already running" in out_second
    # The target's own lines carry no traceback (Meltano may log its own BrokenPipeError when
    # it still writes to a target that stopped; that one is Meltano's, not the target's).
    target_lines = [line for line in out_second.splitlines() if "target-marketing-leads" in line]
    assert not any("Traceback" in line for line in target_lines), out_second[-3000:]
    db = f"sqlite:///{tmp_path / 'leads.db'}"
    assert [(s, st) for s, _li, st, _n in run_history(db)] == [(SYNC, "completed")]
