"""``marketing-leads``: the admin CLI over the lead store.

Commands (all take ``--database-url``, default ``$MARKETING_LEADS_DATABASE_URL``, else the
target's own ``$TARGET_MARKETING_LEADS_DATABASE_URL`` (so a Meltano project that configures the
target configures the CLI too), else ``sqlite:///marketing_leads.db``; all print a table by
default, titled with the store they read, and JSON with ``--json``):

``history [--sync NAME] [--csv]``
    ``{"runs": [{"run_id", "sync", "list", "started_at", "finished_at", "status", "total",
    "new", "re_added", "duplicate", "ignored", "deleted", "removed", "departures",
    "approved_by", "approved_at", "ignored_reasons": {reason: n}}]}``, newest first.
    ``total = new + re_added + duplicate + ignored + deleted + removed``. ``status``:
    ``completed``, ``planned`` (a dry run: nothing applied) or ``blocked`` (the removal guard:
    nothing applied); ``departures``: leads the run took (would take) off its list;
    ``approved_by``/``approved_at``: who approved a blocked run, and when (else null).
    ``--csv`` prints the same runs as CSV for spreadsheets: a header row, then one row per run
    with the JSON keys in that order, except that ``ignored_reasons`` becomes one column per
    reason, ``ignored_<reason>`` (every known reason in the order the checks run, 0 when absent;
    a reason unknown to this version gets its own column after them).
``lists``
    ``{"lists": [{"list", "members", "created_at"}]}`` by name.
``members LIST [--limit N] [--after EMAIL] [--csv]``
    ``{"list": LIST, "members": [{"email", "status", "first_name", "last_name", "attributes",
    "source_org_id", "source_id", "joined_at"}]}`` by email. ``--csv``: the same keys as
    columns (``attributes`` as JSON text).
``outcomes RUN_ID [--outcome O] [--reason R] [--changes] [--limit N] [--after POSITION] [--csv]``
    ``{"run": <a history entry>, "outcomes": [{"position", "email", "outcome", "reason",
    "detail", "source_org_id", "source_id", "changes"}]}`` in input order. ``changes``: the
    fields an update changed (or, in a planned or blocked run, would change),
    ``{"first_name" | "last_name" | "attributes.<key>": {"before", "after"}}``, else null.
    ``--changes``: only the updates that change a field; its table has one row per field
    (email, field, before, after). ``--csv``: the outcome keys as columns.
``approve RUN_ID``
    ``{"run_id", "sync", "list", "approved_by", "approved_at", "removals"}``: records that the
    OS user approved a blocked run. The next run of that sync and list may take up to
    ``removals`` more members off the list than its limit, plus a margin for contacts removed
    meanwhile (10% or 5, whichever is larger), and uses the approval up; a bigger removal is
    blocked again. Only a blocked run can be approved, once.

``members`` and ``outcomes`` stream their ``--json`` and ``--csv`` from the database, one row a
line, all rows unless ``--limit`` (constant memory: a million rows are fine). They page by key:
``--after`` the last email (members) or position (outcomes) of the previous page. With
``--limit`` or ``--after`` the JSON ends with ``"page": {"after", "limit", "next_after"}``, where
``next_after`` is the ``--after`` of the next page, null on the last. Tables show one page of
``--limit`` rows (default 100) and say how to get the next.
``report [--sync NAME] [--output FILE]``
    writes one self-contained HTML page (default ``marketing-leads-report.html``; opens
    offline) per sync: outcomes per run and ignored reasons as charts, list sizes over time,
    and the last run's records, searchable by email. Prints the file's path.
``schedule --job JOB --every once|daily|weekly|monthly ... --tz ZONE [--write] [--systemd DIR]
| --systemd DIR | --check``
    turns a local time in an IANA zone into Meltano schedules (UTC cron, the choice kept for
    zone-aware runners), systemd timers, or a report of what is exact all year; see
    ``docs/schedules.md``. Works on the Meltano project, not on the store.
``suppress --status unsubscribed|bounced (EMAIL... | --file F)``
    ``{"status", "updated": [emails], "created": [emails], "invalid": [{"email", "reason",
    "detail"}]}``. Suppressed leads leave every list and no sync adds them again; an email
    never seen becomes a suppressed lead. ``--file`` reads one email per line (``-``: stdin).

Timestamps are ISO 8601 in UTC. Exit codes: 0 done, 1 an error (one line on stderr),
2 a usage error.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import os
import shlex
import sys
import typing as t
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console

from lead_store import DEFAULT_DATABASE_URL, admin, open_store, redacted
from lead_store.approvals import ApprovalRefused
from lead_store.engine import READ_ONLY
from lead_store.errors import StoreError
from marketing_leads.render import (
    print_history,
    print_json,
    print_note,
    print_table,
    write_csv_rows,
    write_json_rows,
)
from marketing_leads.report import UnknownSync, build_report, write_report
from marketing_leads.schedules.command import add_schedule_parser, run_schedule
from target_marketing_leads.emails import EmailNormaliser
from target_marketing_leads.removal_guard import approval_allowance

DATABASE_URL_ENV = "MARKETING_LEADS_DATABASE_URL"
TARGET_DATABASE_URL_ENV = "TARGET_MARKETING_LEADS_DATABASE_URL"
"""The target's setting as Meltano passes it: the CLI's fallback, so both open one store."""

DEFAULT_REPORT = "marketing-leads-report.html"
HISTORY_CSV_COLUMNS = ("run_id", "sync", "list", "started_at", "finished_at", "status", "total",
                       *admin.OUTCOME_NAMES, "departures", "approved_by",
                       "approved_at")  # fmt: skip
"""``history --json``'s keys in order, less ``ignored_reasons`` (one CSV column per reason)."""
MEMBER_COLUMNS = ("email", "status", "first_name", "last_name", "source_id", "joined_at")
MEMBER_KEYS = ("email", "status", "first_name", "last_name", "attributes", "source_org_id",
               "source_id", "joined_at")  # fmt: skip
"""``members --json``'s keys in order: the columns of ``members --csv``."""
OUTCOME_COLUMNS = ("position", "email", "outcome", "reason", "detail", "source_id")
CHANGE_COLUMNS = ("email", "field", "before", "after")
"""``outcomes --changes``'s table: one row per changed field."""
JSON_COLUMNS = ("attributes", "changes")
WRITING_COMMANDS = frozenset({"suppress", "approve"})
"""Keys whose values are JSON objects: one CSV cell of JSON text each."""
TABLE_ROWS = 100
"""Rows of a ``members`` or ``outcomes`` table when ``--limit`` is not given: one page."""


class CommandError(Exception):
    """A command that cannot do what was asked (unknown list or run, bad file)."""


def default_database_url() -> str:
    """The store named by the environment: the CLI's variable, else the target's, else SQLite."""
    for name in (DATABASE_URL_ENV, TARGET_DATABASE_URL_ENV):
        if value := os.environ.get(name, "").strip():
            return value
    return DEFAULT_DATABASE_URL


def build_parser() -> argparse.ArgumentParser:
    """The CLI's arguments."""
    parser = argparse.ArgumentParser(
        prog="marketing-leads", description="Inspect and manage the marketing lead store."
    )
    parser.add_argument(
        "--database-url",
        default=default_database_url(),
        help=f"SQLAlchemy URL of the store (env {DATABASE_URL_ENV}, else "
        f"{TARGET_DATABASE_URL_ENV}; default {DEFAULT_DATABASE_URL})",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON (stable keys)")
        return sub

    history = command("history", "runs, newest first")
    history.add_argument("--sync", help="only this sync")
    history.add_argument("--csv", action="store_true", help="print CSV for spreadsheets")
    command("lists", "mailing lists and their member counts")
    members = command("members", "the leads on a list, by email")
    members.add_argument("list", help="mailing list name")
    _paging(members, "--after", "EMAIL", str, "the last email of the previous page")
    outcomes = command("outcomes", "the outcome of every record of a run, in input order")
    outcomes.add_argument("run_id", type=int)
    outcomes.add_argument("--outcome", choices=admin.OUTCOME_NAMES)
    outcomes.add_argument("--reason", choices=admin.REASON_NAMES)
    outcomes.add_argument(
        "--changes", action="store_true", help="only updates that change a field, field by field"
    )
    _paging(outcomes, "--after", "POSITION", _count, "the last position of the previous page")
    suppress = command("suppress", "mark emails unsubscribed or bounced")
    suppress.add_argument("--status", required=True, choices=admin.SUPPRESS_STATUSES)
    source = suppress.add_mutually_exclusive_group(required=True)
    source.add_argument("emails", nargs="*", default=[], metavar="EMAIL")
    source.add_argument("--file", help="a file with one email per line ('-' for stdin)")
    approve = command("approve", "approve a blocked run's removals for the next run")
    approve.add_argument("run_id", type=int)
    report = commands.add_parser("report", help="write the import history as an HTML page")
    report.add_argument("--sync", help="only this sync")
    report.add_argument(
        "--output", type=Path, default=Path(DEFAULT_REPORT), help=f"default {DEFAULT_REPORT}"
    )
    add_schedule_parser(commands)
    return parser


def _count(text: str) -> int:
    """An argument that is a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"not a whole number >= 0: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _paging(
    sub: argparse.ArgumentParser,
    flag: str,
    metavar: str,
    key_type: t.Callable[[str], t.Any],
    key_help: str,
) -> None:
    """``--csv``, ``--limit`` and ``--after`` of a command whose rows may be millions."""
    sub.add_argument("--csv", action="store_true", help="print CSV, streamed (all rows)")
    sub.add_argument(
        "--limit",
        type=_count,
        metavar="N",
        help=f"at most N rows (default: {TABLE_ROWS} in the table, all with --json/--csv)",
    )
    sub.add_argument(flag, type=key_type, metavar=metavar, help=f"start after {key_help}")


def _read_emails(path: str) -> list[str]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror}"
        raise CommandError(msg) from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def run_command(args: argparse.Namespace, console: Console) -> None:
    """Run one parsed command against the store."""
    engine = open_store(args.database_url)
    store = redacted(args.database_url)
    reading = {READ_ONLY: args.command not in WRITING_COMMANDS}
    try:
        with engine.connect().execution_options(**reading) as conn, conn.begin():
            if args.command == "history":
                runs = admin.history(conn, args.sync)
                if args.json:
                    print_json({"runs": runs}, console)
                elif args.csv:
                    _write_history_csv(runs, console.file)
                else:
                    print_history(runs, console, store=store)
            elif args.command == "report":
                try:
                    pages = build_report(conn, args.sync, now=dt.datetime.now(dt.timezone.utc))
                except UnknownSync as exc:
                    raise CommandError(str(exc)) from exc
                try:
                    write_report(pages, args.output, database=redacted(args.database_url))
                except OSError as exc:
                    msg = f"cannot write {args.output}: {exc.strerror}"
                    raise CommandError(msg) from exc
                console.out(str(args.output), highlight=False)
            elif args.command == "lists":
                found = admin.lists(conn)
                if args.json:
                    print_json({"lists": found}, console)
                else:
                    print_table(
                        "Mailing lists", ("list", "members", "created_at"), found, console,
                        store=store,
                    )  # fmt: skip
            elif args.command == "members":
                _members(conn, args, console, store=store)
            elif args.command == "outcomes":
                _outcomes(conn, args, console, store=store)
            elif args.command == "approve":
                _approve(conn, args, console)
            elif args.command == "suppress":
                emails = _read_emails(args.file) if args.file else list(args.emails)
                result = admin.suppress(
                    conn,
                    args.status,
                    emails,
                    normaliser=EmailNormaliser(),
                    now=dt.datetime.now(dt.timezone.utc),
                )
                if args.json:
                    print_json(result, console)
                else:
                    _print_suppressed(result, console, store=store)
    finally:
        engine.dispose()


_Found = t.TypeVar("_Found")


def _required(found: _Found | None, message: str) -> _Found:
    """``found``, or the command's error ``message`` when there is none."""
    if found is None:
        raise CommandError(message)
    return found


def _limit(args: argparse.Namespace) -> int | None:
    """The rows to show: ``--limit``, else all for scripts and one page for a table."""
    if args.limit is not None or args.json or args.csv:
        return t.cast("int | None", args.limit)
    return TABLE_ROWS


def _page_tail(args: argparse.Namespace, page: admin.Page) -> t.Callable[[], dict[str, t.Any]]:
    """The JSON's closing ``page`` key when a page was asked for; nothing otherwise."""

    def tail() -> dict[str, t.Any]:
        if args.limit is None and args.after is None:
            return {}
        return {"page": {"after": args.after, "limit": args.limit, "next_after": page.next_after}}

    return tail


def _stream_or_collect(
    args: argparse.Namespace,
    console: Console,
    page: admin.Page,
    head: dict[str, t.Any],
    key: str,
    columns: Sequence[str],
) -> list[dict[str, t.Any]] | None:
    """Write ``page`` as it streams for ``--json``/``--csv`` (None), or return it for a table.

    JSON is ``{**head, key: [rows], "page"?}``; CSV has ``columns``, objects as JSON text.
    """
    with page:
        if args.json:
            write_json_rows(console.file, head, key, page, _page_tail(args, page))
            return None
        if args.csv:
            write_csv_rows(console.file, columns, page, json_columns=JSON_COLUMNS)
            return None
        return list(page)


def _members(
    conn: sa.Connection, args: argparse.Namespace, console: Console, *, store: str
) -> None:
    list_id = _required(admin.find_list(conn, args.list), f"no mailing list named {args.list!r}")
    page = admin.member_page(conn, list_id, after=args.after, limit=_limit(args))
    rows = _stream_or_collect(args, console, page, {"list": args.list}, "members", MEMBER_KEYS)
    if rows is None:
        return
    print_table(f"Members of {args.list}", MEMBER_COLUMNS, rows, console, store=store)
    if page.next_after is not None:
        total = admin.member_count(conn, list_id)
        print_note(
            f"{len(rows)} of {total:,} members shown, by email. Next page: add --after "
            f"{shlex.quote(page.next_after)}; every member: --csv or --json.",
            console,
        )


def _outcomes(
    conn: sa.Connection, args: argparse.Namespace, console: Console, *, store: str
) -> None:
    found_run = _required(admin.run(conn, args.run_id), f"no run with id {args.run_id}")
    page = admin.outcome_page(
        conn, args.run_id, outcome=args.outcome, reason=args.reason, changed=args.changes,
        after=args.after, limit=_limit(args),
    )  # fmt: skip
    head = {"run": found_run}
    rows = _stream_or_collect(args, console, page, head, "outcomes", admin.OUTCOME_KEYS)
    if rows is None:
        return
    title = f"Run {args.run_id}: {found_run['sync']} -> {found_run['list']}"
    if found_run["status"] != "completed":
        title += f" ({found_run['status']}: nothing applied)"
    if args.changes:
        print_table(title, CHANGE_COLUMNS, list(_change_rows(rows)), console, store=store)
    else:
        print_table(title, OUTCOME_COLUMNS, rows, console, store=store)
    if page.next_after is not None:
        print_note(
            f"{len(rows)} records shown, positions {rows[0]['position']} to "
            f"{rows[-1]['position']} of the run's {found_run['total']:,}. Next page: add "
            f"--after {page.next_after}; every record: --csv or --json.",
            console,
        )


def _change_rows(outcomes: list[dict[str, t.Any]]) -> t.Iterator[dict[str, t.Any]]:
    """One row per changed field of each outcome: email, field, before, after."""
    for outcome in outcomes:
        for name, change in (outcome["changes"] or {}).items():
            yield {"email": outcome["email"], "field": name, **change}


def _approve(conn: sa.Connection, args: argparse.Namespace, console: Console) -> None:
    try:
        approval = admin.approve(
            conn, args.run_id, approved_by=getpass.getuser(), now=dt.datetime.now(dt.timezone.utc)
        )
    except ApprovalRefused as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json(approval, console)
        return
    removals = approval["removals"]
    console.print(
        f"Run {approval['run_id']} approved by {approval['approved_by']}: the next run of "
        f"sync {approval['sync']!r} to list {approval['list']!r} may take up to "
        f"{approval_allowance(removals):,} members off the list beyond its limit "
        f"({removals:,} approved, plus a margin for contacts removed meanwhile).",
        highlight=False,
    )


def _write_history_csv(runs: list[dict[str, t.Any]], out: t.IO[str]) -> None:
    known = list(admin.REASON_NAMES)
    extra = sorted({r for run in runs for r in run["ignored_reasons"]}.difference(known))
    reasons = known + extra
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*HISTORY_CSV_COLUMNS, *(f"ignored_{reason}" for reason in reasons)])
    for run in runs:
        counts = run["ignored_reasons"]
        writer.writerow(
            [*(run[key] for key in HISTORY_CSV_COLUMNS), *(counts.get(r, 0) for r in reasons)]
        )


def _print_suppressed(result: dict[str, t.Any], console: Console, *, store: str) -> None:
    status = result["status"]
    console.print(
        f"{len(result['updated'])} lead(s) marked {status}, "
        f"{len(result['created'])} new lead(s) added as {status} (store {store})."
    )
    if result["invalid"]:
        print_table("Not valid emails (nothing changed)", ("email", "detail"),
                    result["invalid"], console, store=store)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``marketing-leads``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "csv", False) and args.json:
        parser.error("--csv and --json cannot be used together")
    if args.command == "schedule":
        return run_schedule(args)  # works on the Meltano project, not on the store
    console = Console(soft_wrap=getattr(args, "json", False))
    try:
        run_command(args, console)
        sys.stdout.flush()
    except (StoreError, CommandError) as exc:
        print(f"marketing-leads: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader left (``| head``): stop quietly, and keep Python's exit-time flush of
        # stdout from failing once more (see the signal module's notes on SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
