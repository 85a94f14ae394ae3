"""Hostile input to ``target-marketing-leads``: corpus files through the real executable, and
hypothesis over the pure rules and over random mixes of valid and hostile leads.

Every run ends one of two ways: exit 0 with each bad record ignored with its reason, or exit 1
with one clear error line and nothing committed. Either way :func:`audit_store` finds nothing
stored that should have been ignored, every table intact, and the counts adding up.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
import typing as t
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead_store.vocabulary import Reason
from target_marketing_leads.classify import decide, is_role_address
from target_marketing_leads.emails import EmailNormaliser
from target_marketing_leads.errors import LeadInputError
from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS
from target_marketing_leads.target import TargetMarketingLeads
from target_marketing_leads.validation import parse_lead

from .conftest import (
    CORPUS,
    SQL_INJECTION,
    TARGET_EXE,
    assert_stopped_with_one_clear_line,
    audit_store,
    outcomes,
    run_executable,
    sqlite_file,
    target_config,
)

pytestmark = pytest.mark.faults

TARGET_CORPUS = CORPUS / "target"

STOPPING = {
    "broken_json_line.singer": "input line 3: not JSON",
    "json_array_line.singer": "input line 3: not a Singer message",
    "schema_properties_not_an_object.singer": "has no 'properties' object",
    "source_id_longer_than_its_column.singer": "source_id is 65 characters long (at most 64)",
    "source_org_id_with_nul.singer": "source_org_id contains U+0000 (NUL)",
    "mailing_list_longer_than_its_column.singer": "mailing_list is 256 characters long",
    "record_nested_too_deeply.singer": "input line 3: JSON nested too deeply to read",
    "integer_of_5000_digits.singer": "input line 3: unreadable JSON value",
    "message_type_not_text.singer": "input line 3: the message type must be a string",
    "unknown_message_type.singer": "input line 3: unknown message type 'BOGUS'",
    "record_is_a_string.singer": "input line 3: the RECORD of stream 'leads' is not a JSON object",
    "record_null.singer": "input line 3: the RECORD of stream 'leads' is not a JSON object",
    "batch_pointing_at_a_local_file.singer": "input line 3: BATCH messages are not supported",
    "sync_name_with_lone_surrogate.singer": "sync_name contains a lone surrogate U+DC00",
}


def run_target(name: str, tmp_path: Path) -> tuple[t.Any, Path]:
    db = sqlite_file(tmp_path)
    text = (TARGET_CORPUS / name).read_text()
    return run_executable(TARGET_EXE, target_config(db), text, tmp_path), db


def corpus_records(name: str) -> list[dict[str, t.Any]]:
    lines = (TARGET_CORPUS / name).read_text().splitlines()
    messages = [json.loads(line) for line in lines]
    return [m["record"] for m in messages if m["type"] == "RECORD"]


@pytest.mark.parametrize(("name", "phrase"), sorted(STOPPING.items()))
def test_input_that_cannot_be_attributed_stops_the_run_with_one_line(
    name: str, phrase: str, tmp_path: Path
) -> None:
    run, db = run_target(name, tmp_path)
    assert_stopped_with_one_clear_line(run, "Run stopped, nothing committed", phrase)
    assert run.stdout == ""  # no STATE for an uncommitted run
    if db.exists():
        audit_store(db)
        assert outcomes(db) == []


def test_hostile_emails_are_each_ignored_with_their_reason_or_stored_normalised(
    tmp_path: Path,
) -> None:
    run, db = run_target("hostile_emails.singer", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    expected = json.loads((TARGET_CORPUS / "hostile_emails.expected.json").read_text())
    got = [reason or outcome for _, _, outcome, reason, _ in outcomes(db)]
    assert got == expected
    stored = audit_store(db)["emails"]
    # The Cyrillic homograph and the Latin address are different mailboxes: never merged.
    assert {"p\u0430ypal@example.com", "paypal@example.com"} <= stored
    assert "i\u0307stanbul@example.com" in stored  # normalised: NFC, then lower-cased
    assert json.loads(run.stdout) == {"bookmarks": {"leads": "done"}}


def test_sql_and_shell_metacharacters_are_stored_verbatim(tmp_path: Path) -> None:
    run, db = run_target("sql_and_shell_metacharacters.singer", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    audit_store(db)
    with sqlite3.connect(db) as conn:
        stored = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT email, first_name, last_name, attributes, source_org_id, source_id "
                "FROM leads"
            )
        }
        lists = [name for (name,) in conn.execute("SELECT name FROM mailing_lists")]
        syncs = [name for (name,) in conn.execute("SELECT sync_name FROM runs")]
    records = corpus_records("sql_and_shell_metacharacters.singer")
    assert len(stored) == len(records)
    for record in records:
        first, last, attributes, org, source = stored[record["email"]]
        assert (first, last, org, source) == (
            record["first_name"],
            record["last_name"],
            record["source_org_id"],
            record["source_id"],
        )
        assert json.loads(attributes) == record["attributes"]
    assert lists == [records[0]["mailing_list"]]
    assert syncs == [records[0]["sync_name"]]
    assert SQL_INJECTION in lists[0]


def test_records_breaking_the_contract_are_ignored_as_invalid_record(tmp_path: Path) -> None:
    run, db = run_target("records_breaking_the_contract.singer", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = outcomes(db)
    assert [(o, r) for _, _, o, r, _ in rows] == [("ignored", "invalid_record")] * 10 + [
        ("new", None)
    ]
    details = [detail for *_, detail in rows[:10]]
    fields = ["email", "attributes", "first_name", "source_modified_at", "source_modified_at"]
    fields += ["first_name", "a key of attributes", "attributes.deep", "source_system"]
    fields += ["_sdc_deleted_at"]
    for detail, field in zip(details, fields, strict=True):
        assert detail.startswith(field), detail
    assert audit_store(db)["emails"] == {"eleven@example.com"}


HUGE = {
    "first_name": {"first_name": "A" * 10_000_000},
    "attribute value": {"attributes": {"notes": "n" * 5_000_000}},
    "attribute key": {"attributes": {"k" * 1_000_000: "v"}},
    "email": {"email": "x" * 2_000_000 + "@example.com"},
    "many attributes": {"attributes": {f"f{i}": "v" * 9_000 for i in range(200)}},
}


def test_huge_field_values_are_ignored_quickly_without_storing_them(tmp_path: Path) -> None:
    records = []
    for number, fields in enumerate(HUGE.values(), start=1):
        record = {
            "email": f"huge{number}@example.com",
            "mailing_list": "Newsletter",
            "sync_name": "fuzz",
            "source_org_id": "1",
            "source_id": str(number),
            **fields,
        }
        records.append(json.dumps({"type": "RECORD", "stream": "leads", "record": record}))
    schema = (TARGET_CORPUS / "hostile_emails.singer").read_text().splitlines()[0]
    text = "\n".join([schema, *records]) + "\n"
    db = sqlite_file(tmp_path)
    started = time.monotonic()
    run = run_executable(TARGET_EXE, target_config(db), text, tmp_path, timeout=120)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    assert [(o, r) for _, _, o, r, _ in outcomes(db)] == [("ignored", "invalid_record")] * len(HUGE)
    assert audit_store(db)["emails"] == set()
    assert db.stat().st_size < 1_000_000, "a huge value reached the store"
    assert seconds < 60


# --- hypothesis: the pure rules -----------------------------------------------------------------

HOSTILE_CHARACTERS = st.sampled_from(
    ["\x00", "\u202e", "\u200d", "\ufeff", "\u0130", "\u0430", "'", '"', ";", "--", "@", ".", " "]
)
HOSTILE_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(HOSTILE_CHARACTERS, st.text(max_size=5)), max_size=12).map("".join),
    st.sampled_from([r["email"] for r in corpus_records("hostile_emails.singer")]),
)
NORMALISER = EmailNormaliser()


@settings(max_examples=400, deadline=None)
@given(HOSTILE_TEXT)
def test_email_normalisation_never_raises_and_round_trips(raw: str) -> None:
    check = NORMALISER.normalise(raw)
    if check.email is None:
        assert check.reason in (Reason.EMPTY_EMAIL, Reason.INVALID_PATTERN)
        return
    again = NORMALISER.normalise(check.email)
    assert again.email == check.email, (raw, check.email, again)
    assert isinstance(is_role_address(check.email, DEFAULT_ROLE_LOCAL_PARTS), bool)
    decision = decide(
        tombstone=False,
        email=check,
        roles=DEFAULT_ROLE_LOCAL_PARTS,
        seen_earlier=False,
        store_status=None,
    )
    assert decision.outcome.value in ("new", "ignored")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(HOSTILE_TEXT, children, max_size=3)
    ),
    max_leaves=8,
)
LEAD_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "attributes",
    "source_system",
    "source_modified_at",
    "_sdc_deleted_at",
    "sync_name",
    "mailing_list",
    "source_org_id",
    "source_id",
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(LEAD_FIELDS), JSON_VALUES))
def test_parse_lead_types_any_record_or_says_why_not(record: dict[str, t.Any]) -> None:
    try:
        lead = parse_lead(record)
    except LeadInputError as exc:
        assert len(str(exc)) < 1000
        return
    for text in (lead.email, lead.first_name, lead.last_name, lead.source_system):
        assert text is None or "\x00" not in text


# --- hypothesis: the whole target over random mixes of valid and hostile leads --------------------

VALID_EMAILS = st.builds(
    "{}{}@{}".format,
    st.sampled_from(["ann", "Bob", "cy", "INFO", "support+x", "o'brien", "d.e"]),
    st.integers(0, 3),
    st.sampled_from(["example.com", "Example.ORG", "xn--80ak6aa92e.com"]),
)
EMAILS = st.one_of(VALID_EMAILS, HOSTILE_TEXT, st.none(), st.integers())


@st.composite
def lead_records(draw: st.DrawFn) -> dict[str, t.Any]:
    record: dict[str, t.Any] = {
        "email": draw(EMAILS),
        "mailing_list": draw(st.sampled_from(["Newsletter", SQL_INJECTION])),
        "sync_name": "fuzz",
        "source_org_id": draw(st.sampled_from(["1", "2"])),
        "source_id": str(draw(st.integers(1, 6))),
        "first_name": draw(st.one_of(st.none(), HOSTILE_TEXT, st.integers())),
        "attributes": draw(
            st.one_of(st.none(), st.dictionaries(HOSTILE_TEXT, JSON_VALUES, max_size=3))
        ),
        "source_modified_at": draw(
            st.one_of(st.none(), st.sampled_from(["2026-06-09T17:15:06Z", "yesterday"]))
        ),
    }
    if draw(st.integers(0, 9)) == 0:
        record["_sdc_deleted_at"] = "2026-06-10T08:00:00+00:00"
    return record


def run_in_process(db: Path, text: str) -> None:
    target = TargetMarketingLeads(config=target_config(db))
    try:
        with redirect_stdout(io.StringIO()):
            target.listen(io.StringIO(text))
    finally:
        target.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(lead_records(), min_size=1, max_size=25))
def test_random_mixes_add_up_and_store_nothing_ignored(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, t.Any]]
) -> None:
    db = tmp_path_factory.mktemp("mix") / "store.db"
    schema = (TARGET_CORPUS / "hostile_emails.singer").read_text().splitlines()[0]
    lines = [schema]
    lines += [json.dumps({"type": "RECORD", "stream": "leads", "record": r}) for r in records]
    run_in_process(db, "\n".join(lines) + "\n")
    audited = audit_store(db)
    assert sum(total for _, total, *_ in audited["runs"]) == len(records)
