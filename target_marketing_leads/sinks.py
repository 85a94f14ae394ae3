"""Sinks: the ``leads`` stream goes to the store; any other stream is ignored with a warning.

Other streams are expected: the mapper passes streams it does not map (the tap's
``organizations``, for one) through untouched. Ignoring them keeps a pipeline running while
saying so once per stream.
"""

from __future__ import annotations

import typing as t

from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import BatchSink, RecordSink

from leads_contract import LEADS_STREAM

if t.TYPE_CHECKING:
    from singer_sdk import Target
    from singer_sdk.sinks import Sink

    from target_marketing_leads.session import RunSession


class LoadingTarget(t.Protocol):
    """What the leads sink needs of its target: the run's session, the sync claim, and the
    ending of contacts missing from a full load."""

    @property
    def session(self) -> RunSession: ...

    def claim(self, sync_name: str) -> None: ...

    def end_missing_contacts(self, sink: Sink, version: t.Any) -> None: ...


class LeadsSink(BatchSink):
    """Classifies and writes batches of leads through the target's run session.

    The target validates records itself (:mod:`target_marketing_leads.validation`), so the SDK's
    per-record JSON-schema validation and timestamp parsing are skipped here.
    """

    MAX_SIZE_DEFAULT = 10000
    _claimed: str | None = None

    def get_validator(self) -> None:  # type: ignore[override]
        """No JSON-schema validation: :func:`~target_marketing_leads.validation.parse_lead`."""
        return None

    def _validate_and_parse(self, record: dict) -> dict:
        """Leave the record as read: the target validates and parses what it uses itself.

        Private SDK hook, kept: the SDK's step turns date-time strings into datetimes and stops
        the run on one it cannot parse, where the leads contract counts the record
        ``invalid_record`` and goes on; no public hook skips it (``datetime_error_treatment``
        only picks ERROR, MAX or NULL, and NULL would hide the problem).
        """
        return record

    def _remove_sdc_metadata_from_record(self, record: dict) -> None:
        """Keep ``_sdc_deleted_at``: it is the leads contract's tombstone marker.

        Private SDK hook, kept: the SDK strips every ``_sdc_`` field when ``add_record_metadata``
        is off; the public alternative (``include_sdc_metadata_properties``) stamps seven fields
        with two clock reads on every record. The target reads only the fields it knows.
        """

    def preprocess_record(self, record: dict, context: dict) -> dict:
        """Claim the record's sync before any of it is applied (see :mod:`.run_guard`)."""
        sync_name = record.get("sync_name")
        if isinstance(sync_name, str) and sync_name and sync_name != self._claimed:
            self._loader.claim(sync_name)
            self._claimed = sync_name
        return record

    def process_batch(self, context: dict) -> None:
        """Classify and write the batch inside the run's transaction (committed at the end)."""
        self._loader.session.load(context.get("records", []))

    def activate_version(self, new_version: int) -> None:
        """A full-table source's ACTIVATE_VERSION: see :mod:`.full_loads`."""
        self._loader.end_missing_contacts(self, new_version)

    def __init__(self, target: Target, *args: t.Any, **kwargs: t.Any) -> None:
        self._loader = t.cast("LoadingTarget", target)
        super().__init__(target, *args, **kwargs)


class IgnoredStreamSink(RecordSink):
    """Drops the records of a stream that is not ``leads`` (one warning per stream)."""

    def setup(self) -> None:
        """Say once that this stream is not loaded."""
        self.logger.warning(
            "Stream '%s' is not '%s': its records are ignored by target-marketing-leads.",
            self.stream_name,
            LEADS_STREAM,
        )

    def get_validator(self) -> None:  # type: ignore[override]
        """No validation for records that are dropped."""
        return None

    @property
    def datetime_error_treatment(self) -> DatetimeErrorTreatmentEnum:
        """A bad date in a stream that is dropped must not stop the run."""
        return DatetimeErrorTreatmentEnum.NULL

    def process_record(self, record: dict, context: dict) -> None:
        """Drop the record."""

    def activate_version(self, new_version: int) -> None:
        """Nothing to activate: the stream's records were dropped."""
