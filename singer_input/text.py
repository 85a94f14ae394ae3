"""How a bad value is quoted in an error or an outcome's detail: short, escaped, one line."""

from __future__ import annotations

EXCERPT = 60
"""Characters of a bad value quoted (a line of input may be megabytes)."""


def excerpt(value: object) -> str:
    """``repr`` of the start of ``value``: escapes NUL, surrogates and invisible characters.

    A long string is cut before ``repr`` and says how long it was; anything else is cut after.
    """
    if isinstance(value, str) and len(value) > EXCERPT:
        return f"{value[:EXCERPT]!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= 2 * EXCERPT else f"{text[: 2 * EXCERPT]}..."
