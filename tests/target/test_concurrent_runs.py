"""Several syncs loading one PostgreSQL store at once, with overlapping emails: real processes.

Each run is a real ``target-marketing-leads`` process on its own sync and list; half of every
run's emails are shared with the others. All must finish (no deadlock, no lock timeout), each
run's history must add up, every shared email must be ``new`` in exactly one run and
``duplicate`` in the others, and no run's memberships may be lost.
"""

from __future__ import annotations

import collections
import json
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from lead_store import schema

from .conftest import TARGET_EXE, _config_file, lead, singer_lines

pytestmark = pytest.mark.postgres

RUNS = 4
SHARED = 3_000
OWN = 3_000


def _records(run: int) -> list[dict]:
    sync, mailing_list = f"sync-{run}", f"list-{run}"
    shared = [
        lead(f"s{i}", f"shared{i}@example.com", sync_name=sync, mailing_list=mailing_list)
        for i in range(SHARED)
    ]
    own = [
        lead(f"o{run}-{i}", f"own{run}-{i}@example.com", sync_name=sync, mailing_list=mailing_list)
        for i in range(OWN)
    ]
    # Interleaved, each run in its own order: a real risk of opposite lock orders.
    mixed = [r for pair in zip(shared, own, strict=True) for r in pair]
    return mixed if run % 2 else mixed[::-1]


def test_several_syncs_at_once_finish_and_count_each_new_email_once(
    postgres_url: str, tmp_path: Path
) -> None:
    inputs = []
    for run in range(RUNS):
        inputs.append(tmp_path / f"run{run}.singer")
        inputs[-1].write_text(singer_lines(_records(run)))
    config = _config_file(postgres_url, {"batch_size_rows": 1000})
    processes = [  # all started before any is waited for: they load at the same time
        subprocess.Popen(
            [TARGET_EXE, "--config", config, "--input", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in inputs
    ]
    results = [p.communicate(timeout=600) for p in processes]
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err[-3000:]
        assert json.loads(out.splitlines()[-1]) == {"bookmarks": {"done": True}}

    engine = sa.create_engine(postgres_url)
    o, r, m, ld = schema.lead_outcomes, schema.runs, schema.list_members, schema.mailing_lists
    try:
        with engine.connect() as conn:
            outcomes = conn.execute(sa.select(o.c.email, o.c.outcome, r.c.sync_name).join(r)).all()
            history = conn.execute(sa.select(r.c.sync_name, r.c.status, r.c.total, r.c.new)).all()
            members = conn.execute(
                sa.select(ld.c.name, sa.func.count()).join(m).group_by(ld.c.name)
            ).all()
            leads = conn.execute(sa.select(sa.func.count()).select_from(schema.leads)).scalar()
    finally:
        engine.dispose()

    by_email: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for email, outcome, _sync in outcomes:
        by_email[email][outcome] += 1
    for i in range(SHARED):
        assert by_email[f"shared{i}@example.com"] == {"new": 1, "duplicate": RUNS - 1}
    assert all(c == {"new": 1} for e, c in by_email.items() if e.startswith("own"))
    assert sorted(history) == [
        (
            f"sync-{run}",
            "completed",
            SHARED + OWN,
            sum(1 for x in outcomes if x[2] == f"sync-{run}" and x[1] == "new"),
        )
        for run in range(RUNS)
    ]
    assert sum(new for *_, new in history) == leads == SHARED + RUNS * OWN
    assert sorted(members) == [(f"list-{run}", SHARED + OWN) for run in range(RUNS)]
