"""One timestamp format for everything the tap emits.

Zoho writes ``2026-06-09T13:15:06-0400`` in each organization's own zone, while singer-sdk
compares bookmarks as *strings* (sdk#2753). Converting every instant to the same UTC form with
a fixed precision makes string order equal time order, across organizations and DST changes.
"""

from __future__ import annotations

import datetime as dt

from singer_input.instants import UTC, parse_instant

__all__ = ["parse_instant", "to_bookmark", "to_zoho_param"]


def to_bookmark(value: str | dt.datetime) -> str:
    """Render an instant the way the SDK renders datetimes: UTC, microseconds, ``+00:00``."""
    return parse_instant(value).isoformat(timespec="microseconds")


def to_zoho_param(value: dt.datetime) -> str:
    """Format an instant for Zoho's ``last_modified_time`` query parameter (no colon offset)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")
