"""A store that cannot take the run: its disk fills up, or it is read-only.

Either way the target stops with exit code 1 and ONE clear error line (no traceback), writes no
STATE (so Meltano keeps the previous bookmark), and the store is exactly as before the run.
Once the cause is fixed, the next run loads everything.

How the faults are made, for real rather than mocked:

- disk full: the store lives on a tmpfs mounted with a small `size` (600 KB; a clean run needs
  about 1.5 MB plus its WAL), grown with `mount -o remount,size=...` afterwards;
- read-only folder: the same tmpfs remounted `ro` (EROFS for every write, root included);
- read-only file: `chattr +i` on the database file (immutable: root cannot write it either;
  plain `chmod 0444` would not stop root, which these tests run as in CI containers).

Mounting needs root (CAP_SYS_ADMIN) and `chattr` a file system that supports it: where that is
not available the test is skipped with the reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.server import SandboxHandle
from tests.target.conftest import lead, run_executable, singer_lines

from .conftest import LIST, CleanRun, Pipeline, mount_tmpfs, remount, store_content, unmount

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 KB tmpfs, unmounted afterwards."""
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "600k")
    try:
        yield disk
    finally:
        unmount(disk)


def _seeded_store(url: str) -> dict:
    """A store that already holds another sync's run; its content before the faulty run."""
    seed = [lead(str(i), f"earlier{i}@example.com", sync_name="earlier") for i in range(20)]
    done = run_executable(url, singer_lines(seed))
    assert done.returncode == 0, done.stderr
    return store_content(url)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "| ERROR" in line or "CRITICAL" in line]


def _assert_stopped_clearly(stderr: str, *phrases: str) -> str:
    errors = _error_lines(stderr)
    assert len(errors) == 1, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "Run stopped, nothing committed, no STATE written" in errors[0]
    assert any(phrase in errors[0] for phrase in phrases), errors[0]
    return errors[0]


def test_disk_full_stops_cleanly_and_the_next_run_loads_everything(
    sandbox: SandboxHandle, clean_run: CleanRun, small_disk: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{small_disk / 'store.db'}"
    before = _seeded_store(url)
    pipeline = Pipeline(sandbox, tmp_path / "work", url)

    failed = pipeline.run()
    assert failed.returncodes["target"] == 1, failed.describe()
    assert failed.states == []
    line = _assert_stopped_clearly(failed.stderr["target"], "out of space")
    print(line)
    assert store_content(url) == before

    remount(small_disk, "size=64m")
    rerun = pipeline.run()
    assert rerun.ok, rerun.describe()
    after = store_content(url)
    members = [m for m in after["members"] if m[0] == LIST]
    assert members == clean_run.content["members"]


def _chattr(path: Path, flag: str) -> None:
    subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True, check=True)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_read_only_store_stops_cleanly(sandbox: SandboxHandle, tmp_path: Path, what: str) -> None:
    disk = tmp_path / "disk"
    if what == "folder":
        mount_tmpfs(disk, "64m")
    else:
        disk.mkdir()
    db = disk / "store.db"
    url = f"sqlite:///{db}"
    try:
        before = _seeded_store(url)
        pipeline = Pipeline(sandbox, tmp_path / "work", url)
        if what == "folder":
            remount(disk, "ro")
        else:
            try:
                _chattr(db, "+i")
            except (OSError, subprocess.CalledProcessError) as exc:
                pytest.skip(f"chattr +i is not available here: {exc}")

        failed = pipeline.run()
        assert failed.returncodes["target"] == 1, failed.describe()
        assert failed.states == []
        line = _assert_stopped_clearly(failed.stderr["target"], "read-only", "cannot be written")
        print(line)
    finally:
        if what == "folder":
            remount(disk, "rw")
        else:
            subprocess.run(["chattr", "-i", str(db)], capture_output=True, check=False)
    try:
        assert store_content(url) == before
    finally:
        if what == "folder":
            unmount(disk)
