"""Third-party Singer tools the tests compose with, each in a virtualenv of its own.

A tool is installed on first use into ``.cache/singer-tools/<name>/`` (git-ignored; kept for
later runs) with pip from PyPI, exactly as a user would install it, and run as its own
executable. Nothing of it is imported: its dependencies (another singer-sdk, singer-python,
another SQLAlchemy) stay in its virtualenv. ``bench/peer.py`` installs its peers here too.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "singer-tools"

TARGET_JSONL = ("target-jsonl", "target-jsonl==0.1.4", "target-jsonl")
TARGET_CSV = ("target-csv", "meltanolabs-target-csv==0.5.0", "target-csv")
TARGET_POSTGRES = ("target-postgres", "meltanolabs-target-postgres==0.8.1", "target-postgres")
TAP_POSTGRES = ("tap-postgres", "meltanolabs-tap-postgres==0.10.0", "tap-postgres")
PIPELINEWISE_TAP_POSTGRES = (
    "pipelinewise-tap-postgres",
    "pipelinewise-tap-postgres==1.8.4",
    "tap-postgres",
)
"""(virtualenv name, pip requirement, executable) of each tool the tests use."""


def installed(name: str, requirement: str, executable: str) -> Path:
    """The tool's executable, installed into its own virtualenv if it is not there yet.

    A file lock makes two test processes wait for one install instead of racing it.
    """
    venv = CACHE / name
    exe = venv / "bin" / executable
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not exe.exists():
            print(f"installing {requirement} into {venv} ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            pip = [str(venv / "bin" / "pip"), "install", "--quiet", requirement]
            subprocess.run(pip, check=True, timeout=900)
    return exe
