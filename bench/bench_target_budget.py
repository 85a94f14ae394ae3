"""Where a first load's time goes: the target's fixed costs beside the work of its rules.

``bench_target.py`` measures the target from outside; this splits one load of N synthetic leads
(the same lines) into what any SDK target pays and what this one adds, so a throughput goal can
be checked against what is left once the fixed costs are paid:

- start: the real executable on a SCHEMA line alone (interpreter, imports, config, store check);
- SDK reading: the target in process with every batch discarded (read, decode, the SDK's
  per-record handling; no rule runs);
- + record and email rules: each batch parsed and its emails normalised, nothing written;
- full load: the target in process, with the time spent inside SQL statements (cursor events),
  batch by batch (printed per tenth: a store whose statements cost more as it fills shows it
  here, apart from the machine's noise), and in the final commit;
- what remains for classification, planning and building the writes' rows.

Each in-process phase runs in a fresh interpreter (a child process), so one cannot warm the
next. Phases are replaced by patching :class:`~target_marketing_leads.session.RunSession` in
that child only; the target itself has no switch for this.

    .venv/bin/python bench/bench_target_budget.py [--size N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from bench_target import fresh_store, run_target, synthetic_lines, write_lines

PHASES = ("reading", "rules", "full")


def _discard(session: t.Any, records: t.Iterable[dict[str, t.Any]]) -> None:
    for _ in records:
        pass


def _rules_only(session: t.Any, records: t.Iterable[dict[str, t.Any]]) -> None:
    rules = session.rules
    with rules.batch_context():
        for record in records:
            lead = rules.parse_lead(record)
            rules.normaliser.normalise(lead.email if lead.problem is None else None)


def run_phase(phase: str, lines_path: Path, database_url: str) -> dict[str, t.Any]:
    """In this process: load ``lines_path`` with ``phase``'s part of the target; its seconds."""
    from target_marketing_leads import session
    from target_marketing_leads.target import TargetMarketingLeads

    if phase == "reading":
        session.RunSession.load = _discard  # type: ignore[method-assign]
    elif phase == "rules":
        session.RunSession.load = _rules_only  # type: ignore[method-assign]
    spent = {"sql": 0.0, "commit": 0.0}
    batch_sql: list[float] = []  # statement seconds of each batch (full load only)
    in_batch = False

    @sa.event.listens_for(sa.Engine, "before_cursor_execute")
    def _before(conn: sa.Connection, *_: t.Any) -> None:
        conn.info["statement_started"] = time.perf_counter()

    @sa.event.listens_for(sa.Engine, "after_cursor_execute")
    def _after(conn: sa.Connection, *_: t.Any) -> None:
        seconds = time.perf_counter() - conn.info["statement_started"]
        spent["sql"] += seconds
        if in_batch:
            batch_sql[-1] += seconds

    original_load = session.RunSession.load

    def counted_load(self: t.Any, records: t.Iterable[dict[str, t.Any]]) -> None:
        nonlocal in_batch
        batch_sql.append(0.0)
        in_batch = True
        try:
            original_load(self, records)
        finally:
            in_batch = False

    session.RunSession.load = counted_load  # type: ignore[method-assign]

    original_finish = session.RunSession._finish

    def timed_finish(self: t.Any, conn: sa.Connection, finished: t.Any) -> None:
        """The history rows' statements count as SQL; the rest of it is the COMMIT."""
        started, sql_before = time.perf_counter(), spent["sql"]
        original_finish(self, conn, finished)
        spent["commit"] += time.perf_counter() - started - (spent["sql"] - sql_before)

    session.RunSession._finish = timed_finish  # type: ignore[method-assign]
    target = TargetMarketingLeads(config={"database_url": database_url})
    with lines_path.open() as lines:
        started = time.perf_counter()
        target.listen(lines)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, **spent, "batch_sql": batch_sql}


def in_child(phase: str, lines_path: Path, database_url: str) -> dict[str, t.Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(lines_path), database_url],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"phase {phase} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL URL (its tables are dropped!)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:  # a child: one phase, its figures as one JSON line
        lines_path, url = args.child
        print(json.dumps(run_phase(args.phase, Path(lines_path), url)))
        return
    n = args.size
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        lines = write_lines(workdir / "leads.singer", synthetic_lines(n))
        schema_only = write_lines(workdir / "schema.singer", iter([next(synthetic_lines(0))]))
        start = run_target(schema_only, fresh_store(args.database_url, workdir, "start")).seconds
        figures = {
            phase: in_child(phase, lines, fresh_store(args.database_url, workdir, phase))
            for phase in PHASES
        }
    reading = figures["reading"]["seconds"]
    rules = figures["rules"]["seconds"] - reading
    full = figures["full"]
    rest = full["seconds"] - reading - rules - full["sql"] - full["commit"]
    rows = [
        ("start (executable, SCHEMA only)", start),
        ("SDK reading (batches discarded)", reading),
        ("record and email rules", rules),
        ("SQL statements", full["sql"]),
        ("COMMIT", full["commit"]),
        ("classification, planning, write rows", rest),
    ]
    total = start + full["seconds"]
    print(f"store: {'PostgreSQL' if args.database_url else 'SQLite'}, {n:,} leads")
    for label, seconds in rows:
        print(f"{label:<40} {seconds:6.2f} s {seconds / total:6.1%}")
    print(f"{'total (start + full load)':<40} {total:6.2f} s -> {n / total:,.0f} leads/s")
    fixed = start + reading + full["sql"] + full["commit"]
    print(f"fixed costs alone (start, reading, SQL, commit): {n / fixed:,.0f} leads/s at most")
    batches = full["batch_sql"]
    if len(batches) >= 10:
        tenths = [0.0] * 10
        for index, seconds in enumerate(batches):
            tenths[index * 10 // len(batches)] += seconds
        print(
            "SQL seconds per tenth of the batches: "
            + " ".join(f"{s:.2f}" for s in tenths)
            + f" (last/first {tenths[-1] / tenths[0]:.2f}x)"
        )


if __name__ == "__main__":
    main()
