"""Sinks: the ``leads`` stream goes to the store; any other stream is ignored with a warning.

Other streams are expected: the mapper passes streams it does not map (the tap's
``organizations``, for one) through untouched. Ignoring them keeps a pipeline running while
saying so once per stream.
"""

from __future__ import annotations

import typing as t

from singer_sdk.sinks import BatchSink, RecordSink

if t.TYPE_CHECKING:
    from target_marketing_leads.target import TargetMarketingLeads

LEADS_STREAM = "leads"


class LeadsSink(BatchSink):
    """Classifies and writes batches of leads through the target's run session.

    The target validates records itself (:mod:`target_marketing_leads.validation`), so the SDK's
    per-record JSON-schema validation and timestamp parsing are skipped here.
    """

    MAX_SIZE_DEFAULT = 10000

    def get_validator(self) -> None:  # type: ignore[override]
        """No JSON-schema validation: :func:`~target_marketing_leads.validation.parse_lead`."""
        return None

    def _validate_and_parse(self, record: dict) -> dict:
        """Leave the record as read: the target validates and parses what it uses itself."""
        return record

    def _remove_sdc_metadata_from_record(self, record: dict) -> None:
        """Keep ``_sdc_deleted_at``: it is the leads contract's tombstone marker.

        The SDK strips every ``_sdc_`` field when ``add_record_metadata`` is off; the target
        reads only the fields it knows, so nothing needs removing.
        """

    def _after_process_record(self, context: dict) -> None:
        """Nothing per record: the SDK's default logs a debug line for each one."""

    def process_batch(self, context: dict) -> None:
        """Classify and write the batch inside the run's transaction (committed at the end)."""
        target = t.cast("TargetMarketingLeads", self._target)
        target.session.load(context.get("records", []))

    def __init__(self, target: TargetMarketingLeads, *args: t.Any, **kwargs: t.Any) -> None:
        self._target = target
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

    def _validate_and_parse(self, record: dict) -> dict:
        """Nothing to parse in records that are dropped."""
        return record

    def process_record(self, record: dict, context: dict) -> None:
        """Drop the record."""
