"""Guards of the CLI at scale that time nothing: memory stays flat, pages come from an index.

Both build their stores with ``bench/bench_cli.py`` (bulk inserts, the bench's story at a small
N), and measure the real executable the way the bench does (peak RSS from ``wait4``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

from lead_store import admin
from tests.target.conftest import CLI_EXE

BENCH = Path(__file__).parents[2] / "bench" / "bench_cli.py"
SMALL, LARGE = 500, 20_000
"""Leads of the two stores compared (the old CLI took 340 MiB for 19,600 members)."""
GROWTH_KIB = 12 * 1024
"""Peak RSS the large store may add: far below what holding its rows would take."""


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_cli", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _streamed_commands(last_run: int) -> dict[str, list[str]]:
    return {
        "members --json": ["members", "Newsletter", "--json"],
        "members --csv": ["members", "Newsletter", "--csv"],
        "outcomes --json": ["outcomes", str(last_run), "--json"],
    }


def test_streamed_output_keeps_memory_flat(store_url: str, tmp_path: Path) -> None:
    bench = load_bench()
    peaks: dict[int, dict[str, int]] = {}
    for n in (SMALL, LARGE):
        bench.build_store(store_url, n)
        peaks[n] = {}
        for label, args in _streamed_commands(11).items():
            output = tmp_path / "out.txt"
            got = bench.measure([CLI_EXE, "--database-url", store_url, *args], output)
            assert got.exit == 0, label
            lines = output.read_text(encoding="utf-8").count("\n")
            assert lines > (n // 2 if "outcomes" in label else n * 0.9), (label, lines)
            peaks[n][label] = got.max_rss_kib
    for label in peaks[SMALL]:
        growth = peaks[LARGE][label] - peaks[SMALL][label]
        assert growth < GROWTH_KIB, (label, peaks)


def _plan(conn: sa.Connection, query: sa.Select) -> str:  # type: ignore[type-arg]
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        return "\n".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))


def test_outcome_pages_are_read_in_order_from_the_index(store_url: str) -> None:
    load_bench().build_store(store_url, LARGE)  # run 11 has 10,000 outcomes; ANALYZEd on PG
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as conn:
            for after in (None, 9_000):
                plan = _plan(conn, admin.outcomes_query(11, after=after, limit=100))
                assert "ix_lead_outcomes_run_position" in plan, plan
                assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    finally:
        engine.dispose()


def test_a_reader_that_leaves_early_ends_the_stream_quietly(sqlite_url: str) -> None:
    load_bench().build_store(sqlite_url, 5_000)  # ~600 kB of CSV: more than a pipe holds
    proc = subprocess.Popen(
        [CLI_EXE, "--database-url", sqlite_url, "members", "Newsletter", "--csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"email,status,")
    proc.stdout.close()  # as `| head -1` does
    assert proc.wait(timeout=60) == 1
    assert proc.stderr.read() == b""
