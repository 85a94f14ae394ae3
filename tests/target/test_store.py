"""Runs of the target against a real store: SQLite always, PostgreSQL when one is reachable."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from lead_store import LATEST_VERSION, admin, open_store, schema
from lead_store.errors import StoreError
from target_marketing_leads.emails import EmailNormaliser
from target_marketing_leads.session import RunSession

from .conftest import lead, outcome_rows, run_in_process, singer_lines, store_snapshot, tombstone

MIXED = [
    lead("1", "Ann.Lee@Example.com"),
    lead("2", "ann.lee@example.COM"),
    lead("3", "Info+news@example.com"),
    lead("4", ""),
    lead("5", "john..doe@x.com"),
    lead("6", "a@b"),
    lead("7", "josé@bücher.de"),
    lead("8", "bob@example.com", first_name=7),
    tombstone("never-seen"),
]


def _runs(url: str) -> list[dict]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return admin.history(conn)
    finally:
        engine.dispose()


def _members(url: str, list_name: str = "Newsletter") -> list[str] | None:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            found = admin.members(conn, list_name)
            return None if found is None else [m["email"] for m in found]
    finally:
        engine.dispose()


def test_first_run_stores_every_outcome_and_the_history(store_url: str) -> None:
    out = run_in_process(store_url, singer_lines(MIXED, state={"bookmarks": {"x": 1}}))
    assert out == [json.dumps({"bookmarks": {"x": 1}})]
    assert [row[4:] for row in outcome_rows(store_url)] == [
        ("new", None),
        ("ignored", "file_duplicate"),
        ("ignored", "role_address"),
        ("ignored", "empty_email"),
        ("ignored", "invalid_pattern"),
        ("ignored", "invalid_pattern"),
        ("new", None),
        ("ignored", "invalid_record"),
        ("deleted", None),
    ]
    (run,) = _runs(store_url)
    assert (run["sync"], run["list"], run["status"]) == ("daily", "Newsletter", "completed")
    assert run["total"] == 9
    assert (run["new"], run["re_added"], run["duplicate"], run["ignored"], run["deleted"]) == (
        2, 0, 0, 6, 1,
    )  # fmt: skip
    assert run["total"] == sum(
        run[k] for k in ("new", "re_added", "duplicate", "ignored", "deleted")
    )
    assert run["ignored_reasons"]["invalid_pattern"] == 2
    assert _members(store_url) == ["ann.lee@example.com", "josé@bücher.de"]


def test_second_run_of_the_same_input_counts_duplicates(store_url: str) -> None:
    run_in_process(store_url, singer_lines(MIXED))
    run_in_process(store_url, singer_lines(MIXED))
    second, first = _runs(store_url)
    assert (second["new"], second["duplicate"], second["ignored"]) == (0, 2, 6)
    assert first["new"] == 2
    assert _members(store_url) == ["ann.lee@example.com", "josé@bücher.de"]


def test_duplicate_updates_the_leads_fields(store_url: str) -> None:
    run_in_process(store_url, singer_lines([lead("1", "ann@example.com", first_name="Ann")]))
    run_in_process(
        store_url,
        singer_lines([lead("1", "ann@example.com", first_name="Anne", attributes={"c": "X"})]),
    )
    leads = store_snapshot(store_url)["leads"]
    assert [(row[0], row[2], row[4]) for row in leads] == [("ann@example.com", "Anne", {"c": "X"})]


def test_unsubscribed_and_bounced_leads_are_never_resubscribed(store_url: str) -> None:
    records = [lead("1", "ann@example.com"), lead("2", "bob@example.com")]
    run_in_process(store_url, singer_lines(records))
    engine = open_store(store_url)
    with engine.begin() as conn:
        now = dt.datetime.now(dt.timezone.utc)
        admin.suppress(
            conn, "unsubscribed", ["ANN@example.com"], normaliser=EmailNormaliser(), now=now
        )
        admin.suppress(conn, "bounced", ["bob@example.com"], normaliser=EmailNormaliser(), now=now)
    engine.dispose()
    assert _members(store_url) == []
    run_in_process(
        store_url, singer_lines([*records, tombstone("1"), lead("1", "ann@example.com")])
    )
    assert [row[4:] for row in outcome_rows(store_url)[2:]] == [
        ("ignored", "unsubscribed"),
        ("ignored", "bounced"),
        ("deleted", None),
        ("ignored", "file_duplicate"),
    ]
    statuses = {row[0]: row[1] for row in store_snapshot(store_url)["leads"]}
    assert statuses == {"ann@example.com": "unsubscribed", "bob@example.com": "bounced"}
    assert _members(store_url) == []


def test_tombstone_deletes_and_a_later_run_re_adds(store_url: str) -> None:
    run_in_process(store_url, singer_lines([lead("c1", "ann@example.com")]))
    run_in_process(store_url, singer_lines([tombstone("c1")]), max_removal_fraction=1)
    assert store_snapshot(store_url)["leads"][0][1] == "deleted"
    assert _members(store_url) == []
    run_in_process(store_url, singer_lines([lead("c1", "ann@example.com")]))
    assert [row[4] for row in outcome_rows(store_url)] == ["new", "deleted", "re_added"]
    assert store_snapshot(store_url)["leads"][0][1] == "active"
    assert _members(store_url) == ["ann@example.com"]


def test_a_tombstone_ends_only_its_runs_link(store_url: str) -> None:
    # One contact feeds two lists: its tombstone in the Newsletter run ends that link only, so the
    # lead stays on VIP (still held there) and active; the VIP run's tombstone ends the last link
    # and the lead, now held by no contact, is deleted and on no list at all. (Before links, the
    # first tombstone deleted the lead and took it off every list.)
    run_in_process(store_url, singer_lines([lead("c1", "ann@example.com", mailing_list="VIP")]))
    run_in_process(store_url, singer_lines([lead("c1", "ann@example.com")]))
    assert _members(store_url, "VIP") == ["ann@example.com"]
    run_in_process(store_url, singer_lines([tombstone("c1")]), max_removal_fraction=1)
    assert store_snapshot(store_url)["leads"][0][1] == "active"
    assert _members(store_url) == []
    assert _members(store_url, "VIP") == ["ann@example.com"]
    run_in_process(
        store_url, singer_lines([tombstone("c1", mailing_list="VIP")]), max_removal_fraction=1
    )
    assert store_snapshot(store_url)["leads"][0][1] == "deleted"
    assert _members(store_url, "VIP") == []


def test_each_sync_and_list_pair_is_its_own_run(store_url: str) -> None:
    records = [
        lead("1", "ann@example.com"),
        lead("1", "ann@example.com", mailing_list="VIP"),
        lead("2", "bob@example.com", sync_name="weekly", mailing_list="VIP"),
    ]
    run_in_process(store_url, singer_lines(records))
    runs = {(r["sync"], r["list"]): r for r in _runs(store_url)}
    assert set(runs) == {("daily", "Newsletter"), ("daily", "VIP"), ("weekly", "VIP")}
    assert runs[("daily", "VIP")]["duplicate"] == 1  # same person, other list: not file_duplicate
    assert _members(store_url, "VIP") == ["ann@example.com", "bob@example.com"]


def test_batches_smaller_than_the_input_give_the_same_result(store_url: str, tmp_path) -> None:
    records = [lead(str(i), f"p{i % 7}@example.com") for i in range(30)] + [tombstone("3")]
    run_in_process(store_url, singer_lines(records), batch_size_rows=4)
    small = store_snapshot(store_url)
    other = f"sqlite:///{tmp_path / 'one_batch.db'}"
    run_in_process(other, singer_lines(records))
    assert small == store_snapshot(other)


def test_configured_role_addresses_replace_the_built_in_list(store_url: str) -> None:
    records = [lead("1", "info@example.com"), lead("2", "hello+x@example.com")]
    run_in_process(store_url, singer_lines(records), role_addresses=["Hello"])
    assert [row[4:] for row in outcome_rows(store_url)] == [
        ("new", None),
        ("ignored", "role_address"),
    ]


def test_state_is_written_only_after_the_commit(store_url: str, monkeypatch) -> None:
    def failing_commit(self: RunSession, **_: object) -> list:
        raise RuntimeError("disk full")

    monkeypatch.setattr(RunSession, "commit", failing_commit)
    with pytest.raises(RuntimeError, match="disk full"):
        run_in_process(store_url, singer_lines([lead("1", "ann@example.com")]))
    monkeypatch.undo()
    assert outcome_rows(store_url) == []


def test_other_streams_are_ignored(store_url: str) -> None:
    other = [
        {"type": "SCHEMA", "stream": "organizations", "schema": {"properties": {"id": {}}},
         "key_properties": ["id"]},
        {"type": "RECORD", "stream": "organizations", "record": {"id": "1"}},
    ]  # fmt: skip
    text = "".join(json.dumps(m) + "\n" for m in other) + singer_lines([lead("1", "a@example.com")])
    run_in_process(store_url, text)
    assert [row[4] for row in outcome_rows(store_url)] == ["new"]


def test_fresh_store_has_the_latest_schema_version(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.connect() as conn:
        versions = conn.execute(sa.select(schema.schema_version.c.version)).scalars().all()
    engine.dispose()
    assert versions == list(range(1, LATEST_VERSION + 1))


def test_store_of_a_newer_version_is_refused(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema.schema_version),
            {
                "version": 99,
                "description": "future",
                "applied_at": dt.datetime.now(dt.timezone.utc),
            },
        )
    engine.dispose()
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(store_url)
