"""How many requests and seconds the tap needs for N contacts in one organization.

Runs the real `tap-zoho-invoice` executable against the local sandbox twice:
  1. pacing off (max_requests_per_minute = 0), sandbox rate limit off;
  2. Zoho's 100 requests/minute scaled down 10x in time: the sandbox allows 100 requests per
     6-second window and the tap paces at 900/minute (its default 90% margin, scaled the same).
Prints requests, 429 responses, wall seconds and contacts/s for each.

    .venv/bin/python bench/bench_tap.py [--contacts 20000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sandbox.server import running_sandbox

TAP = str(Path(sys.executable).parent / "tap-zoho-invoice")
ORG = "60012345678"


def run_once(contacts: int, sandbox_limits: dict, pacing: int) -> dict:
    with running_sandbox(contacts={ORG: contacts}, contacts_per_org=0, **sandbox_limits) as sb:
        config = sb.tap_config(organization_ids=[ORG], max_requests_per_minute=pacing)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(config, handle)
        started = time.perf_counter()
        done = subprocess.run(
            [TAP, "--config", handle.name], capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        Path(handle.name).unlink()
        if done.returncode != 0:
            sys.exit(f"tap failed:\n{done.stderr[-2000:]}")
        records = sum(1 for line in done.stdout.splitlines() if line.startswith('{"type":"RECORD"'))
        stats = sb.stats()
    return {
        "records": records,
        "requests": stats["requests_total"],
        "responses_429": stats["responses_429"],
        "seconds": round(seconds, 2),
        "contacts_per_second": round(records / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    args = parser.parse_args()
    scenarios = {
        "pacing off": ({"rate_limit_per_minute": None}, 0),
        "100/min scaled 10x (window 6 s, pacing 900/min)": (
            {"rate_limit_per_minute": 100, "rate_window_seconds": 6.0},
            900,
        ),
    }
    print(f"tap-zoho-invoice, {args.contacts} contacts in one organization, page size 200")
    for label, (limits, pacing) in scenarios.items():
        result = run_once(args.contacts, limits, pacing)
        print(f"  {label}: {json.dumps(result)}")


if __name__ == "__main__":
    main()
