"""Throughput of ``map-marketing-leads`` against singer-sdk's stream maps doing the same job.

Generates synthetic Zoho-like ``contacts`` Singer lines (a STATE every 1,000 records, 1% of
records deleted), then runs, as subprocesses on the same file:

- ``map-marketing-leads`` with "billing_address.country is India" and a field map of
  email/first/last name plus company, city and a custom field;
- ``meltano-map-transform`` (singer-sdk stream maps) with the equivalent ``__filter__``
  (case- and space-insensitive country, tombstones kept) and the same lead fields.

Prints records/s for both (best of ``--repeat`` runs, process start-up included) and the ratio.
Usage: ``.venv/bin/python bench/bench_mapper.py [--records 100000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COUNTRIES = ["India", " india ", "INDIA", "United States", "Germany", "Brazil", "", "Kenya"]

OURS = {
    "sync_name": "bench",
    "mailing_list": "India customers",
    "criteria": {
        "match": "all",
        "conditions": [{"field": "billing_address.country", "operator": "is", "value": "India"}],
    },
    "field_map": {
        "company": "company_name",
        "city": "billing_address.city",
        "industry": "cf_industry",
    },
}

_ADDRESS = "(record.get('billing_address') or {})"
STREAM_MAPS = {
    "stream_maps": {
        "contacts": {
            "__alias__": "leads",
            "__filter__": (
                "bool(record.get('_sdc_deleted_at')) or "
                f"str({_ADDRESS}.get('country') or '').strip().casefold() == 'india'"
            ),
            "__key_properties__": ["source_org_id", "source_id"],
            "__else__": None,
            "email": "record.get('email')",
            "first_name": "record.get('first_name')",
            "last_name": "record.get('last_name')",
            "attributes": (
                "{'company': record.get('company_name'), "
                f"'city': {_ADDRESS}.get('city'), 'industry': record.get('cf_industry')}}"
            ),
            "mailing_list": "config['mailing_list']",
            "sync_name": "config['sync_name']",
            "source_system": "'zoho_invoice'",
            "source_org_id": "record.get('organization_id')",
            "source_id": "record.get('contact_id')",
            "source_modified_at": "record.get('last_modified_time')",
            "_sdc_deleted_at": "record.get('_sdc_deleted_at')",
            "meets_criteria": "None if record.get('_sdc_deleted_at') else True",
        }
    },
    "stream_map_config": {"mailing_list": "India customers", "sync_name": "bench"},
}

_TEXT = {"type": ["string", "null"]}
_ADDRESS_SCHEMA = {
    "type": ["object", "null"],
    "properties": {key: _TEXT for key in ("address", "city", "state", "zip", "country")},
}
SCHEMA = {
    "type": "SCHEMA",
    "stream": "contacts",
    "key_properties": ["contact_id"],
    "bookmark_properties": ["last_modified_time"],
    "schema": {
        "type": "object",
        "properties": {
            "contact_id": {"type": "string"},
            "organization_id": {"type": "string"},
            **{
                key: _TEXT
                for key in (
                    "contact_name",
                    "company_name",
                    "contact_type",
                    "status",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "currency_code",
                    "cf_industry",
                )
            },
            "outstanding_receivable_amount": {"type": ["number", "null"]},
            "last_modified_time": {"type": ["string", "null"], "format": "date-time"},
            "billing_address": _ADDRESS_SCHEMA,
            "_sdc_deleted_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}


def _contact(index: int, rng: random.Random) -> dict:
    modified = f"2026-06-{1 + index % 28:02d}T{index % 24:02d}:00:00.000000+00:00"
    if rng.random() < 0.01:
        return {"contact_id": str(index), "organization_id": "900001", "_sdc_deleted_at": modified}
    return {
        "contact_id": str(index),
        "organization_id": "900001",
        "contact_name": f"Person {index}",
        "company_name": f"Company {index % 500}",
        "contact_type": "customer",
        "status": "active",
        "first_name": "Person",
        "last_name": str(index),
        "email": f"person{index}@example.com",
        "phone": "",
        "currency_code": "INR",
        "cf_industry": rng.choice(["Retail", "Software", ""]),
        "outstanding_receivable_amount": round(rng.random() * 1000, 2),
        "last_modified_time": modified,
        "billing_address": {"city": "Pune", "zip": "411001", "country": rng.choice(COUNTRIES)},
    }


def write_input(path: Path, records: int) -> None:
    """Write the SCHEMA, ``records`` RECORD lines and a STATE every 1,000 records."""
    rng = random.Random(42)
    with path.open("w") as out:
        out.write(json.dumps(SCHEMA) + "\n")
        for index in range(records):
            message = {"type": "RECORD", "stream": "contacts", "record": _contact(index, rng)}
            out.write(json.dumps(message) + "\n")
            if index % 1000 == 999:
                state = {"bookmarks": {"contacts": {"replication_key_value": index}}}
                out.write(json.dumps({"type": "STATE", "value": state}) + "\n")


def run(executable: str, config: Path, input_path: Path) -> tuple[float, int]:
    """Seconds one run takes and the number of RECORD lines it wrote."""
    started = time.perf_counter()
    with input_path.open() as stdin:
        result = subprocess.run(
            [str(BIN / executable), "--config", str(config)],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
    elapsed = time.perf_counter() - started
    return elapsed, result.stdout.count('"type":"RECORD"')


def main() -> None:
    """Run both mappers on the same input and print records/s and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        input_path = folder / "contacts.jsonl"
        write_input(input_path, args.records)
        configs = {"map-marketing-leads": OURS, "meltano-map-transform": STREAM_MAPS}
        rates: dict[str, float] = {}
        for executable, config in configs.items():
            config_path = folder / f"{executable}.json"
            config_path.write_text(json.dumps(config))
            runs = [run(executable, config_path, input_path) for _ in range(args.repeat)]
            best = min(seconds for seconds, _ in runs)
            rates[executable] = args.records / best
            print(
                f"{executable:24} {rates[executable]:>9,.0f} records/s "
                f"(best of {args.repeat}: {best:.2f} s, {runs[0][1]:,} leads out)"
            )
        ratio = rates["map-marketing-leads"] / rates["meltano-map-transform"]
        print(f"ratio map-marketing-leads / meltano-map-transform: {ratio:.2f}x")


if __name__ == "__main__":
    main()
