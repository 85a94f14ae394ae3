"""Two pipelines into one store at the same time.

- The same sync twice (a schedule firing while a manual run of the job still goes): exactly
  one applies. The other's target finds the sync claimed (`target_marketing_leads.run_guard`)
  at its first record and stops with one clear line, exit 1, nothing applied, no STATE; its
  tap and mapper are then stopped as Meltano stops them. It does not wait and re-apply.
- Two different syncs: both succeed and both histories exist (on SQLite their transactions
  take turns on the store's write lock).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.server import SandboxHandle

from .conftest import LIST, SYNC, CleanRun, Pipeline, run_history, store_content

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


def test_same_sync_twice_at_once_exactly_one_applies(
    sandbox: SandboxHandle, clean_run: CleanRun, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    pipelines = [Pipeline(sandbox, tmp_path / name, url) for name in ("first", "second")]
    running = [p.start() for p in pipelines]
    runs = [r.wait() for r in running]

    winners = [r for r in runs if r.ok]
    losers = [r for r in runs if not r.ok]
    assert len(winners) == 1 and len(losers) == 1, [r.describe() for r in runs]
    loser = losers[0]
    assert loser.returncodes["target"] == 1, loser.describe()
    assert loser.states == []
    errors = [line for line in loser.stderr["target"].splitlines() if "| ERROR" in line]
    assert len(errors) == 1, loser.stderr["target"][-3000:]
    assert f"sync '{SYNC}' is already being loaded by another run" in errors[0]
    assert "Traceback" not in loser.stderr["target"]

    assert [(s, li, st) for s, li, st, _ in run_history(url)] == [(SYNC, LIST, "completed")]
    assert store_content(url) == clean_run.content


def test_two_different_syncs_at_once_both_succeed(
    sandbox: SandboxHandle, clean_run: CleanRun, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    newsletter = Pipeline(sandbox, tmp_path / "newsletter", url)
    everyone = Pipeline(
        sandbox, tmp_path / "everyone", url, sync_name="all-contacts", mailing_list="everyone",
        criteria=None,
    )  # fmt: skip
    running = [p.start() for p in (newsletter, everyone)]
    runs = [r.wait() for r in running]
    assert all(r.ok for r in runs), [r.describe() for r in runs]
    assert all(r.states for r in runs)

    history = run_history(url)
    assert sorted((s, li, st) for s, li, st, _ in history) == [
        ("all-contacts", "everyone", "completed"),
        (SYNC, LIST, "completed"),
    ]
    content = store_content(url)
    members = {name: [m for m in content["members"] if m[0] == name] for name in (LIST, "everyone")}
    assert members[LIST] == clean_run.content["members"]
    assert len(members["everyone"]) > len(members[LIST])  # vendors too
