"""How many requests, seconds and days the tap needs for N contacts in one organization.

Runs the real `tap-zoho-invoice` executable against the local sandbox.

Default: one full sync, twice:
  1. pacing off (max_requests_per_minute = 0), sandbox rate limit off;
  2. Zoho's 100 requests/minute scaled down 10x in time: the sandbox allows 100 requests per
     6-second window and the tap paces at 900/minute (its default 90% margin, scaled the same).
Prints requests, 429 responses, wall seconds and contacts/s for each.

--quota: the first sync of the example job ("Country is India": fetch_contact_details on) under
Zoho's daily quota of 1,000 requests and the tap's default budget of half of it, one run per
simulated day until the catch-up completes, with and without `contact_filters`
(address_contains: India). 10% of the contacts are billed in India. The per-minute limit is
Zoho's 100 scaled 100x in time (window 0.6 s; the tap paced at 90/minute scaled the same).
Prints requests per synced India lead (and per contact of the organization), days to the
complete first sync, the most the tap spent in one day, and 429 responses.

    .venv/bin/python bench/bench_tap.py [--contacts 20000] [--quota]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sandbox.server import running_sandbox

TAP = str(Path(sys.executable).parent / "tap-zoho-invoice")
ORG = "60012345678"
DAILY_QUOTA = 1000
TEN_PERCENT_INDIA = {"IN": 10, "US": 40, "GB": 20, "DE": 15, "AU": 15}
MAX_DAYS = 120


def run_tap(config: dict, state: dict | None = None) -> tuple[list[dict], str, float]:
    """One run of the executable: its Singer messages, its stderr and its wall seconds."""
    with tempfile.TemporaryDirectory() as directory:
        config_file = Path(directory) / "config.json"
        config_file.write_text(json.dumps(config))
        command = [TAP, "--config", str(config_file)]
        if state:
            state_file = Path(directory) / "state.json"
            state_file.write_text(json.dumps(state))
            command += ["--state", str(state_file)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"tap failed:\n{done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr, seconds


def contact_records(messages: list[dict]) -> list[dict]:
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == "contacts"]


def run_once(contacts: int, sandbox_limits: dict, pacing: int) -> dict:
    with running_sandbox(contacts={ORG: contacts}, contacts_per_org=0, **sandbox_limits) as sb:
        config = sb.tap_config(organization_ids=[ORG], max_requests_per_minute=pacing)
        messages, _, seconds = run_tap(config)
        records = len(contact_records(messages))
        stats = sb.stats()
    return {
        "records": records,
        "requests": stats["requests_total"],
        "responses_429": stats["responses_429"],
        "seconds": round(seconds, 2),
        "contacts_per_second": round(records / seconds),
    }


def is_india_lead(record: dict) -> bool:
    """The example job's criterion, as the mapper applies it: billing country is India."""
    country = (record.get("billing_address") or {}).get("country") or ""
    return country.strip().casefold() == "india"


def first_sync_under_quota(contacts: int, contact_filters: dict | None) -> dict:
    """Daily runs until the first sync completes; what it cost and how long it took."""
    with running_sandbox(
        contacts={ORG: contacts},
        contacts_per_org=0,
        country_weights={ORG: TEN_PERCENT_INDIA},
        daily_quota=DAILY_QUOTA,
        rate_limit_per_minute=100,
        rate_window_seconds=0.6,
    ) as sb:
        config = sb.tap_config(
            organization_ids=[ORG],
            fetch_contact_details=True,
            max_requests_per_minute=9000,
            **({"contact_filters": contact_filters} if contact_filters else {}),
        )
        leads: Counter[str] = Counter()
        per_day: list[int] = []
        state: dict | None = None
        while len(per_day) < MAX_DAYS:
            sent_before = sb.stats()["requests_by_org"].get(ORG, 0)
            messages, stderr, _ = run_tap(config, state)
            per_day.append(sb.stats()["requests_by_org"][ORG] - sent_before)
            leads.update(r["contact_id"] for r in contact_records(messages) if is_india_lead(r))
            state = next(m["value"] for m in reversed(messages) if m["type"] == "STATE")
            if '"status":"complete"' in stderr:
                break
            sb.new_day()
        stats = sb.stats()
    requests = sum(per_day)
    return {
        "requests": requests,
        "india_leads": len(leads),
        "leads_twice": sum(1 for n in leads.values() if n > 1),
        "per_lead": requests / max(1, len(leads)),
        "per_contact": requests / contacts,
        "days": len(per_day) if len(per_day) < MAX_DAYS else None,
        "max_day": max(per_day),
        "responses_429": stats["responses_429"],
    }


def quota_table(contacts: int) -> None:
    budget = DAILY_QUOTA // 2
    print(
        f"tap-zoho-invoice --quota: {contacts:,} contacts in one organization, 10% billed in "
        f"India; quota {DAILY_QUOTA:,}/day, default budget (half: {budget}/day); "
        "fetch_contact_details on; one run per simulated day"
    )
    print(
        "| contact_filters | requests | India leads (twice) | requests / India lead | "
        "requests / contact | days to complete first sync | most tap requests in a day | 429s |"
    )
    print("|:--|--:|--:|--:|--:|--:|--:|--:|")
    india = {"address_contains": "India"}
    for label, chosen in (("none", None), ("address_contains: India", india)):
        r = first_sync_under_quota(contacts, chosen)
        days = r["days"] if r["days"] is not None else f"> {MAX_DAYS}"
        print(
            f"| {label} | {r['requests']:,} | {r['india_leads']:,} ({r['leads_twice']}) | "
            f"{r['per_lead']:.3f} | {r['per_contact']:.3f} | {days} | {r['max_day']} of {budget} "
            f"| {r['responses_429']} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--quota", action="store_true", help="the daily-quota benchmark")
    args = parser.parse_args()
    if args.quota:
        quota_table(args.contacts)
        return
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
