"""The report model read from a store: runs, reasons, last run, list sizes over time."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from marketing_leads.report import UnknownSync, build_report
from marketing_leads.report.data import OUTCOMES, list_sizes

from .conftest import NEWSLETTER_SIZES, cli_json

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.timezone.utc)


def _report(url: str, sync: str | None = None):  # type: ignore[no-untyped-def]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return build_report(conn, sync, now=NOW)
    finally:
        engine.dispose()


def test_runs_are_the_history_oldest_first(filled_store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    history = cli_json(capsys, filled_store, "history")["runs"]
    report = _report(filled_store)
    assert [s.sync for s in report.syncs] == ["daily", "weekly"]
    daily = report.syncs[0]
    assert daily.runs == list(reversed([r for r in history if r["sync"] == "daily"]))
    assert [daily.outcome_totals(r) for r in daily.runs] == [
        {o: r[o] for o in OUTCOMES} for r in reversed(history) if r["sync"] == "daily"
    ]
    assert daily.reasons == ["invalid_pattern", "role_address", "file_duplicate", "bounced"]


def test_last_run_detail_is_its_outcomes(filled_store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    daily = _report(filled_store).syncs[0]
    shown = cli_json(capsys, filled_store, "outcomes", str(daily.last_run["run_id"]))
    assert daily.last_run == shown["run"]
    assert daily.last_outcomes == shown["outcomes"]
    assert [(o["email"], o["outcome"]) for o in daily.last_outcomes] == [
        ("carl@x.org", "ignored"),
        ("bob@example.com", "re_added"),
        ("eve@example.com", "new"),
    ]


def test_list_sizes_replay_ends_at_todays_members(filled_store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    members_now = {
        x["list"]: x["members"] for x in cli_json(capsys, filled_store, "lists")["lists"]
    }
    engine = sa.create_engine(filled_store)
    with engine.connect() as conn:
        sizes = list_sizes(conn)
    engine.dispose()
    assert [p.members for p in sizes["Newsletter"].points] == NEWSLETTER_SIZES
    assert [p.members for p in sizes["Partners"].points] == [1]
    assert sizes["Newsletter"].points[2].run_id is None  # the suppression
    for name, found in sizes.items():
        assert found.members_now == members_now[name]
        assert found.consistent


def test_a_store_changed_behind_the_target_is_flagged(filled_store: str) -> None:
    engine = sa.create_engine(filled_store)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM list_members"))
    with engine.connect() as conn:
        newsletter = list_sizes(conn)["Newsletter"]
    engine.dispose()
    assert newsletter.members_now == 0
    assert not newsletter.consistent


def test_one_sync_and_an_unknown_one(filled_store: str) -> None:
    assert [s.sync for s in _report(filled_store, "weekly").syncs] == ["weekly"]
    with pytest.raises(UnknownSync, match="no finished run of sync 'monthly'"):
        _report(filled_store, "monthly")


def test_an_empty_store_has_no_sections(sqlite_url: str) -> None:
    from lead_store import open_store

    open_store(sqlite_url).dispose()
    assert _report(sqlite_url).syncs == []
