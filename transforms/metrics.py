"""What the mapper counts and how it reports it: SDK-format METRIC lines at the end of input.

One counter metric, ``mapper_records``, logged once per outcome when the input ends::

    METRIC: {"type":"counter","metric":"mapper_records","value":120,
             "tags":{"sync":"india-customers","stream":"contacts","outcome":"in","pid":...}}

Outcomes: ``in`` (records of the source stream read), ``met_criteria`` (became leads),
``filtered_out`` (dropped by the criteria), ``leaving`` (failed the criteria and passed on with
``meets_criteria: false``, under ``when_no_longer_matching: remove``) and ``tombstone``
(deleted records, passed on without testing the criteria), so
``in = met_criteria + filtered_out + leaving + tombstone``.
Counting is plain integer arithmetic per record; the SDK's ``metrics.log`` writes the lines
(through the ``singer_sdk.metrics`` logger, so Meltano's structured logging parses them).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

from singer_sdk import metrics


class MapperMetric(str, enum.Enum):
    """Metric names; the SDK needs an Enum with ``.value``, a plain str is silently dropped."""

    RECORDS = "mapper_records"


class RecordOutcome(str, enum.Enum):
    """The ``outcome`` tag of ``mapper_records``."""

    IN = "in"
    MET_CRITERIA = "met_criteria"
    FILTERED_OUT = "filtered_out"
    LEAVING = "leaving"
    TOMBSTONE = "tombstone"


@dataclass
class RecordTally:
    """Counts of source-stream records by outcome."""

    met_criteria: int = 0
    filtered_out: int = 0
    leaving: int = 0
    tombstone: int = 0

    @property
    def records_in(self) -> int:
        """Every source-stream record read (each has exactly one other outcome)."""
        return self.met_criteria + self.filtered_out + self.leaving + self.tombstone

    def points(self, *, sync_name: str, stream: str) -> list[metrics.Point]:
        """One counter point per outcome, tagged with the sync and the source stream."""
        counts = {
            RecordOutcome.IN: self.records_in,
            RecordOutcome.MET_CRITERIA: self.met_criteria,
            RecordOutcome.FILTERED_OUT: self.filtered_out,
            RecordOutcome.LEAVING: self.leaving,
            RecordOutcome.TOMBSTONE: self.tombstone,
        }
        return [
            metrics.Point(
                "counter",
                MapperMetric.RECORDS,  # type: ignore[arg-type]
                value,
                {"sync": sync_name, "stream": stream, "outcome": outcome.value, "pid": os.getpid()},
            )
            for outcome, value in counts.items()
        ]

    def log(self, *, sync_name: str, stream: str) -> None:
        """Write the METRIC lines through the SDK's metrics logger."""
        logger = metrics.get_metrics_logger()
        for point in self.points(sync_name=sync_name, stream=stream):
            metrics.log(logger, point)
