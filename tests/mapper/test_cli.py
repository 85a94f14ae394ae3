"""End to end: Singer files piped through the real ``map-marketing-leads`` executable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, INDIA_CONFIG, parse_lines

EXECUTABLE = Path(sys.executable).parent / "map-marketing-leads"

pytestmark = pytest.mark.e2e


def run_cli(tmp_path: Path, config: dict, fixture: str) -> subprocess.CompletedProcess[str]:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    with (FIXTURES / fixture).open() as stdin:
        return subprocess.run(
            [str(EXECUTABLE), "--config", str(config_path)],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def metric_points(stderr: str) -> list[dict]:
    return [
        json.loads(line.split("METRIC: ", 1)[1])
        for line in stderr.splitlines()
        if "METRIC: " in line
    ]


def test_pipe_a_singer_file_through_the_executable(tmp_path: Path) -> None:
    result = run_cli(tmp_path, INDIA_CONFIG, "contacts_india_filter.jsonl")
    assert result.returncode == 0, result.stderr
    out = parse_lines(result.stdout)
    assert [(m["type"], m.get("stream")) for m in out] == [
        ("SCHEMA", "leads"),
        ("RECORD", "leads"),
        ("RECORD", "leads"),
        ("STATE", None),
        ("RECORD", "leads"),
        ("STATE", None),
    ]
    leads = [m["record"] for m in out if m["type"] == "RECORD"]
    assert [lead["email"] for lead in leads] == ["asha@example.in", "chitra@example.in", ""]
    assert {lead["mailing_list"] for lead in leads} == {"India customers"}
    assert {lead["source_system"] for lead in leads} == {"zoho_invoice"}
    assert "company_name" not in leads[0] and "phone" not in json.dumps(leads[0])

    mapper_points = [p for p in metric_points(result.stderr) if p["metric"] == "mapper_records"]
    assert {p["tags"]["outcome"]: p["value"] for p in mapper_points} == {
        "in": 5,
        "met_criteria": 3,
        "filtered_out": 2,
        "leaving": 0,
        "tombstone": 0,
    }
    assert {p["tags"]["sync"] for p in mapper_points} == {"india-customers"}


def test_config_error_exits_non_zero_with_one_clear_line(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path, {**INDIA_CONFIG, "field_map": {"email": ""}}, "contacts_india_filter.jsonl"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if "| ERROR" in line]
    assert errors[0].endswith(
        "field_map.email must stay mapped: the target matches leads by email; "
        "map it to the source field that holds the address"
    )
    assert "Traceback" not in result.stderr


def test_unknown_operator_exits_non_zero_naming_the_operator(tmp_path: Path) -> None:
    criteria = {"conditions": [{"field": "email", "operator": "equals", "value": "x"}]}
    result = run_cli(
        tmp_path, {**INDIA_CONFIG, "criteria": criteria}, "contacts_india_filter.jsonl"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "'equals' is not one of ['is', 'is_not'," in result.stderr
    assert "in config['criteria']['conditions'][0]['operator']" in result.stderr


def test_missing_source_field_fails_at_the_schema_before_any_record(tmp_path: Path) -> None:
    config = {**INDIA_CONFIG, "field_map": {"vat": "custom_field_hash.cf_vat", "x": "nope"}}
    # custom_field_hash.cf_vat is accepted (an undeclared custom field); nope is not.
    result = run_cli(tmp_path, config, "contacts_india_filter.jsonl")
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        "the schema of stream 'contacts' has no field 'nope' (field_map.x): "
        "fix the setting or the tap's schema"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_about_markdown_documents_every_setting() -> None:
    result = subprocess.run(
        [str(EXECUTABLE), "--about", "--format", "markdown"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for setting in (
        "sync_name",
        "mailing_list",
        "source_stream",
        "criteria",
        "field_map",
        "source_org_id_field",
        "source_id_field",
        "source_modified_at_field",
        "source_system",
    ):
        assert f"| {setting} " in result.stdout, setting
    assert "Absent or null: all of them" in result.stdout
