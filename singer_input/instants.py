"""One reading of ISO 8601 / RFC 3339 instants, for every plugin of this project.

Singer carries date-times as text, and sources write them with a ``Z``, an offset, or (from a
config file) none. Every plugin compares instants, so they all read them the same way: ``Z``
means UTC, no offset means UTC, and the result is an aware datetime in UTC.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def parse_instant(value: str | dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime; raise ``ValueError`` if it is not an ISO instant.

    ``OverflowError`` is turned into ``ValueError`` (a year 9999 with a negative offset), so
    callers have one exception to catch.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(str(exc)) from exc
