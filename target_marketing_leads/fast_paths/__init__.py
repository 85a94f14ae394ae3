"""Speed paths of the target, each an exact stand-in for a reference rule, and their switch.

The rules live in :mod:`..emails`, :mod:`..validation` and :mod:`..session`; a path here
gives the same answer faster for the common case and defers to the rule for everything else.
Each module sits beside its equivalence tests in ``tests/target/fast_paths/``, which compare it
with the rule it stands in for.

One switch turns all of them off: ``TARGET_MARKETING_LEADS_FAST_PATHS=off`` in the environment
(for a bisect, or to measure what they buy: ``bench/bench_target.py`` prints both).
"""

from __future__ import annotations

import contextlib
import os
import typing as t

from target_marketing_leads.emails import EmailNormaliser
from target_marketing_leads.validation import LeadRecord, parse_lead

SWITCH = "TARGET_MARKETING_LEADS_FAST_PATHS"
OFF_VALUES = frozenset({"0", "off", "false", "no"})


def enabled() -> bool:
    """Whether the speed paths are in use (read at each call: tests flip it)."""
    return os.environ.get(SWITCH, "on").strip().lower() not in OFF_VALUES


class LoadingRules(t.NamedTuple):
    """The rules a run loads with: the reference ones, or their speed paths."""

    parse_lead: t.Callable[[dict[str, t.Any]], LeadRecord]
    normaliser: EmailNormaliser
    batch_context: t.Callable[[], t.ContextManager[None]]


def loading_rules(*, check_deliverability: bool = False) -> LoadingRules:
    """The speed paths when :func:`enabled`, else the reference rules alone."""
    if not enabled():
        return LoadingRules(
            parse_lead, EmailNormaliser(check_deliverability=check_deliverability),
            contextlib.nullcontext,
        )  # fmt: skip
    from target_marketing_leads.fast_paths.gc_pause import cycle_collection_paused
    from target_marketing_leads.fast_paths.plain_email import FastEmailNormaliser
    from target_marketing_leads.fast_paths.plain_record import parse_lead_fast

    return LoadingRules(
        parse_lead_fast, FastEmailNormaliser(check_deliverability=check_deliverability),
        cycle_collection_paused,
    )  # fmt: skip
