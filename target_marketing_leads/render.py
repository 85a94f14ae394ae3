"""Output of the admin CLI: stable JSON for scripts, rich tables for people."""

from __future__ import annotations

import json
import typing as t
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table


def print_json(payload: dict[str, t.Any], console: Console) -> None:
    """One JSON document, keys in a stable order, UTF-8 as is."""
    console.out(json.dumps(payload, indent=2, ensure_ascii=False), highlight=False)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[dict[str, t.Any]],
    console: Console,
) -> None:
    """A table with one column per key; empty tables say so."""
    if not rows:
        console.print(f"{title}: nothing to show.")
        return
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
