"""Shared helpers for the target's tests: Singer lines, stores (SQLite, PostgreSQL), runs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import typing as t
from contextlib import redirect_stdout
from pathlib import Path

import sqlalchemy as sa

from lead_store import schema
from leads_contract import LEADS_SCHEMA_MESSAGE
from target_marketing_leads.target import TargetMarketingLeads

FIXTURES = Path(__file__).parent / "fixtures"
TARGET_EXE = str(Path(sys.executable).parent / "target-marketing-leads")
CLI_EXE = str(Path(sys.executable).parent / "marketing-leads")


def lead(source_id: str, email: str | None, **fields: t.Any) -> dict[str, t.Any]:
    """A leads record of sync 'daily', list 'Newsletter', org '1' unless overridden."""
    record: dict[str, t.Any] = {
        "email": email,
        "first_name": "Ann",
        "last_name": "Lee",
        "attributes": {"company_name": "Acme"},
        "mailing_list": "Newsletter",
        "sync_name": "daily",
        "source_system": "zoho_invoice",
        "source_org_id": "1",
        "source_id": source_id,
        "source_modified_at": "2026-06-09T17:15:06.000000+00:00",
        "_sdc_deleted_at": None,
    }
    record.update(fields)
    return record


def tombstone(source_id: str, **fields: t.Any) -> dict[str, t.Any]:
    """A deleted contact: only its keys, run fields and ``_sdc_deleted_at``."""
    record = {
        "mailing_list": "Newsletter",
        "sync_name": "daily",
        "source_org_id": "1",
        "source_id": source_id,
        "email": None,
        "_sdc_deleted_at": "2026-06-10T08:00:00+00:00",
    }
    record.update(fields)
    return record


def singer_lines(records: t.Iterable[dict[str, t.Any]], state: t.Any = None) -> str:
    """SCHEMA, one RECORD per record, and a STATE, as Singer text."""
    lines = [json.dumps(LEADS_SCHEMA_MESSAGE)]
    lines += [json.dumps({"type": "RECORD", "stream": "leads", "record": r}) for r in records]
    lines.append(json.dumps({"type": "STATE", "value": state or {"bookmarks": {"done": True}}}))
    return "\n".join(lines) + "\n"


def run_in_process(url: str, text: str, **config: t.Any) -> list[str]:
    """Run the target in this process on ``text``; return the lines it wrote to stdout."""
    target = TargetMarketingLeads(config={"database_url": url, **config})
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            target.listen(io.StringIO(text))
    finally:
        target.close()
    return out.getvalue().splitlines()


def run_unguarded(url: str, text: str, **config: t.Any) -> list[str]:
    """:func:`run_in_process` with the removal guard off, for tests whose subject is not the
    guard: their lists of two or three members would trip its 10% default on one removal."""
    return run_in_process(url, text, **{"max_removal_fraction": 1, **config})


def run_executable(
    url: str, text: str, *, timeout: float = 120, **config: t.Any
) -> subprocess.CompletedProcess[str]:
    """Run the real ``target-marketing-leads`` on ``text``."""
    return subprocess.run(
        [TARGET_EXE, "--config", _config_file(url, config)],
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _config_file(url: str, config: dict[str, t.Any]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"database_url": url, **config}, handle)
    return handle.name


def query_rows(url: str, query: sa.Select[t.Any]) -> list[tuple[t.Any, ...]]:
    """The rows ``query`` reads from the store at ``url`` (a fresh engine, disposed after)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def outcome_rows(url: str) -> list[tuple[t.Any, ...]]:
    """(run sync, list, position, email, outcome, reason) for every stored outcome."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = (
                sa.select(
                    schema.runs.c.sync_name,
                    schema.mailing_lists.c.name,
                    schema.lead_outcomes.c.position,
                    schema.lead_outcomes.c.email,
                    schema.lead_outcomes.c.outcome,
                    schema.lead_outcomes.c.reason,
                )
                .join(schema.runs, schema.runs.c.id == schema.lead_outcomes.c.run_id)
                .join(schema.mailing_lists, schema.mailing_lists.c.id == schema.runs.c.list_id)
                .order_by(schema.runs.c.id, schema.lead_outcomes.c.position)
            )
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def store_snapshot(url: str) -> dict[str, list[tuple[t.Any, ...]]]:
    """The store's content without ids and timestamps, for comparing two stores row by row."""
    engine = sa.create_engine(url)
    ls, m, ld = schema.leads, schema.list_members, schema.mailing_lists
    r = schema.runs
    try:
        with engine.connect() as conn:
            leads = conn.execute(
                sa.select(
                    ls.c.email, ls.c.status, ls.c.first_name, ls.c.last_name, ls.c.attributes,
                    ls.c.source_org_id, ls.c.source_id, ls.c.source_modified_at,
                ).order_by(ls.c.email)
            )  # fmt: skip
            members = conn.execute(
                sa.select(ld.c.name, ls.c.email)
                .join(m, m.c.list_id == ld.c.id)
                .join(ls, ls.c.id == m.c.lead_id)
                .order_by(ld.c.name, ls.c.email)
            )
            runs = conn.execute(
                sa.select(
                    r.c.sync_name, r.c.status, r.c.total, r.c.new, r.c.re_added,
                    r.c.duplicate, r.c.ignored, r.c.deleted,
                ).order_by(r.c.id)
            )  # fmt: skip
            return {
                "leads": [tuple(x) for x in leads],
                "members": [tuple(x) for x in members],
                "runs": [tuple(x) for x in runs],
                "outcomes": _plain_outcomes(conn),
            }
    finally:
        engine.dispose()


def _plain_outcomes(conn: sa.Connection) -> list[tuple[t.Any, ...]]:
    o = schema.lead_outcomes
    query = sa.select(o.c.position, o.c.email, o.c.outcome, o.c.reason, o.c.detail).order_by(
        o.c.run_id, o.c.position
    )
    return [tuple(x) for x in conn.execute(query)]
