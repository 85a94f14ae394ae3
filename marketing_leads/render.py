"""Output of the admin CLI: stable JSON for scripts, rich tables for people.

Every table (and every "nothing to show") names the store it was read from, so that a CLI
pointed at the wrong database, an empty default SQLite file say, cannot pass for an empty list.

A list's members and a run's outcomes can be a million rows: their ``--json`` and ``--csv`` are
written row by row as the query streams them (:func:`write_json_rows`, :func:`write_csv_rows`),
so memory stays flat whatever the size; their tables show one page.
"""

from __future__ import annotations

import csv
import json
import operator
import typing as t
from collections.abc import Callable, Iterable, Sequence

import msgspec
from rich import box
from rich.console import Console
from rich.table import Table

HISTORY_COUNTS = (("total", "total"), ("new", "new"), ("re_added", "re+"), ("duplicate", "dup"),
                  ("ignored", "ign"), ("deleted", "del"), ("removed", "rem"))  # fmt: skip
"""The history table's count columns and their short headers (the JSON keys are in --json)."""
SHOWN_WHEN_USED = frozenset({"removed"})
"""Counts only a sync setting produces (``when_no_longer_matching: remove``): their column is
shown when a listed run has one, so the table keeps fitting 80 columns otherwise."""


def print_json(payload: dict[str, t.Any], console: Console) -> None:
    """One JSON document, keys in a stable order, UTF-8 as is."""
    console.out(json.dumps(payload, indent=2, ensure_ascii=False), highlight=False)


_encoder = msgspec.json.Encoder()


def _encode(value: t.Any) -> str:
    """Compact JSON, UTF-8 as is, by msgspec: several times faster than ``json.dumps``, whose
    ``indent`` falls back to pure Python (30,000 rows/s)."""
    return _encoder.encode(value).decode()


def write_json_rows(
    out: t.IO[str],
    head: dict[str, t.Any],
    key: str,
    rows: Iterable[dict[str, t.Any]],
    tail: Callable[[], dict[str, t.Any]] | None = None,
) -> None:
    """The JSON document ``{**head, key: [*rows], **tail()}``, written as the rows come.

    One row per line, so the document parses to the same value as :func:`print_json` of the
    whole dict, streams, and reads well in a pager. ``tail`` is called after the last row: what
    it returns (a page's next key) is known only then.
    """
    out.write("{\n")
    for name, value in head.items():
        out.write(f"  {_encode(name)}: {_encode(value)},\n")
    out.write(f"  {_encode(key)}: [")
    separator = "\n    "
    for row in rows:
        out.write(separator + _encode(row))
        separator = ",\n    "
    out.write("]" if separator == "\n    " else "\n  ]")
    for name, value in (tail() if tail else {}).items():
        out.write(f",\n  {_encode(name)}: {_encode(value)}")
    out.write("\n}\n")


def write_csv_rows(
    out: t.IO[str],
    columns: Sequence[str],
    rows: Iterable[dict[str, t.Any]],
    *,
    json_columns: Sequence[str] = (),
) -> None:
    """A header, then one CSV line per row as the rows come; ``json_columns`` as JSON text."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    values = operator.itemgetter(*columns)
    encoded = [i for i, column in enumerate(columns) if column in json_columns]
    for row in rows:
        line = list(values(row))
        for i in encoded:
            if line[i] is not None:
                line[i] = _encode(line[i])
        writer.writerow(line)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[dict[str, t.Any]],
    console: Console,
    *,
    store: str,
) -> None:
    """A table with one column per key, titled with the store; empty tables say so."""
    if not rows:
        console.print(f"{title}: nothing to show (store {store}).")
        return
    print_store(store, console)
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    console.print(table)


def _cell(value: t.Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v)
    return str(value)


def print_note(text: str, console: Console) -> None:
    """A line under a table (what was left out, how to see more), printed as is."""
    console.print(text, markup=False, highlight=False)


def print_store(store: str, console: Console) -> None:
    """The header line above a table: the store it was read from, never wrapped."""
    console.out(f"store: {store}", highlight=False)


def print_history(runs: Sequence[dict[str, t.Any]], console: Console, *, store: str) -> None:
    """The import history, readable in an 80-column terminal.

    Sync and list share a cell on two lines, the finish time is shown to the minute (with the
    status below it when the run was not applied: planned, blocked, approved), counts get short
    headers and never wrap (``removed`` only when a listed run has some), and each ignored reason
    has its own line.
    """
    if not runs:
        console.print(f"Import history: nothing to show (store {store}).")
        return
    print_store(store, console)
    table = Table(
        title="Import history (UTC)",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        show_edge=False,
    )
    table.add_column("run", justify="right", no_wrap=True)
    table.add_column("sync/list", overflow="fold", min_width=10)
    table.add_column("finished", no_wrap=True)
    counts = [
        (key, header)
        for key, header in HISTORY_COUNTS
        if key not in SHOWN_WHEN_USED or any(run.get(key) for run in runs)
    ]
    for _, header in counts:
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("ignored reasons", overflow="fold", min_width=14)
    for run in runs:
        reasons = "\n".join(f"{reason} {n}" for reason, n in run["ignored_reasons"].items() if n)
        status = run_status(run)
        table.add_row(
            str(run["run_id"]),
            f"{run['sync']}\n-> {run['list']}",
            short_time(run["finished_at"]) + ("" if status == "completed" else f"\n{status}"),
            *(str(run[key]) for key, _ in counts),
            reasons,
        )
    console.print(table)


def run_status(run: dict[str, t.Any]) -> str:
    """A history entry's status for people: ``blocked, approved by ann`` once approved."""
    if run.get("approved_by"):
        return f"{run['status']}, approved by {run['approved_by']}"
    return str(run["status"])


def short_time(iso: str | None) -> str:
    """``2026-06-09T17:15:06.123+00:00`` as ``2026-06-09 17:15``."""
    return iso[:16].replace("T", " ") if iso else ""
