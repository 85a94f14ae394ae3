"""Third-party Singer targets the benchmarks compare with, each in a virtualenv of its own.

A peer is installed on first use by ``tests/singer_tools.py`` (the installer the composition
tests use) into ``.cache/singer-tools/<name>/`` (git-ignored; kept for the next run) with pip
from PyPI, exactly as a user would install it, and run as its own executable on the same Singer
lines the target reads. Nothing of it is imported here: its dependencies (another singer-sdk,
another SQLAlchemy) stay in its virtualenv.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import sqlalchemy as sa

from tests.singer_tools import TARGET_POSTGRES, installed

PEER_SCHEMA = "bench_peer"


def target_postgres(lines: Path, database_url: str) -> float:
    """Wall seconds of MeltanoLabs target-postgres (upsert) loading ``lines`` into a new schema."""
    exe = installed(*TARGET_POSTGRES)
    url = sa.make_url(database_url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PEER_SCHEMA} CASCADE")
    engine.dispose()
    config = lines.with_suffix(".peer.json")
    config.write_text(
        json.dumps(
            {
                "host": url.host,
                "port": url.port or 5432,
                "user": url.username,
                "password": url.password,
                "database": url.database,
                "default_target_schema": PEER_SCHEMA,
                "load_method": "upsert",
            }
        )
    )
    started = time.perf_counter()
    with lines.open("rb") as stdin:
        done = subprocess.run(
            [str(exe), "--config", str(config)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"target-postgres failed:\n{done.stderr.decode(errors='replace')[-3000:]}")
    return seconds


PEERS: dict[str, t.Callable[[Path, str], float]] = {"target-postgres": target_postgres}
"""Peers by the name ``--peer`` takes: each returns the wall seconds of one load."""
