"""A full-table source for the pipeline tests: a real tap-postgres reading a table of contacts.

Two real taps (``tests/singer_tools.py``, each in its own virtualenv) read the table ``contacts``
of a schema of their own in the test PostgreSQL database, selected with
``replication-method: FULL_TABLE`` in their catalog:

- pipelinewise-tap-postgres (singer-python): ACTIVATE_VERSION before the first load's records
  and again after every complete load, the Singer convention a target acts on;
- meltanolabs-tap-postgres (singer-sdk, ``emit_activate_version_messages`` on): ACTIVATE_VERSION
  only before the records, never after them.

Their output goes through the real ``map-marketing-leads`` into the real
``target-marketing-leads``, each over stdin/stdout.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from pathlib import Path

import sqlalchemy as sa

from lead_store import admin, open_store
from lead_store import schema as store_schema
from leads_contract import LEADS_STREAM
from tests.singer_tools import PIPELINEWISE_TAP_POSTGRES, TAP_POSTGRES, installed

from .conftest import executable

SCHEMA = "full_table_source"
STREAM = f"{SCHEMA}-contacts"
"""tap-postgres names a stream ``<schema>-<table>``."""
MAPPING = {
    "sync_name": "crm-contacts",
    "mailing_list": "Customers",
    "source_stream": STREAM,
    "source_system": "crm_postgres",
    "source_org_id_field": "organization_id",
    "source_id_field": "contact_id",
    "source_modified_at_field": "updated_at",
}


def create_contacts(pg_url: str, emails: t.Sequence[str]) -> None:
    """The source table, with one contact per email (ids 1, 2, ...)."""
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
            conn.exec_driver_sql(
                f"CREATE TABLE {SCHEMA}.contacts (contact_id integer PRIMARY KEY, "
                "organization_id text NOT NULL, email text, first_name text, last_name text, "
                "updated_at timestamptz NOT NULL DEFAULT now())"
            )
            conn.execute(
                sa.text(f"INSERT INTO {SCHEMA}.contacts (contact_id, organization_id, email) "
                        "VALUES (:id, 'org-1', :email)"),
                [{"id": i, "email": email} for i, email in enumerate(emails, start=1)],
            )  # fmt: skip
    finally:
        engine.dispose()


def delete_contact(pg_url: str, contact_id: int) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {SCHEMA}.contacts WHERE contact_id = {contact_id}")
    finally:
        engine.dispose()


def _run(command: list[str], stdin: str) -> str:
    done = subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command[0]}: {done.stderr[-3000:]}"
    return done.stdout


def _write(path: Path, config: dict[str, t.Any]) -> str:
    path.write_text(json.dumps(config))
    return str(path)


def tap_output(pg_url: str, workdir: Path, *, closing: bool = True) -> list[dict[str, t.Any]]:
    """One run of a tap-postgres over the table: its Singer messages.

    ``closing``: pipelinewise-tap-postgres, which closes each complete load with an
    ACTIVATE_VERSION; else meltanolabs-tap-postgres, which only opens it.
    """
    url = sa.make_url(pg_url)
    login = {"host": url.host, "port": url.port or 5432, "user": url.username,
             "password": url.password}  # fmt: skip
    if closing:
        tap = str(installed(*PIPELINEWISE_TAP_POSTGRES))
        config = {**login, "dbname": url.database, "filter_schemas": SCHEMA}
        catalog_flag = "--properties"
    else:
        tap = str(installed(*TAP_POSTGRES))
        config = {**login, "database": url.database, "filter_schemas": [SCHEMA],
                  "emit_activate_version_messages": True}  # fmt: skip
        catalog_flag = "--catalog"
    config_path = _write(workdir / "tap.json", config)
    catalog = json.loads(_run([tap, "--config", config_path, "--discover"], ""))
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"].update({"selected": True, "replication-method": "FULL_TABLE"})
    catalog_path = _write(workdir / "catalog.json", catalog)
    out = _run([tap, "--config", config_path, catalog_flag, catalog_path], "")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def load(
    messages: t.Sequence[dict[str, t.Any]],
    store_url: str,
    workdir: Path,
    *,
    max_removal_fraction: float = 1,
) -> subprocess.CompletedProcess[str]:
    """The messages through the real mapper into the real target; the target's process.

    The removal guard is off unless a test sets ``max_removal_fraction``: one row of a table of
    four is already more than its 10% default.
    """
    lines = "".join(json.dumps(m) + "\n" for m in messages)
    mapper_config = _write(workdir / "mapping.json", MAPPING)
    leads = _run([executable("map-marketing-leads"), "--config", mapper_config], lines)
    assert f'"stream":"{LEADS_STREAM}"' in leads.replace(" ", "")
    config = {"database_url": store_url, "max_removal_fraction": max_removal_fraction}
    target_config = _write(workdir / "target.json", config)
    return subprocess.run(
        [executable("target-marketing-leads"), "--config", target_config],
        input=leads,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def loaded(messages: t.Sequence[dict[str, t.Any]], store_url: str, workdir: Path) -> str:
    """:func:`load`, which must succeed; the target's stderr."""
    done = load(messages, store_url, workdir)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def kinds(messages: t.Sequence[dict[str, t.Any]]) -> list[str]:
    """The message types in order, consecutive RECORDs as one."""
    found: list[str] = []
    for message in messages:
        if not (found and found[-1] == message["type"] == "RECORD"):
            found.append(message["type"])
    return found


def members(store_url: str) -> list[str]:
    engine = open_store(store_url)
    try:
        with engine.connect() as conn:
            return sorted(m["email"] for m in admin.members(conn, MAPPING["mailing_list"]) or [])
    finally:
        engine.dispose()


def last_run_outcomes(store_url: str) -> list[tuple[str, str, str | None]]:
    """(source id, outcome, detail) of the newest run, in input order."""
    engine = open_store(store_url)
    o = store_schema.lead_outcomes
    try:
        with engine.connect() as conn:
            run_id = admin.history(conn)[0]["run_id"]
            rows = conn.execute(
                sa.select(o.c.source_id, o.c.outcome, o.c.detail)
                .where(o.c.run_id == run_id)
                .order_by(o.c.position)
            )
            return [(row[0], row[1], row[2]) for row in rows]
    finally:
        engine.dispose()
