"""``target-marketing-leads``: a Singer target that loads the ``leads`` stream into the store.

Run semantics: one target process is one run. Everything the run writes (leads, list
memberships, the outcome of every record, one history row per (sync, list)) is committed in one
transaction when the input ends, and the target writes STATE to stdout only after that commit.
The SDK's five-minute forced drain is switched off: it would emit STATE for work not yet
committed. See :mod:`target_marketing_leads.session`.

Bad-input policy (each case is tested in ``tests/target/test_bad_input.py``):

==========================================================  =====================================
input                                                       what happens
==========================================================  =====================================
a line that is not JSON, or a message without its type      the run stops: one error line naming
                                                            the input line, exit code 1
a RECORD before its SCHEMA; a leads record without          the run stops (same)
``source_org_id`` / ``source_id`` / ``sync_name`` /
``mailing_list``; a ``leads`` SCHEMA without those fields
a leads record with a field of the wrong type or an         ``ignored`` / ``invalid_record``, the
unparseable ``source_modified_at``                          problem stored in the outcome's
                                                            ``detail``; the run goes on
a stream other than ``leads``                               its records are ignored, one warning
SIGTERM / SIGINT                                            the run is rolled back, exit code 1
==========================================================  =====================================

When the run stops, nothing of it is committed and no STATE is written: fix the input and run
again; nothing is lost and nothing is counted twice.

``dry_run`` and the removal guard (``max_removal_fraction``, ``max_removals``) keep a run's plan
without applying it (see :mod:`target_marketing_leads.session`): no STATE is written, so the next
run reads the same changes again. A blocked run exits 1 with one line saying how to review and
approve it (:mod:`target_marketing_leads.removal_guard`).
"""

from __future__ import annotations

import math
import sys
import typing as t

import sqlalchemy as sa
from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.exceptions import MissingKeyPropertiesError, RecordsWithoutSchemaException
from singer_sdk.helpers.capabilities import PluginCapabilities
from singer_sdk.singerlib.exceptions import InvalidInputLine

from lead_store import DEFAULT_DATABASE_URL, open_store
from lead_store.engine import DEFAULT_LOCK_TIMEOUT_SECONDS
from lead_store.errors import StoreError, explain
from lead_store.vocabulary import Outcome, RunStatus
from leads_contract import LEADS_STREAM, LeadsContractError, check_leads_schema, pinned_run
from target_marketing_leads.classify import normalise_roles
from target_marketing_leads.errors import RunBlocked
from target_marketing_leads.fast_paths import loading_rules
from target_marketing_leads.full_loads import FullLoadReader, FullLoads
from target_marketing_leads.metrics import log_run
from target_marketing_leads.removal_guard import (
    DEFAULT_MAX_REMOVAL_FRACTION,
    RemovalLimits,
    blocked_message,
    removal_summary,
)
from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS
from target_marketing_leads.run_guard import RunGuard
from target_marketing_leads.session import RunSession
from target_marketing_leads.sinks import IgnoredStreamSink, LeadsSink
from target_marketing_leads.validation import parse_run

if t.TYPE_CHECKING:
    from types import FrameType

    from singer_sdk.sinks import Sink

FULL_LOAD_CAUSE = "not in the source's latest full load"
"""How the outcome of a contact missing from a closed full load begins (its ``detail``)."""

RUN_STOPPING_ERRORS = (
    LeadsContractError,
    StoreError,
    InvalidInputLine,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
    sa.exc.OperationalError,
)
"""Errors reported as one line (no traceback): the input or the store's environment (a lock
held too long, a server gone), not a bug."""


class TargetMarketingLeads(Target):
    """Loads marketing leads into mailing lists, classifying every record of a run."""

    name = "target-marketing-leads"
    package_name = "zoho-invoice-marketing-leads"
    default_sink_class = LeadsSink
    message_reader_class = FullLoadReader
    # Only what the target does: it applies stream maps (the SDK does, before the sink), ends
    # the links of contacts missing from a full-table source's closed version (ACTIVATE_VERSION,
    # setting process_activate_version_messages) and logs structured metrics. Not
    # schema-flattening (it would flatten away every lead's attributes) nor validate-records
    # (the leads contract is checked by the target's own rules, in validation.py, whatever that
    # setting says).
    capabilities: t.ClassVar = [
        PluginCapabilities.ABOUT,
        PluginCapabilities.ACTIVATE_VERSION,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]
    # Private SDK attribute, kept: the SDK's five-minute forced drain would emit STATE for a run
    # not yet committed; there is no public setting for it (sdk#2692).
    _MAX_RECORD_AGE_IN_MINUTES = math.inf

    config_jsonschema = th.PropertiesList(
        th.Property(
            "database_url",
            th.StringType,
            default=DEFAULT_DATABASE_URL,
            secret=True,
            description=(
                "SQLAlchemy URL of the lead store: sqlite:///path.db (default "
                "sqlite:///marketing_leads.db) or postgresql+psycopg://user:password@host/db. "
                "Secret because it may hold a password."
            ),
        ),
        th.Property(
            "role_addresses",
            th.ArrayType(th.StringType),
            description=(
                "Role local parts (info, support, ...) whose addresses are ignored with reason "
                "role_address. Replaces the built-in list (target_marketing_leads.roles); "
                "compared lower-case, after removing a +tag."
            ),
        ),
        th.Property(
            "check_deliverability",
            th.BooleanType,
            default=False,
            description=(
                "Also check that each email's domain can receive mail (DNS lookups by "
                "email-validator). Off by default: syntax and normalisation only."
            ),
        ),
        th.Property(
            "lock_timeout_seconds",
            th.IntegerType(minimum=1),
            default=DEFAULT_LOCK_TIMEOUT_SECONDS,
            description=(
                "How long a run waits for another run holding the store (SQLite: the write "
                "lock; PostgreSQL: a row lock) before failing."
            ),
        ),
        th.Property(
            "dry_run",
            th.BooleanType,
            default=False,
            description=(
                "Classify every record exactly as a real run would and store only the plan: a "
                "history row with status planned and every record's outcome (with the fields an "
                "update would change). No lead or list changes, no STATE: the next run reads the "
                "same changes again. Review with marketing-leads outcomes RUN_ID --changes."
            ),
        ),
        th.Property(
            "max_removal_fraction",
            th.NumberType(minimum=0, maximum=1),
            default=DEFAULT_MAX_REMOVAL_FRACTION,
            description=(
                "A run that would take more than this share of a list's members (at the start of "
                "the run) off the list is blocked: it applies nothing, stores its plan with "
                "status blocked, writes no STATE and exits 1 until marketing-leads approve "
                "RUN_ID. A list with no members is never blocked."
            ),
        ),
        th.Property(
            "max_removals",
            th.IntegerType(minimum=0),
            description=(
                "Also block a run that would take more than this many members off a list "
                "(the smaller of the two limits applies). Absent: only max_removal_fraction."
            ),
        ),
    ).to_dict()

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict) -> None:
        """The SDK's built-in settings, less the two this target does not honour.

        ``load_method`` (every run upserts by email) and ``add_record_metadata`` (the store keeps
        only the leads contract's fields) would be promises the target does not keep.
        """
        super().append_builtin_config(config_jsonschema)
        for unsupported in ("load_method", "add_record_metadata"):
            config_jsonschema["properties"].pop(unsupported, None)

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # One connection and one transaction per run: drain sinks one at a time.
        self.max_parallelism = 1
        self._session: RunSession | None = None
        self._guard: RunGuard | None = None
        self._limits = RemovalLimits.from_config(self.config)
        self._dry_run = bool(self.config.get("dry_run", False))

    @property
    def session(self) -> RunSession:
        """The run's session on the store, opened (and the store migrated) on first use."""
        if self._session is None:
            url = self.config.get("database_url") or DEFAULT_DATABASE_URL
            timeout = float(self.config.get("lock_timeout_seconds", DEFAULT_LOCK_TIMEOUT_SECONDS))
            configured = self.config.get("role_addresses")
            roles = normalise_roles(
                configured if configured is not None else DEFAULT_ROLE_LOCAL_PARTS
            )
            self._session = RunSession(
                open_store(url, lock_timeout=timeout),
                roles=roles,
                rules=loading_rules(
                    check_deliverability=bool(self.config.get("check_deliverability", False))
                ),
                logger=self.logger,
                dry_run=self._dry_run,
                limits=self._limits,
            )
        return self._session

    def claim(self, sync_name: str) -> None:
        """Claim a sync before any of its records is applied (see :mod:`.run_guard`)."""
        if self._guard is None:
            self._guard = RunGuard(self.config.get("database_url") or DEFAULT_DATABASE_URL)
        self._guard.claim(sync_name)

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """The leads sink for ``leads``; a sink that drops records for any other stream."""
        return LeadsSink if stream_name == LEADS_STREAM else IgnoredStreamSink

    def get_sink(
        self,
        stream_name: str,
        *,
        record: dict | None = None,
        schema: dict | None = None,
        key_properties: t.Sequence[str] | None = None,
    ) -> Sink:
        """Check a leads SCHEMA; drain a sink before a new SCHEMA replaces it (input order).

        A leads SCHEMA that pins its run (``leads_contract.pinned_run``) claims the sync and
        opens the run's history row now, as a first record would: a run that sends no record
        (nothing changed at the source) still appears in the history, with total 0.
        """
        if schema is not None and stream_name == LEADS_STREAM:
            check_leads_schema(stream_name, schema)
            pinned = pinned_run(schema)
            if pinned is not None:
                sync_name, list_name = parse_run(*pinned)
                self.claim(sync_name)
                self.session.open_run(sync_name, list_name)
        existing = self._sinks_active.get(stream_name)
        if schema is not None and existing is not None:
            self.drain_one(existing)
        return super().get_sink(
            stream_name, record=record, schema=schema, key_properties=key_properties
        )

    def end_missing_contacts(self, sink: Sink, version: t.Any) -> None:
        """On an ACTIVATE_VERSION that closes a full load, end the links of contacts not in it.

        The sink's records so far are written first, so every contact of the load has its
        outcome in the run when the run's links are compared with them.
        """
        if not self._full_loads.closes(version):
            self.logger.info(
                "ACTIVATE_VERSION %s opens a full load of '%s': nothing is removed before a "
                "closing ACTIVATE_VERSION.",
                version,
                sink.stream_name,
            )
            return
        self.drain_one(sink)
        ended = self.session.end_links_missing_from_runs(
            cause=FULL_LOAD_CAUSE, batch_size=LeadsSink.MAX_SIZE_DEFAULT
        )
        self.logger.info(
            "ACTIVATE_VERSION %s closed a full load of '%s': %d contact(s) not in it lost their "
            "link (outcome deleted).",
            version,
            sink.stream_name,
            ended,
        )

    @property
    def _full_loads(self) -> FullLoads:
        return t.cast("FullLoadReader", self.message_reader).full_loads

    def _finish_run(self) -> None:
        """Commit the run (once), then log its metrics and summary; stop if it was blocked.

        A run that counted no record is kept only when a STATE came in: the source then ended
        its read (nothing changed); without one it failed first (a revoked token), and its empty
        history row is dropped. Private SDK attribute, kept: ``_latest_state`` is the only record
        of a STATE received; no public accessor exists.
        """
        if self._session is None or self._session.committed:
            return
        tallies = self._session.commit(keep_empty_runs=self._latest_state is not None)
        for tally in tallies:
            log_run(self.metrics_logger, self.logger, tally)
        self._session.close()
        blocked = []
        for tally in tallies:
            if tally.verdict is None or not tally.verdict.blocked:
                continue
            if tally.status is RunStatus.BLOCKED:
                totals = tally.outcome_totals()
                blocked.append(
                    blocked_message(
                        tally.run_id,
                        tally.list_name,
                        tally.verdict,
                        self._limits,
                        deleted=totals[Outcome.DELETED.value] > 0,
                        removed=totals[Outcome.REMOVED.value] > 0,
                    )
                )
            else:
                self.logger.warning(
                    "Dry run %d: a real run would be blocked; it would %s.",
                    tally.run_id,
                    removal_summary(tally.list_name, tally.verdict, self._limits),
                )
        if blocked:
            raise RunBlocked("\n".join(blocked))

    def close(self) -> None:
        """Release the store and the sync claims; whatever was not committed is rolled back."""
        if self._session is not None:
            self._session.close()
        if self._guard is not None:
            self._guard.release()

    def _write_state_message(self, state: dict) -> None:
        """Write STATE only after the commit that covers it.

        Private SDK hook, kept: every STATE the SDK writes passes here (end of input, a forced
        drain, a signal), and no public hook sits between the last drain and the STATE line.
        """
        self._finish_run()
        if not self._dry_run:
            super()._write_state_message(state)

    def process_endofpipe(self) -> None:
        """Drain, commit, emit the latest STATE (through ``_write_state_message``), unclaim."""
        super().process_endofpipe()
        self._finish_run()
        if self._guard is not None:
            self._guard.release()

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        """Roll the run back on SIGTERM / SIGINT: a partial run is never committed.

        Private SDK hook, kept: the SDK's own handler drains every sink and writes STATE, which
        would commit half a run; the signal handler it installs is this method.
        """
        if self._session is not None:
            self._session.rollback()
        self.logger.error(
            "Received signal %d: the run was rolled back; nothing was committed and no STATE "
            "was written. Run the target again on the same input.",
            signum,
        )
        sys.exit(1)

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:  # type: ignore[override]
        """Run the target; report input and store errors as one line and exit 1."""
        try:
            super().invoke(*args, **kwargs)
        except RunBlocked as exc:
            cls.logger.error("%s", exc)
            sys.exit(1)
        except RUN_STOPPING_ERRORS as exc:
            cls.logger.error("Run stopped, nothing committed, no STATE written: %s", explain(exc))
            sys.exit(1)


if __name__ == "__main__":
    TargetMarketingLeads.cli()
