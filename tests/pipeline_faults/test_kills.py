"""SIGKILL the tap, the mapper or the target of a large run, run again, compare with a clean run.

Each seed draws a kill point (after N lines or after a delay; see `KillPlan.draw`). The
killed run either commits nothing (the target died, or was stopped because the mapper died
under a running tap) or, when the tap died and the rest finished on their EOF as under
Meltano, commits what it received and emits the tap's last STATE. Either way the target emits
STATE exactly when it committed, and the rerun from the saved state ends in the same leads,
memberships and completed (sync, list) runs as one clean run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.server import SandboxHandle

from .conftest import VICTIMS, CleanRun, KillPlan, Pipeline, Victim, empty_content, store_content

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

SEEDS = (101, 202)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("victim", VICTIMS)
def test_sigkill_then_rerun_equals_one_clean_run(
    sandbox: SandboxHandle, clean_run: CleanRun, tmp_path: Path, victim: Victim, seed: int
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    pipeline = Pipeline(sandbox, tmp_path, url)
    plan = KillPlan.draw(victim, seed, clean_run.run)

    killed = pipeline.run(plan)
    assert killed.killed == victim, f"the run ended before the kill: {killed.describe()}"
    assert not killed.ok
    if killed.returncodes["target"] != 0:
        # The target died or was stopped: nothing of the run is in the store, no STATE.
        assert empty_content(url), killed.describe()
        assert killed.states == [], killed.describe()
    else:
        # Its input ended early (the tap died, the rest finished on EOF): it committed what it
        # received, then wrote the tap's last STATE, which is what the next run resumes from.
        assert not empty_content(url), killed.describe()
        assert killed.states, killed.describe()

    rerun = pipeline.run()
    assert rerun.ok, rerun.describe()
    assert rerun.states, "a clean rerun ends with STATE"
    assert store_content(url) == clean_run.content
