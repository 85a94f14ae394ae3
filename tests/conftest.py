"""Fixtures shared by several test folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from lead_store import schema

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_URL_ENV = "MARKETING_LEADS_TEST_PG_URL"
CI_PG_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/marketing_leads_test"


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


def _pg_url() -> str:
    return os.environ.get(PG_URL_ENV) or CI_PG_URL


def _pg_unreachable_reason(url: str) -> str | None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {sa.make_url(url).render_as_string()}: {exc!r:.200}"
    finally:
        engine.dispose()


def _reset_pg(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            schema.metadata.drop_all(conn)
    finally:
        engine.dispose()


def empty_postgres_store() -> str:
    """The test PostgreSQL database, emptied; skipped with the reason when it does not answer.

    In CI (``CI=true``, where ``.ci/run`` starts the server) a server that does not answer
    fails the test instead: the PostgreSQL tests must run there, not pass by skipping.
    """
    url = _pg_url()
    reason = _pg_unreachable_reason(url)
    if reason and os.environ.get("CI") == "true":
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    _reset_pg(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store URL: a SQLite file, or the test PostgreSQL database (reset)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return empty_postgres_store()


@pytest.fixture
def postgres_url() -> str:
    """The test PostgreSQL database, empty (see :func:`empty_postgres_store`)."""
    return empty_postgres_store()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite store URL."""
    return f"sqlite:///{tmp_path / 'store.db'}"
