"""Throughput, memory and linearity of ``target-marketing-leads``, beside a floor and a peer.

Generates N synthetic ``leads`` records as Singer lines and runs the real target executable on
them into a fresh store (SQLite by default; ``--database-url`` for PostgreSQL, whose tables are
dropped first). For each N it prints leads per second, peak RSS, and the wall time of each tenth
of the input (from the target's per-batch METRIC lines): a run whose cost grows with what it
has already written shows a last tenth slower than the first. In the same run it measures:

- the target with its speed paths switched off (``TARGET_MARKETING_LEADS_FAST_PATHS=off``);
- on SQLite, a floor: parse the lines with ``json.loads`` and upsert them with one
  ``executemany`` (no classification, no outcomes, no memberships);
- ``--rerun K``: after the largest load, a run of K changed leads against that full store;
- ``--peer target-postgres``: MeltanoLabs target-postgres 0.8.1 (``load_method: upsert``),
  installed by the bench into its own virtualenv under ``.cache/singer-tools/``, on the same lines
  into the same PostgreSQL server, and the ratio of the two;
- ``--repeat K``: K loads of each size (with a peer, the two alternate which goes first), then
  the median rate and ratio: on a shared machine one pair of loads can differ by a third.

Wall-clock figures depend on what else the machine runs; the target's CPU time (user + system,
from ``wait4``) does much less, so leads per CPU second is printed too: on an idle machine the
target, single-threaded, reaches about that rate.

Synthetic data: unique people spread over 2,000 domains (lead lists repeat domains: company
domains and webmail), with about 1% role addresses, 1% invalid emails, 1% empty emails and 1%
repeats of an earlier email.

    .venv/bin/python bench/bench_target.py [--sizes N ...] [--database-url URL] [--rerun K]
        [--peer target-postgres] [--repeat K] [--no-reference]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from lead_store import schema
from leads_contract import LEADS_SCHEMA_MESSAGE
from target_marketing_leads.fast_paths import SWITCH

sys.path.insert(0, str(Path(__file__).parent))
from peer import PEERS

DEFAULT_SIZES = (50_000, 200_000)


def synthetic_lines(n: int, seed: int = 7, *, changed: bool = False) -> Iterator[str]:
    """N Singer lines: one SCHEMA, N RECORDs, one STATE (generated lazily)."""
    rng = random.Random(seed)
    domains = [f"company{i}.example.com" for i in range(1990)] + [
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "icloud.com",
        "gmx.de",
        "web.de",
        "orange.fr",
        "libero.it",
        "proton.me",
    ]
    yield json.dumps(LEADS_SCHEMA_MESSAGE)
    earlier: list[str] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.01:
            email = f"info+{i}@{rng.choice(domains)}"
        elif roll < 0.02:
            email = f"broken..{i}@{rng.choice(domains)}"
        elif roll < 0.03:
            email = ""
        elif roll < 0.04 and earlier:
            email = rng.choice(earlier)
        else:
            email = f"First.Last{i}@{rng.choice(domains)}"
            if len(earlier) < 10_000:
                earlier.append(email)
        record = {
            "email": email,
            "first_name": f"Changed{i}" if changed else f"First{i}",
            "last_name": f"Last{i}",
            "attributes": {"company_name": f"Company {i % 5000}", "city": "Berlin"},
            "mailing_list": "Newsletter",
            "sync_name": "bench",
            "source_system": "zoho_invoice",
            "source_org_id": "10234695",
            "source_id": str(460000000000 + i),
            "source_modified_at": "2026-06-09T17:15:06.000000+00:00",
            "_sdc_deleted_at": None,
        }
        yield json.dumps({"type": "RECORD", "stream": "leads", "record": record})
    yield json.dumps({"type": "STATE", "value": {"bookmarks": {"contacts": {"n": n}}}})


class Run(t.NamedTuple):
    """One target run: wall and CPU seconds, peak RSS (KiB), wall seconds of each batch."""

    seconds: float
    cpu_seconds: float
    rss_kib: int
    batch_seconds: list[float]
    batch_size: int


_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})", re.MULTILINE)
_STAMP = "%Y-%m-%d %H:%M:%S,%f"


def _batch_ends(log: str) -> list[dt.datetime]:
    """When each batch finished: the time stamps of the SDK's batch_processing_time lines."""
    ends = []
    for line in log.splitlines():
        if '"metric":"batch_processing_time"' in line and (found := _LOG_TIME.match(line)):
            ends.append(dt.datetime.strptime(found.group(1), _STAMP))
    return ends


def batch_size_for(n: int) -> int:
    """The target's default batch (10,000), smaller for small N so each tenth has a batch."""
    return min(10_000, max(100, n // 10))


def run_target(
    input_path: Path, database_url: str, *, fast_paths: bool = True, batch_size: int = 10_000
) -> Run:
    """Run the target on ``input_path``: wall/CPU seconds, peak RSS and per-batch wall times.

    ``fast_paths=False`` runs the reference rules alone (``TARGET_MARKETING_LEADS_FAST_PATHS``).
    The bench keeps no records in memory when it starts the target: a forked child's peak RSS
    counts the parent's pages from before ``exec``.
    """
    exe = shutil.which("target-marketing-leads", path=str(Path(sys.executable).parent))
    if exe is None:
        sys.exit("target-marketing-leads is not installed next to this Python")
    config = input_path.with_suffix(".target.json")
    config.write_text(json.dumps({"database_url": database_url, "batch_size_rows": batch_size}))
    log_path = input_path.with_suffix(".target.log")
    started_at = dt.datetime.now()
    started = time.perf_counter()
    with input_path.open("rb") as stdin, log_path.open("wb") as log:
        proc = subprocess.Popen(
            [exe, "--config", str(config)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, SWITCH: "on" if fast_paths else "off"},
        )
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    text = log_path.read_text(errors="replace")
    if status != 0:
        sys.exit(f"target failed with wait status {status}:\n{text[-3000:]}")
    ends = _batch_ends(text)
    first_line = _LOG_TIME.match(text)  # the target's first log line: started, imports done
    begun = dt.datetime.strptime(first_line.group(1), _STAMP) if first_line else started_at
    marks = [begun, *ends]
    batches = [(b - a).total_seconds() for a, b in itertools.pairwise(marks)]
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, batches, batch_size)


def tenths(run: Run, n: int) -> list[float]:
    """Wall seconds of each tenth of the input (batches assigned by the records they held)."""
    totals = [0.0] * 10
    for index, seconds in enumerate(run.batch_seconds):
        first_record = index * run.batch_size
        totals[min(9, first_record * 10 // max(n, 1))] += seconds
    return totals


def run_floor(input_path: Path, db_path: Path) -> float:
    """Wall seconds to parse the lines and upsert them with one executemany into SQLite."""
    started = time.perf_counter()
    rows = []
    with input_path.open() as lines:
        for line in lines:
            message = json.loads(line)
            if message["type"] == "RECORD":
                r = message["record"]
                rows.append(
                    (
                        r["email"].lower(),
                        r["first_name"],
                        r["last_name"],
                        json.dumps(r["attributes"]),
                        r["source_org_id"],
                        r["source_id"],
                    )
                )
    conn = sqlite3.connect(db_path)
    conn.execute(
        "CREATE TABLE leads (email TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, "
        "attributes TEXT, source_org_id TEXT, source_id TEXT)"
    )
    with conn:
        conn.executemany(
            "INSERT INTO leads VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(email) DO UPDATE SET "
            "first_name = excluded.first_name, last_name = excluded.last_name, "
            "attributes = excluded.attributes",
            rows,
        )
    conn.close()
    return time.perf_counter() - started


def fresh_store(database_url: str | None, workdir: Path, name: str) -> str:
    """An empty store: a new SQLite file, or the PostgreSQL database with its tables dropped."""
    if database_url is None:
        return f"sqlite:///{workdir / f'{name}.db'}"
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        schema.metadata.drop_all(conn)
    engine.dispose()
    return database_url


def write_lines(path: Path, lines: Iterator[str]) -> Path:
    with path.open("w") as out:
        out.writelines(line + "\n" for line in lines)
    return path


class Load(t.NamedTuple):
    """One load of N leads: its printed row, leads/s, ratio to the peer, per-tenth seconds,
    and the store it left."""

    row: str
    rate: float
    ratio: float | None
    tenths: list[float]
    store: str


def load_once(args: argparse.Namespace, lines: Path, n: int, workdir: Path, repeat: int) -> Load:
    """Load ``lines`` into a fresh store (and, as asked, the reference run, the floor and the
    peer). Odd repeats run the peer first, so neither side always gets the warmer server."""
    label = f"{n}-{repeat}"  # names this load's SQLite files
    reference = None
    if not args.no_reference:
        url = fresh_store(args.database_url, workdir, f"reference-{label}")
        reference = run_target(lines, url, fast_paths=False, batch_size=batch_size_for(n))
    peer_first = bool(args.peer) and repeat % 2 == 1
    peer_seconds = PEERS[args.peer](lines, args.database_url) if peer_first else 0.0
    store = fresh_store(args.database_url, workdir, f"store-{label}")
    run = run_target(lines, store, batch_size=batch_size_for(n))
    if args.peer and not peer_first:
        peer_seconds = PEERS[args.peer](lines, args.database_url)
    split = tenths(run, n)
    row = (
        f"{n:>9,} {n / run.seconds:>8,.0f} {n / run.cpu_seconds:>9,.0f} "
        f"{run.rss_kib / 1024:>8.1f} {split[-1] / split[0]:>9.2f}x"
    )
    if reference is not None:
        row += f" {n / reference.seconds:>13,.0f}"
    if args.database_url is None:
        row += f" {n / run_floor(lines, workdir / f'floor-{label}.db'):>8,.0f}"
    ratio = None
    if args.peer:
        ratio = peer_seconds / run.seconds
        row += f" {n / peer_seconds:>18,.0f} {ratio:>5.2f}x"
    return Load(row, n / run.seconds, ratio, split, store)


def median_line(n: int, loads: list[Load]) -> str:
    """The median rate (and ratio) of ``loads`` of N leads, with the ratios' range."""
    line = f"{n:>9,}: median {statistics.median(load.rate for load in loads):,.0f} leads/s"
    ratios = [load.ratio for load in loads if load.ratio is not None]
    if ratios:
        line += (
            f", median ratio {statistics.median(ratios):.2f}x"
            f" (lowest {min(ratios):.2f}x, highest {max(ratios):.2f}x)"
        )
    return line + f" over {len(loads)} loads"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument("--database-url", help="PostgreSQL URL (its tables are dropped!)")
    parser.add_argument("--rerun", type=int, default=0, help="changed leads rerun at the end")
    parser.add_argument("--peer", choices=sorted(PEERS), help="a third-party target to compare")
    parser.add_argument(
        "--repeat", type=int, default=1, help="loads per size (with --peer: alternating order)"
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the run without speed paths"
    )
    args = parser.parse_args()
    if args.peer and not args.database_url:
        parser.error("--peer needs --database-url (the peer loads PostgreSQL)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(f"store: {store}")
    header = f"{'N':>9} {'leads/s':>8} {'per CPU s':>9} {'RSS MiB':>8} {'last/first':>10}"
    header += "" if args.no_reference else f" {'no fast paths':>13}"
    header += "" if args.database_url else f" {'floor/s':>8}"
    header += f" {args.peer + '/s':>18} {'ratio':>6}" if args.peer else ""
    print(header)
    per_tenth: list[tuple[int, list[float]]] = []
    medians: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for n in args.sizes:
            lines = write_lines(workdir / f"leads{n}.singer", synthetic_lines(n))
            loads = []
            for repeat in range(args.repeat):
                load = load_once(args, lines, n, workdir, repeat)
                print(load.row, flush=True)
                loads.append(load)
                per_tenth.append((n, load.tenths))
            if args.repeat > 1:
                medians.append(median_line(n, loads))
        if args.rerun:  # against the store the last load left
            changed = write_lines(
                workdir / "changed.singer", synthetic_lines(args.rerun, changed=True)
            )
            again = run_target(changed, loads[-1].store)
            print(
                f"rerun: {args.rerun:,} changed leads against the store of {args.sizes[-1]:,}: "
                f"{again.seconds:.2f} s"
            )
    for line in medians:
        print(line)
    print("wall seconds per tenth of the input:")
    for n, split in per_tenth:
        print(f"{n:>9,}: " + " ".join(f"{s:.1f}" for s in split))


if __name__ == "__main__":
    main()
