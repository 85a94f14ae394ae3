"""Fixtures shared by several test folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def meltano_env(sys_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an offline `meltano` run whose plugins live under ``sys_dir``."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "MELTANO_SYS_DIR_ROOT": str(sys_dir),
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_CLI_DISABLE_VERSION_CHECK": "true",
        "MELTANO_ENVIRONMENT": "dev",
        **(extra or {}),
    }


@pytest.fixture(scope="session")
def meltano_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `meltano install` per test session: building the plugin venvs is the slow part."""
    sys_dir = tmp_path_factory.mktemp("meltano-sys")
    done = subprocess.run(
        [str(BIN / "meltano"), "install"],
        cwd=ROOT,
        env=meltano_env(sys_dir),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return sys_dir
