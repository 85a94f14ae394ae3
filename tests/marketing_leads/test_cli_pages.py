"""``members`` and ``outcomes`` streamed (--json, --csv) and paged (--limit, --after)."""

from __future__ import annotations

import csv
import io
import json
import typing as t

import pytest
import sqlalchemy as sa

from lead_store import schema
from marketing_leads.cli import MEMBER_KEYS, TABLE_ROWS, main
from tests.target.conftest import lead, run_in_process, singer_lines, tombstone

ATTRIBUTES = [
    {"company_name": "Acme", "amount": 12.5, "tags": ["a", 1], "big": 12345678901234567890},
    {"city": "München", "note": 'say "hi"\nbye', "nested": {"x": None, "y": [1.25, True]}},
    None,
    {},
]


@pytest.fixture
def store(store_url: str) -> str:
    """Eight members of Newsletter with varied attributes; a run of eleven records."""
    records = [
        lead(str(i), f"m{i}@example.com", attributes=ATTRIBUTES[i % len(ATTRIBUTES)])
        for i in range(8)
    ]
    records += [lead("90", "info@example.com"), lead("91", "a@b"), tombstone("92")]
    run_in_process(store_url, singer_lines(records))
    return store_url


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _old_members(url: str) -> dict[str, t.Any]:
    """``members --json`` as the CLI built it before streaming: SQLAlchemy's own JSON decoding."""
    ls, m = schema.leads, schema.list_members
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ls, m.c.joined_at).join(m, m.c.lead_id == ls.c.id).order_by(ls.c.email)
        ).all()
    engine.dispose()
    members = [
        {
            "email": r.email, "status": r.status, "first_name": r.first_name,
            "last_name": r.last_name, "attributes": r.attributes,
            "source_org_id": r.source_org_id, "source_id": r.source_id,
            "joined_at": r.joined_at.isoformat(),
        }
        for r in rows
    ]  # fmt: skip
    return {"list": "Newsletter", "members": members}


def test_members_json_is_the_old_document(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    text = _out(capsys, "--database-url", store, "members", "Newsletter", "--json")
    found = json.loads(text)
    assert found == _old_members(store)
    assert list(found) == ["list", "members"]
    assert all(list(member) == list(MEMBER_KEYS) for member in found["members"])
    assert len(found["members"]) == 8
    assert text.count("\n") == 8 + 5  # one member a line: streamed, and readable in a pager


def test_an_empty_list_is_an_empty_array(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    text = _out(capsys, "--database-url", store, "members", "Newsletter", "--json", "--after", "z")
    assert json.loads(text) == {
        "list": "Newsletter",
        "members": [],
        "page": {"after": "z", "limit": None, "next_after": None},
    }


def test_members_csv_has_the_json_rows(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(_out(
        capsys, "--database-url", store, "members", "Newsletter", "--csv"
    ))))  # fmt: skip
    members = _old_members(store)["members"]
    assert [list(row) for row in rows[:1]] == [list(MEMBER_KEYS)]
    assert len(rows) == len(members)
    for row, member in zip(rows, members, strict=True):
        attributes = row.pop("attributes")
        assert (json.loads(attributes) if attributes else None) == member.pop("attributes")
        assert row == {k: "" if v is None else v for k, v in member.items()}


Rows = list[dict[str, t.Any]]


def _pages(
    capsys: pytest.CaptureFixture[str], store: str, argv: list[str], rows_key: str, limit: int
) -> list[Rows]:
    """Every page of ``argv --json --limit N``, following ``next_after`` to the end."""
    key = "email" if rows_key == "members" else "position"
    pages: list[Rows] = []
    after: list[str] = []
    while True:
        doc = json.loads(_out(capsys, "--database-url", store, *argv, "--json",
                              "--limit", str(limit), *after))  # fmt: skip
        pages.append(doc[rows_key])
        assert doc["page"]["limit"] == limit
        assert len(doc[rows_key]) <= limit
        nxt = doc["page"]["next_after"]
        if nxt is None:
            return pages
        assert nxt == doc[rows_key][-1][key]
        after = ["--after", str(nxt)]


def test_member_pages_add_up_to_the_list(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    everyone = _old_members(store)["members"]
    pages = _pages(capsys, store, ["members", "Newsletter"], "members", 3)
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [m for page in pages for m in page] == everyone


def test_outcome_pages_add_up_to_the_run_and_keep_filters(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    whole = json.loads(_out(capsys, "--database-url", store, "outcomes", "1", "--json"))
    assert list(whole) == ["run", "outcomes"]  # no "page" unless a page is asked for
    assert len(whole["outcomes"]) == 11
    pages = _pages(capsys, store, ["outcomes", "1"], "outcomes", 4)
    assert [len(page) for page in pages] == [4, 4, 3]
    assert [o for page in pages for o in page] == whole["outcomes"]
    ignored = _pages(capsys, store, ["outcomes", "1", "--outcome", "ignored"], "outcomes", 1)
    assert [page[0]["email"] for page in ignored] == ["info@example.com", "a@b"]


def test_outcomes_csv_streams_the_json_rows(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    whole = json.loads(_out(capsys, "--database-url", store, "outcomes", "1", "--json"))
    text = _out(capsys, "--database-url", store, "outcomes", "1", "--csv", "--after", "8")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = [o for o in whole["outcomes"] if o["position"] > 8]
    assert [int(row["position"]) for row in rows] == [9, 10, 11]
    assert [row["outcome"] for row in rows] == [o["outcome"] for o in expected]
    assert [row["reason"] or None for row in rows] == [o["reason"] for o in expected]


def test_tables_show_one_page_and_say_how_to_get_the_next(store: str, capsys) -> None:  # type: ignore[no-untyped-def]
    out = _out(capsys, "--database-url", store, "members", "Newsletter", "--limit", "2")
    assert "m0@example.com" in out and "m1@example.com" in out
    assert "m2@example.com" not in out
    assert "2 of 8 members shown, by email. Next page: add --after m1@example.com" in out
    out = _out(capsys, "--database-url", store, "outcomes", "1", "--limit", "5", "--after", "2")
    assert "5 records shown, positions 3 to 7 of the run's 11. Next page: add --after 7" in out
    last = _out(capsys, "--database-url", store, "outcomes", "1", "--after", "7")
    assert "Next page" not in last
    assert TABLE_ROWS == 100  # the README and --help say so


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["members", "Newsletter", "--limit", "-1"], "not a whole number >= 0: '-1'"),
        (["outcomes", "1", "--after", "x"], "not a whole number >= 0: 'x'"),
        (["members", "Newsletter", "--csv", "--json"], "--csv and --json cannot be used together"),
    ],
)
def test_bad_paging_is_a_usage_error(sqlite_url: str, capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exited:
        main(["--database-url", sqlite_url, *argv])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
