"""The benchmark compares like with like: both mappers emit the same leads from its input."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench" / "bench_mapper.py"

pytestmark = pytest.mark.e2e


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_mapper", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_configs_produce_identical_leads(tmp_path: Path) -> None:
    bench = load_bench()
    input_path = tmp_path / "contacts.jsonl"
    bench.write_input(input_path, 2000)
    leads = {}
    for executable, config in {
        "map-marketing-leads": bench.OURS,
        "meltano-map-transform": bench.STREAM_MAPS,
    }.items():
        config_path = tmp_path / f"{executable}.json"
        config_path.write_text(json.dumps(config))
        with input_path.open() as stdin:
            result = subprocess.run(
                [str(bench.BIN / executable), "--config", str(config_path)],
                stdin=stdin,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
        messages = [json.loads(line) for line in result.stdout.splitlines()]
        leads[executable] = [m["record"] for m in messages if m["type"] == "RECORD"]
    ours, theirs = leads["map-marketing-leads"], leads["meltano-map-transform"]
    assert 0 < len(ours) < 2000, "the filter keeps some records and drops others"
    assert any(lead["_sdc_deleted_at"] for lead in ours), "tombstones are part of the input"
    assert ours == theirs
