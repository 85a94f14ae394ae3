"""Speed and peak memory of the ``marketing-leads`` admin CLI on a store of N leads.

Builds a store of N leads (default 1,000,000) with bulk inserts straight into the store's tables
(no target run: the bench is about reading), on SQLite and, with ``--database-url``, on
PostgreSQL too. Then it runs the real ``marketing-leads`` executable on it, each command
``--repeat`` times (the machine is shared: one figure is noise), and prints the wall time, rows
per second and peak RSS of each run.

The store's story (N = 1,000,000; sizes scale with N):

- run 1, sync ``partners`` -> Partners: every 100th lead is ``new`` (10,000);
- run 2, sync ``newsletter`` -> Newsletter: the first half of the leads are ``new``, with an
  ignored role address every 100 records (505,000 records);
- runs 3 to 10: 1,000 leads each come again (``duplicate``); run 4 deletes 100 leads, run 8
  brings them back (``re_added``);
- after run 6, 2% of the leads are suppressed (unsubscribed or bounced);
- run 11, the last: the second half of the leads, ``new`` or ignored when suppressed (500,000).

So: ~1,020,000 outcome rows, Newsletter has 980,000 members, and the last run is huge.

Peak RSS comes from ``os.wait4`` on a child forked from a small helper process: a child
started by ``subprocess`` counts its parent's peak too (``vfork``/``exec`` keep the old memory
high-water mark), so the figures would say more about the bench than about the CLI.

    .venv/bin/python bench/bench_cli.py [-n N] [--database-url postgresql+psycopg://...]
        [--repeat 2] [--sqlite-path FILE] [--no-build]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import typing as t
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from lead_store import open_store, schema

CLI_EXE = str(Path(sys.executable).parent / "marketing-leads")
CHUNK = 20_000
T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)
SUPPRESSED_AT = T0 + 6.5 * DAY
NEWSLETTER, PARTNERS = 1, 2
FIRST_NAMES = ("ann", "bob", "carl", "dora", "eve", "femi", "gus", "hana", "ivan", "jo", "kim")
LAST_NAMES = ("lee", "smith", "garcia", "khan", "mueller", "rossi", "sato", "silva", "ng")
DOMAINS = (*(f"company{i}.example.com" for i in range(50)), "gmail.com", "outlook.com")


@dataclass(frozen=True)
class Shape:
    """Where the store's sizes come from: N leads, half per big run, small runs of ``block``."""

    n: int

    @property
    def half(self) -> int:
        return self.n // 2

    @property
    def block(self) -> int:
        return max(10, self.n // 1000)

    def email(self, i: int) -> str:
        """Lead i's email: not in id order, so that by-email order is not insertion order."""
        first = FIRST_NAMES[(i * 7) % len(FIRST_NAMES)]
        last = LAST_NAMES[(i * 13) % len(LAST_NAMES)]
        return f"{first}.{last}{i}@{DOMAINS[(i * 31) % len(DOMAINS)]}"

    @staticmethod
    def suppressed(i: int) -> str | None:
        """The status of a suppressed lead (2% of them), else None."""
        if i % 50 != 1:
            return None
        return "unsubscribed" if i % 100 == 1 else "bounced"

    def deleted(self) -> range:
        """The leads run 4 deletes and run 8 brings back (never on Partners, never suppressed)."""
        return range(5, self.block, 10)


def _lead_rows(shape: Shape) -> Iterator[dict[str, t.Any]]:
    for i in range(shape.n):
        status = shape.suppressed(i)
        created = T0 + (2 if i < shape.half else 12) * DAY
        yield {
            "id": i + 1,
            "email": shape.email(i),
            "status": status or "active",
            "first_name": FIRST_NAMES[(i * 7) % len(FIRST_NAMES)].title(),
            "last_name": LAST_NAMES[(i * 13) % len(LAST_NAMES)].title(),
            "attributes": {"company": f"Company {i % 5000}", "city": "Berlin", "rank": i % 7},
            "source_system": "zoho_invoice",
            "source_org_id": "10234695",
            "source_id": str(460000000000 + i),
            "source_modified_at": created,
            "created_at": created,
            "updated_at": SUPPRESSED_AT if status else created,
        }


def _member_rows(shape: Shape) -> Iterator[dict[str, t.Any]]:
    back = set(shape.deleted())
    for i in range(0, shape.n, 100):
        yield {"list_id": PARTNERS, "lead_id": i + 1, "joined_at": T0 + DAY}
    for i in range(shape.n):
        if shape.suppressed(i) is None:
            day = 8 if i in back else 2 if i < shape.half else 12
            yield {"list_id": NEWSLETTER, "lead_id": i + 1, "joined_at": T0 + day * DAY}


Record = tuple[int | None, str, str | None]
"""One outcome to store: lead index (None: a record that is no lead), outcome, reason."""


def _runs(shape: Shape) -> Iterator[tuple[str, int, int, Iterable[Record]]]:
    """(sync, list id, day, records) of every run, in order."""
    yield "partners", PARTNERS, 1, ((i, "new", None) for i in range(0, shape.n, 100))

    def first_run() -> Iterator[Record]:
        for i in range(shape.half):
            if i % 100 == 0:
                yield None, "ignored", "role_address"
            yield i, "new", None

    yield "newsletter", NEWSLETTER, 2, first_run()
    for day in range(3, 11):

        def small_run(day: int = day) -> Iterator[Record]:
            start = (day - 3) * shape.block
            for i in range(start, start + shape.block):
                status = shape.suppressed(i) if day > 6 else None
                yield (i, "ignored", status) if status else (i, "duplicate", None)
            if day in (4, 8):
                outcome = "deleted" if day == 4 else "re_added"
                yield from ((i, outcome, None) for i in shape.deleted())

        yield "newsletter", NEWSLETTER, day, small_run()

    def last_run() -> Iterator[Record]:
        for i in range(shape.half, shape.n):
            status = shape.suppressed(i)
            yield (i, "ignored", status) if status else (i, "new", None)

    yield "newsletter", NEWSLETTER, 12, last_run()


def _insert(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, t.Any]]) -> int:
    """Insert ``rows`` in chunks (constant memory); return how many."""
    count = 0
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        conn.execute(table.insert(), chunk)
        count += len(chunk)
    return count


def build_store(url: str, n: int) -> None:
    """A fresh store at ``url`` holding the story above for ``n`` leads."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        schema.metadata.drop_all(conn)
    engine.dispose()
    engine = open_store(url)
    shape = Shape(n)
    rng = random.Random(7)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(schema.mailing_lists),
                [
                    {"id": NEWSLETTER, "name": "Newsletter", "created_at": T0},
                    {"id": PARTNERS, "name": "Partners", "created_at": T0},
                ],
            )
            _insert(conn, schema.leads, _lead_rows(shape))
            _insert(conn, schema.list_members, _member_rows(shape))
        for run_id, (sync, list_id, day, records) in enumerate(_runs(shape), start=1):
            finished = T0 + day * DAY + dt.timedelta(minutes=rng.randint(1, 50))
            with engine.begin() as conn:
                conn.execute(
                    sa.insert(schema.runs),
                    {"id": run_id, "sync_name": sync, "list_id": list_id, "status": "completed",
                     "started_at": finished - dt.timedelta(minutes=1), "finished_at": finished},
                )  # fmt: skip
                tally: Counter[tuple[str, str | None]] = Counter()
                _insert(conn, schema.lead_outcomes, _outcome_rows(shape, run_id, records, tally))
                conn.execute(
                    sa.update(schema.runs).where(schema.runs.c.id == run_id).values(_counts(tally))
                )
        if engine.dialect.name == "postgresql":
            _settle_postgres(engine)
    finally:
        engine.dispose()


def _outcome_rows(
    shape: Shape, run_id: int, records: Iterable[Record], tally: Counter[tuple[str, str | None]]
) -> Iterator[dict[str, t.Any]]:
    for position, (i, outcome, reason) in enumerate(records, start=1):
        tally[(outcome, reason)] += 1
        yield {
            "run_id": run_id,
            "position": position,
            "email": shape.email(i) if i is not None else f"info+{position}@example.com",
            "outcome": outcome,
            "reason": reason,
            "detail": None,
            "source_org_id": "10234695",
            "source_id": str(460000000000 + (i if i is not None else shape.n + position)),
        }


def _counts(tally: Counter[tuple[str, str | None]]) -> dict[str, t.Any]:
    counts: dict[str, t.Any] = {
        outcome: sum(n for (o, _), n in tally.items() if o == outcome)
        for outcome in ("new", "re_added", "duplicate", "ignored", "deleted")
    }
    counts["total"] = sum(tally.values())
    counts["ignored_reasons"] = {r: n for (o, r), n in tally.items() if o == "ignored" and r}
    return counts


def _settle_postgres(engine: sa.Engine) -> None:
    """Advance the id sequences past the explicit ids, then VACUUM ANALYZE (as autovacuum would)."""
    with engine.begin() as conn:
        for table in ("mailing_lists", "leads", "runs"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


_MEASURE = """
import json, os, sys, time
output, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "exit": os.waitstatus_to_exitcode(status), "max_rss_kib": usage.ru_maxrss}))
"""


@dataclass(frozen=True)
class Measured:
    """One run of the CLI: wall seconds, exit code, peak RSS."""

    seconds: float
    exit: int
    max_rss_kib: int

    @property
    def rss_mib(self) -> float:
        return self.max_rss_kib / 1024


def measure(argv: list[str], output: Path, env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` with its stdout in ``output``; its wall time and peak RSS (from wait4).

    The command is forked from a fresh, small helper process (see the module's docstring).
    """
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(output), *argv],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    figures = json.loads(done.stdout)
    return Measured(figures["seconds"], figures["exit"], figures["max_rss_kib"])


def _facts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    o, r, m = schema.lead_outcomes, schema.runs, schema.list_members
    try:
        with engine.connect() as conn:
            last = conn.execute(sa.select(sa.func.max(r.c.id))).scalar_one()
            return {
                "last_run": last,
                "last_total": conn.execute(sa.select(r.c.total).where(r.c.id == last)).scalar_one(),
                "members": conn.execute(
                    sa.select(sa.func.count()).where(m.c.list_id == NEWSLETTER)
                ).scalar_one(),
                "outcomes": conn.execute(sa.select(sa.func.count()).select_from(o)).scalar_one(),
                "runs": conn.execute(sa.select(sa.func.count()).select_from(r)).scalar_one(),
            }
    finally:
        engine.dispose()


def _commands(facts: dict[str, int], workdir: Path) -> list[tuple[str, list[str], int]]:
    """(label, arguments, rows it prints) of every command the bench times."""
    last, members = str(facts["last_run"]), facts["members"]
    late = str(facts["last_total"] - 1000)
    return [
        ("members --json", ["members", "Newsletter", "--json"], members),
        ("members --csv", ["members", "Newsletter", "--csv"], members),
        ("members (table)", ["members", "Newsletter"], 100),
        ("outcomes (table, first page)", ["outcomes", last], 100),
        (
            "outcomes --json late page",
            ["outcomes", last, "--json", "--after", late, "--limit", "1000"],
            1000,
        ),
        ("outcomes --csv (all)", ["outcomes", last, "--csv"], facts["last_total"]),
        ("history", ["history"], facts["runs"]),
        ("report", ["report", "--output", str(workdir / "report.html")], facts["outcomes"]),
    ]


def bench(url: str, repeat: int, workdir: Path) -> None:
    """Time every command on the store at ``url`` and print one line per run."""
    facts = _facts(url)
    print(f"\nstore {sa.make_url(url).render_as_string()}: {facts}")
    print(f"{'command':<30} {'rows':>9} {'seconds':>8} {'rows/s':>10} {'peak RSS MiB':>13}")
    env = {**os.environ, "COLUMNS": "120"}
    for label, args, rows in _commands(facts, workdir):
        for _ in range(repeat):
            output = workdir / "out.txt"
            got = measure([CLI_EXE, "--database-url", url, *args], output, env)
            if got.exit != 0:
                print(f"{label:<30} failed with exit {got.exit}")
                break
            print(
                f"{label:<30} {rows:>9,} {got.seconds:>8.2f} {rows / got.seconds:>10,.0f} "
                f"{got.rss_mib:>13.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="leads (default 1,000,000)")
    parser.add_argument("--database-url", help="also bench this PostgreSQL store (emptied!)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each command")
    parser.add_argument("--sqlite-path", type=Path, help="keep the SQLite store in this file")
    parser.add_argument("--no-build", action="store_true", help="reuse the stores as they are")
    parser.add_argument("--skip-sqlite", action="store_true", help="bench PostgreSQL only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        urls = [] if args.skip_sqlite else [f"sqlite:///{args.sqlite_path or workdir / 'b.db'}"]
        urls += [args.database_url] if args.database_url else []
        for url in urls:
            if not args.no_build:
                started = time.perf_counter()
                build_store(url, args.n)
                print(f"built {args.n:,} leads in {time.perf_counter() - started:.0f} s")
            bench(url, args.repeat, workdir)


if __name__ == "__main__":
    main()
