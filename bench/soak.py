"""Soak test: N contacts over 3 organizations through tap → mapper → target, under a rate limit.

Starts the local sandbox (Zoho's 100 requests per minute per organization scaled down 10x in
time: 100 requests per 6-second window, the tap pacing at 900 requests per minute, the same 90%
margin as its default) and pipes the three real executables into each other, as Meltano does,
into a fresh SQLite store:

    tap-zoho-invoice | map-marketing-leads | target-marketing-leads

While they run, each process's memory is sampled from ``/proc/<pid>/status`` every 0.1 s:
``VmRSS`` (resident now) and ``VmHWM`` (the kernel's high-water mark of resident memory since
the executable started, so a spike between two samples still counts). ``ru_maxrss`` from
``wait4`` is not used: a child forked from this process inherits this process's high-water mark
(the sandbox holds every contact in memory here), which would hide the child's own.

It prints, per size: wall time, sandbox requests and 429 responses, records per stage (tap
RECORD count from its METRIC lines, the mapper's ``mapper_records`` metric, the target's run
row in the store) and peak RSS per process. Several sizes in one invocation show
whether memory grows with N.

    .venv/bin/python bench/soak.py [--sizes 25000 50000 100000] [--no-rate-limit]

Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sandbox.server import running_sandbox

BIN = Path(sys.executable).parent
ORGS = ("60012345678", "60023456789", "60034567890")
DEFAULT_SIZES = (25_000, 50_000, 100_000)
RATE_LIMIT = {"rate_limit_per_minute": 100, "rate_window_seconds": 6.0}
TAP_PACING = 900
SAMPLE_SECONDS = 0.1
MAPPER_CONFIG = {"sync_name": "soak", "mailing_list": "Soak list", "field_map": {}}
METRIC = re.compile(r"METRIC: (\{.*\})")


@dataclass
class Stage:
    """One running executable: its process, its stderr file and its memory samples (KiB)."""

    name: str
    process: subprocess.Popen[bytes]
    stderr_path: Path
    rss_samples: list[int] = field(default_factory=list)
    peak_kib: int = 0
    returncode: int | None = None

    def sample(self) -> None:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                self.rss_samples.append(int(line.split()[1]))
            elif line.startswith("VmHWM:"):
                self.peak_kib = max(self.peak_kib, int(line.split()[1]))

    def reap(self) -> None:
        """Wait for the process to end."""
        self.returncode = self.process.wait()

    def metrics(self) -> list[dict[str, Any]]:
        points = []
        for line in self.stderr_path.read_text(errors="replace").splitlines():
            match = METRIC.search(line)
            if match:
                points.append(json.loads(match.group(1)))
        return points


def _counter(points: list[dict[str, Any]], metric: str, **tags: str) -> int:
    return sum(
        int(p["value"])
        for p in points
        if p.get("metric") == metric
        and all(p.get("tags", {}).get(key) == value for key, value in tags.items())
    )


def _split(total: int) -> dict[str, int]:
    base, extra = divmod(total, len(ORGS))
    return {org: base + (1 if i < extra else 0) for i, org in enumerate(ORGS)}


def _write_json(directory: Path, name: str, data: dict[str, Any]) -> str:
    path = directory / name
    path.write_text(json.dumps(data))
    return str(path)


def _start(name: str, argv: list[str], stdin: IO[bytes] | int | None, workdir: Path) -> Stage:
    stderr_path = workdir / f"{name}.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr)
    return Stage(name, process, stderr_path)


def _drain(stream: IO[bytes], sink: list[bytes]) -> None:
    """Read the target's stdout (STATE lines) so it never blocks on a full pipe."""
    for line in stream:
        sink.append(line)


def _store_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT total, new, re_added, duplicate, ignored, deleted FROM runs ORDER BY id DESC"
        ).fetchone()
        leads = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    names = ("total", "new", "re_added", "duplicate", "ignored", "deleted")
    return {**dict(zip(names, row, strict=True)), "leads_in_store": leads}


def soak(size: int, *, rate_limited: bool) -> dict[str, Any]:
    """Run the pipeline once on ``size`` contacts; return its figures."""
    limits = RATE_LIMIT if rate_limited else {"rate_limit_per_minute": None}
    with (
        tempfile.TemporaryDirectory(prefix="soak-") as tmp,
        running_sandbox(contacts=_split(size), contacts_per_org=0, **limits) as sandbox,
    ):
        workdir = Path(tmp)
        db = workdir / "leads.db"
        tap_config = sandbox.tap_config(
            organization_ids=list(ORGS), max_requests_per_minute=TAP_PACING if rate_limited else 0
        )
        started = time.perf_counter()
        tap = _start(
            "tap",
            [
                str(BIN / "tap-zoho-invoice"),
                "--config",
                _write_json(workdir, "tap.json", tap_config),
            ],
            None,
            workdir,
        )
        mapper = _start(
            "mapper",
            [
                str(BIN / "map-marketing-leads"),
                "--config",
                _write_json(workdir, "mapper.json", MAPPER_CONFIG),
            ],
            tap.process.stdout,
            workdir,
        )
        target = _start(
            "target",
            [
                str(BIN / "target-marketing-leads"),
                "--config",
                _write_json(workdir, "target.json", {"database_url": f"sqlite:///{db}"}),
            ],
            mapper.process.stdout,
            workdir,
        )
        # The children hold the pipe ends now; closing ours lets EOF and SIGPIPE propagate.
        for stage in (tap, mapper):
            assert stage.process.stdout is not None
            stage.process.stdout.close()
        state_lines: list[bytes] = []
        assert target.process.stdout is not None
        drainer = threading.Thread(target=_drain, args=(target.process.stdout, state_lines))
        drainer.start()
        stages = (tap, mapper, target)
        done = threading.Event()

        def sampler() -> None:
            while not done.is_set():
                for stage in stages:
                    stage.sample()
                time.sleep(SAMPLE_SECONDS)

        sampling = threading.Thread(target=sampler, daemon=True)
        sampling.start()
        for stage in stages:
            stage.reap()
        done.set()
        drainer.join()
        seconds = time.perf_counter() - started
        stats = sandbox.stats()
        failed = [s for s in stages if s.returncode != 0]
        if failed:
            details = "\n".join(
                f"--- {s.name} exit {s.returncode}\n{s.stderr_path.read_text()[-2000:]}"
                for s in failed
            )
            sys.exit(f"soak at {size} contacts failed:\n{details}")
        return {
            "contacts": size,
            "wall_seconds": round(seconds, 1),
            "requests": stats["requests_total"],
            "responses_429": stats["responses_429"],
            "records": {
                "tap_out": _counter(tap.metrics(), "record_count", stream="contacts"),
                "mapper_in": _counter(mapper.metrics(), "mapper_records", outcome="in"),
                "mapper_out": _counter(mapper.metrics(), "mapper_records", outcome="met_criteria")
                + _counter(mapper.metrics(), "mapper_records", outcome="tombstone"),
                "target": _store_counts(db),
            },
            "peak_rss_mib": {s.name: round(s.peak_kib / 1024, 1) for s in stages},
            "rss_mib_at_quartiles": {s.name: _quartiles(s.rss_samples) for s in stages},
            "state_lines": len(state_lines),
        }


def _quartiles(samples: list[int]) -> list[float]:
    """RSS at 25/50/75/100% of the run's samples: flat memory shows as a flat row."""
    if not samples:
        return []
    points = [samples[max(0, round(len(samples) * q) - 1)] for q in (0.25, 0.5, 0.75, 1.0)]
    return [round(kib / 1024, 1) for kib in points]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--no-rate-limit", action="store_true", help="sandbox limit and tap pacing off"
    )
    args = parser.parse_args()
    label = "no rate limit" if args.no_rate_limit else "100 requests / 6 s window, tap at 900/min"
    print(f"soak: tap | mapper | target, {len(ORGS)} organizations, {label}", flush=True)
    for size in args.sizes:
        result = soak(size, rate_limited=not args.no_rate_limit)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
