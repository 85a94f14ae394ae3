"""Hostile input to ``map-marketing-leads``: corpus files through the real executable (and on
into the real target), and hypothesis over the criteria.

A malformed Singer line stops the mapper with one error line naming the line; hostile *values*
inside well-formed records are data: the criteria never raise on them and the leads carry them
to the target, which ignores what it must (see ``test_target_fuzz``).
"""

from __future__ import annotations

import json
import sqlite3
import typing as t
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.criteria import OPERATORS, as_instant, as_number, compile_condition
from transforms.errors import MapperConfigError

from .conftest import (
    CORPUS,
    MAPPER_CONFIG,
    MAPPER_EXE,
    SQL_INJECTION,
    TARGET_EXE,
    assert_stopped_with_one_clear_line,
    audit_store,
    run_executable,
    sqlite_file,
    target_config,
)

pytestmark = pytest.mark.faults

MAPPER_CORPUS = CORPUS / "mapper"

STOPPING = {
    "broken_json_line.singer": "input line 4: not JSON",
    "json_array_line.singer": "input line 2: not a Singer message (a JSON object): '[1, 2, 3]'",
    "message_without_type.singer": "input line 2: a Singer message lacks ['type']",
    "message_type_not_text.singer": "input line 2: the message type must be a string",
    "unknown_message_type.singer": "input line 2: unknown message type 'DROP TABLE'",
    "record_not_an_object.singer": "input line 2: the RECORD of stream 'contacts' is not a JSON",
    "record_null.singer": "input line 2: the RECORD of stream 'contacts' is not a JSON object",
    "record_without_record_key.singer": "input line 2: a RECORD message lacks ['record']",
    "schema_not_an_object.singer": "input line 1: the SCHEMA of stream 'contacts' is not a JSON",
    "state_without_value.singer": "input line 3: a STATE message lacks ['value']",
    "time_extracted_not_a_date.singer": "input line 2: time_extracted is not an ISO 8601",
    "integer_of_5000_digits.singer": "input line 2: unreadable JSON value",
    "batch_message.singer": "input line 2: BATCH messages are not supported",
}


HOSTILE_VALUE_OUTCOMES = {
    "100": ("ignored", "invalid_pattern"),  # SQL in the email
    "101": ("ignored", "invalid_pattern"),  # "a@b"@c.com
    "102": ("ignored", "invalid_record"),  # NUL in first_name
    "103": ("ignored", "invalid_record"),  # lone surrogate in first_name
    "104": ("ignored", "invalid_record"),  # email is a number
    "105": ("ignored", "empty_email"),
    "106": ("ignored", "empty_email"),
    "107": ("new", None),  # "  Bob@Example.COM  ", odd amount and created_time: data
    "108": ("ignored", "invalid_record"),  # last_modified_time "not a date"
    "109": ("deleted", None),  # a tombstone whose _sdc_deleted_at is SQL text
}
"""Contact 110 (nothing but its id) meets no condition: filtered out by the mapper."""


def source_outcomes(db: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT source_id, outcome, reason FROM lead_outcomes").fetchall()


def run_mapper(text: str, tmp_path: Path) -> t.Any:
    return run_executable(MAPPER_EXE, MAPPER_CONFIG, text, tmp_path)


@pytest.mark.parametrize(("name", "phrase"), sorted(STOPPING.items()))
def test_a_malformed_line_stops_the_mapper_with_one_line_naming_it(
    name: str, phrase: str, tmp_path: Path
) -> None:
    run = run_mapper((MAPPER_CORPUS / name).read_text(), tmp_path)
    assert_stopped_with_one_clear_line(run, "map-marketing-leads stopped on bad input", phrase)


def test_lines_before_a_broken_one_were_passed_on_in_order(tmp_path: Path) -> None:
    run = run_mapper((MAPPER_CORPUS / "broken_json_line.singer").read_text(), tmp_path)
    assert [m["type"] for m in run.messages] == ["SCHEMA", "RECORD", "STATE"]


def test_json_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    schema = (MAPPER_CORPUS / "hostile_values.singer").read_text().splitlines()[0]
    deep = '{"type": "RECORD", "stream": "contacts", "record": {"x": ' + "[" * 100_000
    run = run_mapper(f"{schema}\n{deep}{']' * 100_000}}}}}\n", tmp_path)
    assert_stopped_with_one_clear_line(run, "input line 2: JSON nested too deeply to read")


def test_hostile_values_become_leads_verbatim_and_the_target_ignores_the_bad_ones(
    tmp_path: Path,
) -> None:
    text = (MAPPER_CORPUS / "hostile_values.singer").read_text()
    sources = [json.loads(line)["record"] for line in text.splitlines()[1:-1]]
    mapped = run_mapper(text, tmp_path)
    assert mapped.returncode == 0, mapped.stderr[-3000:]
    assert "Traceback" not in mapped.stderr
    leads = [m["record"] for m in mapped.messages if m["type"] == "RECORD"]
    by_id = {lead["source_id"]: lead for lead in leads}
    assert by_id["100"]["first_name"] == SQL_INJECTION
    assert by_id["101"]["first_name"] == "\u202eevil\u202c"
    assert by_id["102"]["first_name"] == "Nul\x00Byte"
    assert by_id["103"]["first_name"] == "\ud800lone"
    assert by_id["104"]["email"] == 12345
    assert by_id["109"]["_sdc_deleted_at"] == SQL_INJECTION
    # Every source record is accounted for: a lead, or filtered out by the criteria.
    assert {s["contact_id"] for s in sources} == {*by_id, "110"}
    assert mapped.messages[-1] == {
        "type": "STATE",
        "value": {"bookmarks": {"contacts": {"n": len(sources)}}},
    }

    db = sqlite_file(tmp_path)
    loaded = run_executable(TARGET_EXE, target_config(db), mapped.stdout, tmp_path)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert "Traceback" not in loaded.stderr
    got = {source: (outcome, reason) for source, outcome, reason in source_outcomes(db)}
    assert got == HOSTILE_VALUE_OUTCOMES
    assert audit_store(db)["emails"] == {"bob@example.com"}


# --- hypothesis: criteria never raise on arbitrary records and condition values ---------------

HOSTILE_TEXT = st.one_of(
    st.text(),
    st.lists(
        st.sampled_from(
            ["\x00", "\u202e", "\u200d", "\ud800", SQL_INJECTION, "$(rm -rf ~)", "`id`", "1e9999"]
        )
        | st.text(max_size=4),
        max_size=6,
    ).map("".join),
)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(HOSTILE_TEXT, children, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = st.sampled_from(["email", "billing_address.country", "a.b.c", "cf_x"])


def record_with(field: str, value: t.Any, extra: dict[str, t.Any]) -> dict[str, t.Any]:
    """A record holding ``value`` at the dot path ``field``, over arbitrary other keys."""
    record: dict[str, t.Any] = dict(extra)
    node = record
    *parents, last = field.split(".")
    for key in parents:
        node[key] = node = {}
    node[last] = value
    return record


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(sorted(OPERATORS)),
    FIELDS,
    JSON_VALUES,
    JSON_VALUES,
    st.dictionaries(HOSTILE_TEXT, JSON_VALUES, max_size=4),
)
def test_criteria_compile_or_say_why_and_never_raise_on_a_record(
    operator: str, field: str, value: t.Any, field_value: t.Any, extra: dict[str, t.Any]
) -> None:
    condition = {"field": field, "operator": operator, "value": value}
    try:
        predicate, _ = compile_condition(condition, "criteria.conditions[0]")
    except MapperConfigError as exc:
        assert str(exc).startswith("criteria.conditions[0]")
        return
    assert predicate(record_with(field, field_value, extra)) in (True, False)
    assert predicate(extra) in (True, False)
    assert predicate({}) in (True, False)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_value_readers_are_total(value: t.Any) -> None:
    number = as_number(value)
    assert number is None or number.is_finite()
    instant = as_instant(value)
    assert instant is None or instant.utcoffset() is not None
