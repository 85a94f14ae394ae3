"""The lead store's tables (SQLAlchemy Core), as of the newest schema version.

- ``schema_version``: one row per applied migration step (see :mod:`.migrations`).
- ``mailing_lists``: one row per list name.
- ``leads``: one row per normalised email, with its status (active / unsubscribed / bounced /
  deleted), the mapped fields and the source contact it came from last.
- ``list_members``: which leads are on which list now.
- ``lead_links``: which source contacts supplied each lead, per sync and list. A lead stays on a
  list while a link for that list remains; several contacts may hold one email.
- ``runs``: the history, one row per (sync, list) per target run, with its outcome counts and
  status: completed, or planned (a dry run) or blocked (the removal guard), which applied nothing.
- ``lead_outcomes``: the outcome of every lead record of every run, and the reason of every
  ignored one, so "why is x@y not on my list?" has an answer; ``changes`` holds the fields an
  update changed (before and after), ``departure`` where a leaving record took its lead.
- ``run_approvals``: who approved a blocked run's removals, and which later run used them.

Timestamps are stored in UTC (:class:`UTCDateTime`). Outcome and reason columns carry no CHECK
constraint on purpose: a later version may add a reason without rebuilding a SQLite table.
"""

from __future__ import annotations

import datetime as dt
import typing as t

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from lead_store.vocabulary import LeadStatus

metadata = sa.MetaData()

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""64-bit ids on PostgreSQL; INTEGER on SQLite, where only that type autoincrements."""

JsonObject = sa.JSON().with_variant(JSONB(), "postgresql")
JsonOrNull = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""A JSON column where Python None is SQL NULL (not JSON ``null``): ``IS NULL`` finds it."""


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite has no zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: sa.Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: sa.Dialect) -> t.Callable[[t.Any], t.Any] | None:
        """On SQLite, one step from an aware datetime to the stored text.

        Why: SQLAlchemy's SQLite ``DATETIME`` formats through a dict per value, after
        :meth:`process_bind_param`'s own conversion; a run binds one per lead. The text is the
        same, ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (``tests/lead_store/test_utc_datetime.py``).
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        utc = dt.timezone.utc

        def process(value: dt.datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not None:
                value = value.astimezone(utc).replace(tzinfo=None)
            return value.isoformat(" ", "microseconds")

        return process

    def process_result_value(
        self, value: dt.datetime | None, dialect: sa.Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def _check_in(column: str, values: t.Iterable[str], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IS NULL OR {column} IN ({allowed})", name=name)


schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

mailing_lists = sa.Table(
    "mailing_lists",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("first_name", sa.Text),
    sa.Column("last_name", sa.Text),
    sa.Column("attributes", JsonObject),
    sa.Column("source_system", sa.String(64)),
    sa.Column("source_org_id", sa.String(64)),
    sa.Column("source_id", sa.String(64)),
    sa.Column("source_modified_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    _check_in("status", (s.value for s in LeadStatus), "ck_leads_status"),
    sa.Index("ix_leads_source", "source_id", "source_org_id"),
)

list_members = sa.Table(
    "list_members",
    metadata,
    sa.Column(
        "list_id", BigId, sa.ForeignKey("mailing_lists.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("lead_id", BigId, sa.ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    # A lead leaving every list (deleted, suppressed) is found by lead, not by list.
    sa.Index("ix_list_members_lead", "lead_id"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("sync_name", sa.String(255), nullable=False),
    sa.Column("list_id", BigId, sa.ForeignKey("mailing_lists.id"), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("new", sa.Integer, nullable=False, server_default="0"),
    sa.Column("re_added", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicate", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ignored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("deleted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("removed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ignored_reasons", JsonObject),
    # Leads the run took (planned, blocked: would take) off its list; the removal guard's number.
    sa.Column("departures", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_runs_sync", "sync_name"),
)

lead_outcomes = sa.Table(
    "lead_outcomes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("run_id", BigId, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(30)),
    sa.Column("detail", sa.Text),
    sa.Column("source_org_id", sa.String(64)),
    sa.Column("source_id", sa.String(64)),
    sa.Column("changes", JsonOrNull),
    sa.Column("departure", sa.String(20)),
    sa.Index("ix_lead_outcomes_run_email", "run_id", "email"),
    sa.Index("ix_lead_outcomes_run_position", "run_id", "position"),
)

lead_links = sa.Table(
    "lead_links",
    metadata,
    sa.Column(
        "list_id", BigId, sa.ForeignKey("mailing_lists.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("sync_name", sa.String(255), primary_key=True),
    sa.Column("source_system", sa.String(64), primary_key=True),
    sa.Column("source_org_id", sa.String(64), primary_key=True),
    sa.Column("source_id", sa.String(64), primary_key=True),
    sa.Column("lead_id", BigId, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    sa.Column("linked_at", UTCDateTime, nullable=False),
    # "Which contacts still hold this lead on this list?" is asked by lead.
    sa.Index("ix_lead_links_lead", "lead_id", "list_id"),
)

run_approvals = sa.Table(
    "run_approvals",
    metadata,
    sa.Column("run_id", BigId, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("approved_by", sa.String(255), nullable=False),
    sa.Column("approved_at", UTCDateTime, nullable=False),
    sa.Column("removals", sa.Integer, nullable=False),
    sa.Column("used_by_run_id", BigId, sa.ForeignKey("runs.id")),
)
