"""Shared helpers for the bad-input suite: the real executables, and an audit of the store.

The audit is the suite's definition of "nothing stored that should have been ignored": it opens
the SQLite store with :mod:`sqlite3` (not through the target's code) and checks every table.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email

from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS

CORPUS = Path(__file__).parent / "corpus"
BIN = Path(sys.executable).parent
MAPPER_EXE = str(BIN / "map-marketing-leads")
TARGET_EXE = str(BIN / "target-marketing-leads")
STORE_TABLES = {
    "schema_version",
    "mailing_lists",
    "leads",
    "list_members",
    "runs",
    "lead_outcomes",
}
OUTCOMES = ("new", "re_added", "duplicate", "ignored", "deleted")
NEVER_STORED_REASONS = ("invalid_record", "empty_email", "invalid_pattern", "role_address")
SQL_INJECTION = "'; DROP TABLE leads; --"

MAPPER_CONFIG: dict[str, Any] = {
    "sync_name": "fuzz",
    "mailing_list": "Fuzz list",
    "criteria": {
        "match": "any",
        "conditions": [
            {"field": "billing_address.country", "operator": "is", "value": SQL_INJECTION},
            {"field": "company_name", "operator": "contains", "value": "$(rm -rf ~)"},
            {"field": "outstanding_receivable_amount", "operator": "greater_than", "value": -1},
            {"field": "created_time", "operator": "after", "value": "2000-01-01"},
            {"field": "email", "operator": "is_not_empty"},
        ],
    },
    "field_map": {"company": "company_name", "country": "billing_address.country"},
}


@dataclass
class Run:
    """What one executable did: exit code, stdout lines, stderr text."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "| ERROR" in line]


def run_executable(
    exe: str, config: dict[str, Any], text: str, tmp_path: Path, *, timeout: float = 60
) -> Run:
    """Run a console script of this virtualenv with ``--config`` on ``text``."""
    config_file = tmp_path / f"{Path(exe).name}.json"
    config_file.write_text(json.dumps(config))
    done = subprocess.run(
        [exe, "--config", str(config_file)],
        input=text.encode("utf-8", "surrogatepass"),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "surrogatepass"),
        done.stderr.decode("utf-8", "replace"),
    )


def assert_stopped_with_one_clear_line(run: Run, *phrases: str) -> str:
    """Exit code != 0, exactly one ERROR line holding every phrase, and no traceback."""
    assert run.returncode != 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    errors = run.error_lines()
    assert len(errors) == 1, run.stderr[-3000:]
    for phrase in phrases:
        assert phrase in errors[0], errors[0]
    assert len(errors[0]) < 1000, "the error line quotes too much of the input"
    return errors[0]


def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def target_config(db: Path) -> dict[str, Any]:
    return {"database_url": f"sqlite:///{db}"}


def table_names(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def outcomes(db: Path) -> list[tuple[Any, ...]]:
    """(position, email, outcome, reason, detail) of every stored outcome, in input order."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT position, email, outcome, reason, detail FROM lead_outcomes "
            "ORDER BY run_id, position"
        ).fetchall()


def audit_store(db: Path) -> dict[str, Any]:
    """Check every invariant of a store after hostile input; return leads and runs for more."""
    assert table_names(db) >= STORE_TABLES, "a table of the store is gone"
    with sqlite3.connect(db) as conn:
        leads = conn.execute("SELECT id, email, status FROM leads").fetchall()
        runs = conn.execute(
            "SELECT id, total, new, re_added, duplicate, ignored, deleted FROM runs"
        ).fetchall()
        per_run = dict(conn.execute("SELECT run_id, count(*) FROM lead_outcomes GROUP BY run_id"))
        members = conn.execute(
            "SELECT leads.status FROM list_members JOIN leads ON leads.id = list_members.lead_id"
        ).fetchall()
        # An email ignored for one record may still be stored by another, valid record of the
        # same address: only emails that never had a joining outcome must be absent.
        never = conn.execute(
            "SELECT email FROM lead_outcomes WHERE email IS NOT NULL AND reason IN (?, ?, ?, ?)",
            NEVER_STORED_REASONS,
        ).fetchall()
        joined = {
            _normalised_or_none(email)
            for (email,) in conn.execute(
                "SELECT email FROM lead_outcomes WHERE email IS NOT NULL "
                "AND outcome IN ('new', 're_added', 'duplicate')"
            )
        }
    stored = {email for _, email, _ in leads}
    for _, email, _status in leads:
        assert "\x00" not in email
        normalised = validate_email(email, check_deliverability=False).normalized.lower()
        assert normalised == email, f"stored email {email!r} is not in normalised form"
        local = email.rsplit("@", 1)[0].split("+", 1)[0]
        assert local not in DEFAULT_ROLE_LOCAL_PARTS, f"role address stored: {email!r}"
    for run_id, total, *counts in runs:
        assert total == sum(counts), f"run {run_id}: total != new + ... + deleted"
        assert total == per_run.get(run_id, 0), f"run {run_id}: total != outcomes stored"
    assert {status for (status,) in members} <= {"active"}
    for (email,) in never:
        if _normalised_or_none(email) in joined:
            continue
        assert _normalised_or_none(email) not in stored, f"ignored email stored: {email!r}"
    return {"emails": stored, "runs": runs}


def _normalised_or_none(email: str) -> str | None:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None
