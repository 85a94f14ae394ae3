"""Throughput and memory of ``target-marketing-leads`` against a plain SQLite floor.

Generates N synthetic ``leads`` records as Singer lines, runs the real target executable on
them into a fresh SQLite store, and prints leads per second and the target's peak RSS. In the
same run it measures a floor: parse the same lines with ``json.loads`` and upsert them with one
``executemany`` into SQLite (no classification, no outcomes, no memberships), so the ratio
between the two is visible, and the target once more with its speed paths switched off
(``TARGET_MARKETING_LEADS_FAST_PATHS=off``: the reference rules alone). It runs N = 50,000 and
N = 200,000 by default to show that memory does not grow with N.

Wall-clock figures depend on what else the machine runs; the target's CPU time (user + system,
from ``wait4``) does much less, so leads per CPU second is printed too: on an idle machine the
target, single-threaded, reaches about that rate.

Synthetic data: unique people spread over 2,000 domains (lead lists repeat domains: company
domains and webmail), with about 1% role addresses, 1% invalid emails, 1% empty emails and 1%
repeats of an earlier email.

    .venv/bin/python bench/bench_target.py [N ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from leads_contract import LEADS_SCHEMA_MESSAGE
from target_marketing_leads.fast_paths import SWITCH

DEFAULT_SIZES = (50_000, 200_000)


def synthetic_lines(n: int, seed: int = 7) -> Iterator[str]:
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
            "first_name": f"First{i}",
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


def run_target(
    input_path: Path, db_path: Path, *, fast_paths: bool = True
) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one target run.

    ``fast_paths=False`` runs the reference rules alone (``TARGET_MARKETING_LEADS_FAST_PATHS``).

    The bench keeps no records in memory when it starts the target: a forked child's peak RSS
    counts the parent's pages from before ``exec``.
    """
    exe = shutil.which("target-marketing-leads", path=str(Path(sys.executable).parent))
    if exe is None:
        sys.exit("target-marketing-leads is not installed next to this Python")
    config = db_path.with_suffix(".json")
    config.write_text(json.dumps({"database_url": f"sqlite:///{db_path}"}))
    started = time.perf_counter()
    with input_path.open("rb") as stdin:
        proc = subprocess.Popen(
            [exe, "--config", str(config)],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, SWITCH: "on" if fast_paths else "off"},
        )
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"target failed with wait status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "sizes", nargs="*", type=int, default=list(DEFAULT_SIZES), help="numbers of leads"
    )
    sizes = parser.parse_args().sizes
    print(
        f"{'N':>9} {'target leads/s':>15} {'per CPU s':>10} {'peak RSS MiB':>13} "
        f"{'no fast paths':>14} {'floor leads/s':>14} {'ratio':>6}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            input_path = workdir / "leads.singer"
            with input_path.open("w") as out:
                out.writelines(line + "\n" for line in synthetic_lines(n))
            seconds, cpu_seconds, rss_kib = run_target(input_path, workdir / "store.db")
            reference_seconds, _, _ = run_target(
                input_path, workdir / "reference.db", fast_paths=False
            )
            floor_seconds = run_floor(input_path, workdir / "floor.db")
        target_rate = n / seconds
        floor_rate = n / floor_seconds
        print(
            f"{n:>9,} {target_rate:>15,.0f} {n / cpu_seconds:>10,.0f} {rss_kib / 1024:>13.1f} "
            f"{n / reference_seconds:>14,.0f} {floor_rate:>14,.0f} "
            f"{floor_rate / target_rate:>5.1f}x"
        )


if __name__ == "__main__":
    main()
