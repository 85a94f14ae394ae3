"""One timestamp format for everything the tap emits.

Zoho writes ``2026-06-09T13:15:06-0400`` in each organization's own zone, while singer-sdk
compares bookmarks as *strings* (sdk#2753). Converting every instant to the same UTC form with
a fixed precision makes string order equal time order, across organizations and DST changes.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def parse_instant(value: str | dt.datetime) -> dt.datetime:
    """Parse Zoho's ``%Y-%m-%dT%H:%M:%S%z`` (or any ISO 8601 form) into an aware UTC datetime.

    A value without an offset is taken as UTC: it can only come from config, where UTC is the
    documented meaning.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_bookmark(value: str | dt.datetime) -> str:
    """Render an instant the way the SDK renders datetimes: UTC, microseconds, ``+00:00``."""
    return parse_instant(value).isoformat(timespec="microseconds")


def to_zoho_param(value: dt.datetime) -> str:
    """Format an instant for Zoho's ``last_modified_time`` query parameter (no colon offset)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")
