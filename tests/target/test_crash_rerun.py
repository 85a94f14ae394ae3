"""Safety with real processes: SIGKILL mid-run then re-run, SIGTERM, two targets at once."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import (
    TARGET_EXE,
    _config_file,
    lead,
    run_executable,
    singer_lines,
    store_snapshot,
    tombstone,
)

pytestmark = pytest.mark.e2e

N = 100_000  # large enough that a fast target is still running after the extra wait


def _input() -> str:
    records = []
    for i in range(N):
        if i % 50 == 7:
            records.append(tombstone(str(i - 5)))
        elif i % 25 == 3:
            records.append(lead(str(i), f"person{i - 3}@example.com"))  # a file duplicate
        else:
            records.append(lead(str(i), f"Person{i}@Example.com"))
    return singer_lines(records, state={"bookmarks": {"contacts": N}})


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("input") / "leads.singer"
    path.write_text(_input())
    return path


@pytest.fixture(scope="module")
def clean_snapshot(big_input: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    url = f"sqlite:///{tmp_path_factory.mktemp('clean') / 'store.db'}"
    result = run_executable(url, big_input.read_text(), batch_size_rows=1000)
    assert result.returncode == 0, result.stderr
    return store_snapshot(url)


def _start(url: str, input_path: Path) -> subprocess.Popen[str]:
    config = _config_file(url, {"batch_size_rows": 1000})
    with input_path.open() as stdin:
        return subprocess.Popen(
            [TARGET_EXE, "--config", config],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def _wait_for_batches(proc: subprocess.Popen[str], db: Path, batches: int = 5) -> None:
    """Wait until the run has processed some batches (its METRIC lines say so), uncommitted.

    The target's log, not the store's files, tells the progress: with a page cache big enough,
    SQLite keeps a run's pages in memory until the commit, so the files do not grow before it.
    """
    assert proc.stderr is not None
    seen = 0
    deadline = time.monotonic() + 60
    while seen < batches:
        line = proc.stderr.readline()
        assert line, "the target ended before it could be killed"
        assert time.monotonic() < deadline, "the target processed no batch within 60 s"
        seen += '"metric":"batch_processing_time"' in line
    assert proc.poll() is None, "the target ended before it could be killed"
    assert not db.exists() or store_snapshot(f"sqlite:///{db}")["outcomes"] == []


@pytest.mark.parametrize("extra_wait", [0.0, 0.5])
def test_sigkill_mid_run_then_rerun_equals_one_clean_run(
    big_input: Path, clean_snapshot: dict, tmp_path: Path, extra_wait: float
) -> None:
    db = tmp_path / "store.db"
    url = f"sqlite:///{db}"
    proc = _start(url, big_input)
    _wait_for_batches(proc, db)
    time.sleep(extra_wait)
    assert proc.poll() is None, "the run finished before the kill"
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert out == ""  # no STATE for the killed run
    assert store_snapshot(url)["outcomes"] == []

    rerun = run_executable(url, big_input.read_text(), batch_size_rows=1000)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout) == {"bookmarks": {"contacts": N}}
    assert store_snapshot(url) == clean_snapshot


def test_sigterm_rolls_the_run_back(big_input: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    url = f"sqlite:///{db}"
    proc = _start(url, big_input)
    _wait_for_batches(proc, db)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert out == ""
    assert "the run was rolled back" in err
    assert store_snapshot(url)["outcomes"] == []


def test_two_targets_writing_one_store_at_once_both_succeed(store_url: str, tmp_path: Path) -> None:
    shared = [lead(f"s{i}", f"shared{i}@example.com") for i in range(300)]
    first = tmp_path / "a.singer"
    second = tmp_path / "b.singer"
    first.write_text(
        singer_lines(shared + [lead(f"a{i}", f"a{i}@example.com") for i in range(300)])
    )
    second.write_text(
        singer_lines(
            [lead(f"b{i}", f"b{i}@example.com", sync_name="weekly") for i in range(300)]
            + [{**r, "sync_name": "weekly"} for r in shared]
        )
    )
    procs = [_start(store_url, first), _start(store_url, second)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in results]
    snapshot = store_snapshot(store_url)
    assert len(snapshot["leads"]) == 900
    assert len(snapshot["members"]) == 900
    for _sync, _status, total, new, re_added, duplicate, ignored, deleted in snapshot["runs"]:
        assert total == 600 == new + re_added + duplicate + ignored + deleted
    assert sum(run[3] for run in snapshot["runs"]) >= 900  # every lead was new to one of them
