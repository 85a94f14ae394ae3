"""End-of-run METRIC lines (SDK format) and the one-line summary, per (sync, list) run.

One ``lead_outcome`` counter per outcome, and per reason for ``ignored``, always all of them
(zeros included) so that dashboards see a stable set of series::

    METRIC: {"type":"counter","metric":"lead_outcome","value":3,
             "tags":{"sync":"daily","list":"Newsletter","outcome":"ignored","reason":"role_address"}}

Only an applied (completed) run counts outcomes: a planned or blocked run changed nothing, and
dashboards summing ``lead_outcome`` must not count its records twice. A blocked run logs one
``run_blocked`` counter instead, tagged with its id, departures, members and limit.
"""

from __future__ import annotations

import enum
import logging

from singer_sdk import metrics

from lead_store.vocabulary import Outcome, Reason, RunStatus
from target_marketing_leads.session import RunTally


class LeadMetric(str, enum.Enum):
    """Metric names of the target (the SDK needs an enum with ``.value``)."""

    LEAD_OUTCOME = "lead_outcome"
    RUN_BLOCKED = "run_blocked"


def outcome_points(tally: RunTally) -> list[metrics.Point[int]]:
    """The ``lead_outcome`` counters of one run."""
    keys: list[tuple[Outcome, Reason | None]] = [
        (o, None) for o in Outcome if o is not Outcome.IGNORED
    ]
    keys += [(Outcome.IGNORED, r) for r in Reason]
    return [
        metrics.Point(
            "counter",
            LeadMetric.LEAD_OUTCOME,  # type: ignore[arg-type]
            tally.counts.get((outcome, reason), 0),
            {
                "sync": tally.sync_name,
                "list": tally.list_name,
                "outcome": outcome.value,
                "reason": reason.value if reason else None,
            },
        )
        for outcome, reason in keys
    ]


def blocked_point(tally: RunTally) -> metrics.Point[int] | None:
    """The ``run_blocked`` counter of a blocked run; None for any other."""
    verdict = tally.verdict
    if tally.status is not RunStatus.BLOCKED or verdict is None:
        return None
    return metrics.Point(
        "counter",
        LeadMetric.RUN_BLOCKED,  # type: ignore[arg-type]
        1,
        {
            "sync": tally.sync_name,
            "list": tally.list_name,
            "run_id": tally.run_id,
            "departures": verdict.departures,
            "members": verdict.members,
            "limit": verdict.limit,
        },
    )


def summary_line(tally: RunTally) -> str:
    """A person-readable line: run id, sync, list and the counts that add up to the total."""
    totals = tally.outcome_totals()
    reasons = ", ".join(f"{r}={n}" for r, n in tally.ignored_reasons().items() if n)
    ignored = f"ignored={totals['ignored']}" + (f" ({reasons})" if reasons else "")
    status = "" if tally.status is RunStatus.COMPLETED else f" ({tally.status.value})"
    return (
        f"Run {tally.run_id}{status} sync={tally.sync_name!r} list={tally.list_name!r}: "
        f"total={totals['total']} = new={totals['new']} + re_added={totals['re_added']} + "
        f"duplicate={totals['duplicate']} + {ignored} + deleted={totals['deleted']} + "
        f"removed={totals['removed']}"
    )


def log_run(metrics_logger: logging.Logger, logger: logging.Logger, tally: RunTally) -> None:
    """Log the METRIC lines and the summary of one run at its end."""
    blocked = blocked_point(tally)
    points = outcome_points(tally) if tally.status is RunStatus.COMPLETED else []
    for point in points + ([blocked] if blocked is not None else []):
        metrics.log(metrics_logger, point)
    logger.info(summary_line(tally))
