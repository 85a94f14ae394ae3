"""One switch turns every speed path off, and a run loads the same store either way."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

import pytest

from target_marketing_leads.emails import EmailNormaliser
from target_marketing_leads.fast_paths import SWITCH, enabled, loading_rules
from target_marketing_leads.fast_paths.gc_pause import cycle_collection_paused
from target_marketing_leads.fast_paths.plain_email import FastEmailNormaliser
from target_marketing_leads.fast_paths.plain_record import parse_lead_fast
from target_marketing_leads.validation import parse_lead
from tests.target.conftest import lead, run_in_process, singer_lines, store_snapshot, tombstone
from tests.target.test_store import MIXED as STORE_MIXED

MIXED = [
    *STORE_MIXED,
    lead("10", "carl@example.com", attributes={"n": 1, "deep": {"x": ["y"]}}),
    lead("11", "dora@example.com", source_modified_at="not a date"),
    lead("12", "eve@example.com", last_name="x" * 20_000),
    lead("13", "POSTMASTER@example.com"),
    tombstone("1"),
    lead("14", "ann.lee@example.com"),
]


def test_the_switch_picks_the_reference_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SWITCH, raising=False)
    assert enabled()
    fast = loading_rules()
    assert fast.parse_lead is parse_lead_fast
    assert type(fast.normaliser) is FastEmailNormaliser
    assert fast.batch_context is cycle_collection_paused

    for off in ("off", "0", "false", "No"):
        monkeypatch.setenv(SWITCH, off)
        assert not enabled()
        reference = loading_rules()
        assert reference.parse_lead is parse_lead
        assert type(reference.normaliser) is EmailNormaliser
        assert reference.batch_context is contextlib.nullcontext


def test_deliverability_checks_bypass_the_email_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SWITCH, raising=False)
    normaliser = loading_rules(check_deliverability=True).normaliser
    assert normaliser.check_deliverability
    assert normaliser._plain is None  # type: ignore[attr-defined]


def test_a_run_loads_the_same_store_with_the_speed_paths_on_or_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stores = {}
    for setting in ("on", "off"):
        monkeypatch.setenv(SWITCH, setting)
        url = f"sqlite:///{tmp_path / f'{setting}.db'}"
        run_in_process(url, singer_lines(MIXED))
        run_in_process(url, singer_lines(MIXED[::-1]))
        stores[setting] = store_snapshot(url)
    assert stores["on"] == stores["off"]
    assert stores["on"]["outcomes"], "the runs stored no outcome"


def test_the_collector_runs_again_after_a_batch_even_one_that_fails() -> None:
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collection_paused():
        raise RuntimeError("batch failed")
    assert gc.isenabled()


def test_a_paused_collector_stays_as_the_caller_left_it() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
