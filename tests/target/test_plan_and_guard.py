"""Dry runs and the removal guard, run by the real target executable on SQLite and PostgreSQL.

A planned or blocked run stores its history row and outcomes, changes no lead or membership,
and writes no STATE; an approval lets the next run apply the removals once.
"""

from __future__ import annotations

import json
import subprocess

import sqlalchemy as sa

from lead_store import schema

from .conftest import CLI_EXE, lead, run_executable, singer_lines, store_snapshot, tombstone

TEN = [lead(f"c{i}", f"p{i}@example.com") for i in range(10)]


def _cli(url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI_EXE, "--database-url", url, *argv], capture_output=True, text=True, check=False
    )


def _history(url: str) -> list[dict]:
    done = _cli(url, "history", "--json")
    assert done.returncode == 0, done.stderr
    return list(reversed(json.loads(done.stdout)["runs"]))


def _counts(run: dict) -> tuple[int, ...]:
    keys = ("total", "new", "re_added", "duplicate", "ignored", "deleted", "removed", "departures")
    return tuple(run[key] for key in keys)


def _outcomes(url: str, run_id: int) -> list[tuple]:
    done = _cli(url, "outcomes", str(run_id), "--json")
    rows = json.loads(done.stdout)["outcomes"]
    return [(r["position"], r["email"], r["outcome"], r["reason"], r["changes"]) for r in rows]


def _applied(url: str) -> dict[str, list]:
    snapshot = store_snapshot(url)
    return {"leads": snapshot["leads"], "members": snapshot["members"]}


def _states(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stdout.splitlines() if '"STATE"' in line or "bookmarks" in line]


def test_a_dry_run_plans_exactly_what_the_real_run_then_does(store_url: str) -> None:
    assert run_executable(store_url, singer_lines(TEN)).returncode == 0
    before = _applied(store_url)
    changed = [
        lead("c1", "p1@example.com", first_name="Anna", attributes={"company_name": "Beta"}),
        lead("c2", "p2@example.com"),
        lead("c20", "new@example.com"),
        lead("c21", "info@example.com"),
        tombstone("c3"),
    ]
    # Two records a batch: the plan is made batch by batch, as the real run's is.
    planned = run_executable(store_url, singer_lines(changed), dry_run=True, batch_size_rows=2)
    assert planned.returncode == 0, planned.stderr[-2000:]
    assert planned.stdout == ""  # no STATE: the next run reads the same changes again
    assert _applied(store_url) == before

    real = run_executable(store_url, singer_lines(changed), batch_size_rows=2)
    assert real.returncode == 0, real.stderr[-2000:]
    assert len(_states(real)) == 1
    _first, dry, applied = _history(store_url)
    assert (dry["status"], applied["status"]) == ("planned", "completed")
    assert _counts(dry) == _counts(applied) == (5, 1, 0, 2, 1, 1, 0, 1)
    assert _outcomes(store_url, dry["run_id"]) == _outcomes(store_url, applied["run_id"])
    assert _outcomes(store_url, dry["run_id"])[0][4] == {
        "first_name": {"before": "Ann", "after": "Anna"},
        "attributes.company_name": {"before": "Acme", "after": "Beta"},
    }
    assert _outcomes(store_url, dry["run_id"])[1][4] is None  # p2 came unchanged
    assert f"Run {dry['run_id']} (planned)" in planned.stderr
    assert "p3@example.com" not in [m[1] for m in _applied(store_url)["members"]]


def test_a_run_removing_too_many_members_is_blocked_until_approved(store_url: str) -> None:
    assert run_executable(store_url, singer_lines(TEN)).returncode == 0
    before = _applied(store_url)
    four_gone = [tombstone(f"c{i}") for i in range(4)]

    blocked = run_executable(store_url, singer_lines(four_gone))
    assert blocked.returncode == 1
    assert blocked.stdout == ""
    run_id = _history(store_url)[-1]["run_id"]
    errors = [line for line in blocked.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1
    assert errors[0].endswith(
        f"run {run_id} would remove 4 of 10 members of 'Newsletter' (40%, limit 10%): review "
        f"with 'marketing-leads outcomes {run_id} --outcome deleted', then 'marketing-leads "
        f"approve {run_id}' and run the sync again"
    )
    assert '"metric":"run_blocked"' in blocked.stderr
    assert _applied(store_url) == before
    entry = _history(store_url)[-1]
    assert (entry["status"], entry["deleted"], entry["departures"]) == ("blocked", 4, 4)
    assert [o[2] for o in _outcomes(store_url, run_id)] == ["deleted"] * 4

    approved = _cli(store_url, "approve", str(run_id), "--json")
    assert approved.returncode == 0, approved.stderr
    assert json.loads(approved.stdout)["removals"] == 4
    assert _history(store_url)[-1]["approved_by"]

    applied = run_executable(store_url, singer_lines(four_gone))
    assert applied.returncode == 0, applied.stderr[-2000:]
    assert len(_states(applied)) == 1
    members = [m[1] for m in _applied(store_url)["members"]]
    assert members == [f"p{i}@example.com" for i in range(4, 10)]
    latest = _history(store_url)[-1]
    assert (latest["status"], latest["departures"]) == ("completed", 4)
    assert _approval_used_by(store_url, run_id) == latest["run_id"]

    # The approval is used up: the next large removal (2 of 6 > 10%) is blocked again.
    again = run_executable(store_url, singer_lines([tombstone("c4"), tombstone("c5")]))
    assert again.returncode == 1
    assert "would remove 2 of 6 members of 'Newsletter' (33%, limit 10%)" in again.stderr


def _approval_used_by(url: str, run_id: int) -> int | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            approvals = schema.run_approvals
            query = sa.select(approvals.c.used_by_run_id).where(approvals.c.run_id == run_id)
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


def test_a_run_blocked_by_removals_points_at_its_removed_outcomes(store_url: str) -> None:
    assert run_executable(store_url, singer_lines(TEN)).returncode == 0
    leaving = [
        lead(f"c{i}", f"p{i}@example.com", meets_criteria=False) for i in range(3)
    ]  # contacts that no longer meet the sync's criteria (when_no_longer_matching: remove)
    blocked = run_executable(store_url, singer_lines(leaving))
    assert blocked.returncode == 1
    run_id = _history(store_url)[-1]["run_id"]
    assert (
        f"would remove 3 of 10 members of 'Newsletter' (30%, limit 10%): review with "
        f"'marketing-leads outcomes {run_id} --outcome removed', then" in blocked.stderr
    )


def test_an_approval_does_not_cover_a_bigger_removal(store_url: str) -> None:
    people = [lead(f"c{i}", f"p{i}@example.com") for i in range(40)]
    assert run_executable(store_url, singer_lines(people)).returncode == 0
    assert (
        run_executable(store_url, singer_lines([tombstone(f"c{i}") for i in range(8)])).returncode
        == 1
    )
    run_id = _history(store_url)[-1]["run_id"]
    assert _cli(store_url, "approve", str(run_id)).returncode == 0
    # 4 allowed (10% of 40) + 8 approved + a margin of 5: 18 would be more.
    bigger = run_executable(store_url, singer_lines([tombstone(f"c{i}") for i in range(18)]))
    assert bigger.returncode == 1
    assert "(45%, limit 10% + 13 approved)" in bigger.stderr
    assert len(_applied(store_url)["members"]) == 40
    assert _approval_used_by(store_url, run_id) is None


def test_one_blocked_run_stops_every_run_of_the_process(store_url: str) -> None:
    vip = [lead(f"v{i}", f"v{i}@example.com", mailing_list="VIP") for i in range(10)]
    assert run_executable(store_url, singer_lines(TEN + vip)).returncode == 0
    before = _applied(store_url)
    mixed = [tombstone("c0"), tombstone("c1"), lead("c30", "late@example.com", mailing_list="VIP")]
    done = run_executable(store_url, singer_lines(mixed))
    assert done.returncode == 1
    assert done.stdout == ""
    assert _applied(store_url) == before
    statuses = {(run["list"], run["status"]) for run in _history(store_url)[-2:]}
    assert statuses == {("Newsletter", "blocked"), ("VIP", "planned")}


def test_removing_from_a_list_with_no_members_is_never_blocked(store_url: str) -> None:
    done = run_executable(store_url, singer_lines([tombstone("c1"), lead("c2", "a@example.com")]))
    assert done.returncode == 0, done.stderr[-2000:]
    assert _history(store_url)[-1]["status"] == "completed"


def test_a_dry_run_that_would_be_blocked_is_planned_and_says_so(store_url: str) -> None:
    assert run_executable(store_url, singer_lines(TEN)).returncode == 0
    done = run_executable(store_url, singer_lines([tombstone("c1"), tombstone("c2")]), dry_run=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "a real run would be blocked; it would remove 2 of 10 members" in done.stderr
    assert _history(store_url)[-1]["status"] == "planned"


def test_a_blocked_run_keeps_every_outcome_of_a_long_run(store_url: str) -> None:
    assert run_executable(store_url, singer_lines(TEN)).returncode == 0
    many = [tombstone(f"c{i}") for i in range(5)]
    many += [lead(f"n{i}", f"n{i}@example.com") for i in range(10_010)]
    done = run_executable(store_url, singer_lines(many), batch_size_rows=3000)
    assert done.returncode == 1
    run = _history(store_url)[-1]
    assert (run["status"], run["total"], run["new"], run["departures"]) == (
        "blocked", 10_015, 10_010, 5,
    )  # fmt: skip
    outcomes = _outcomes(store_url, run["run_id"])
    assert [o[0] for o in outcomes] == list(range(1, 10_016))
    assert len(_applied(store_url)["members"]) == 10
