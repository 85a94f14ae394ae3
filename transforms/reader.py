"""The mapper's Singer reader: a bad input line stops the mapper with one line that names it.

The SDK's reader logs a traceback and the whole line (which may be megabytes) for a line that is
not JSON, and lets other malformed input (a JSON array, a message type that is not a string,
nesting too deep for the parser, a 5,000-digit number) escape as a bare Python error. Every
such case becomes :class:`~singer_sdk.singerlib.exceptions.InvalidInputLine` here, prefixed with
the input line number, so that ``MarketingLeadsMapper.invoke`` can log one line and exit 1.
"""

from __future__ import annotations

import json
import typing as t

from singer_sdk.io_base import SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json

EXCERPT = 80
"""Characters of a bad line quoted in the error."""


def excerpt(value: object) -> str:
    """``repr`` of a value, cut to :data:`EXCERPT` characters (lines may be huge)."""
    text = repr(value)
    return text if len(text) <= EXCERPT else f"{text[:EXCERPT]}..."


class LineNumberingReader(SingerReader):
    """Counts input lines; every input error it raises or passes on names the line."""

    line_number = 0

    def deserialize_json(self, line: str) -> dict:
        """Parse one line into a Singer message (a JSON object with a string ``type``)."""
        self.line_number += 1
        try:
            message = deserialize_json(line)
        except json.JSONDecodeError as exc:
            msg = f"not JSON ({exc.msg}): {excerpt(line.strip())}"
            raise InvalidInputLine(msg) from exc
        except RecursionError as exc:
            msg = "JSON nested too deeply to read"
            raise InvalidInputLine(msg) from exc
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            msg = f"unreadable JSON value ({exc})"
            raise InvalidInputLine(msg) from exc
        if not isinstance(message, dict):
            msg = f"not a Singer message (a JSON object): {excerpt(line.strip())}"
            raise InvalidInputLine(msg)
        kind = message.get("type")
        if kind is not None and not isinstance(kind, str):
            msg = f"the message type must be a string, got {excerpt(kind)}"
            raise InvalidInputLine(msg)
        return message

    @staticmethod
    def assert_line_requires(line_dict: dict, requires: set[str]) -> None:
        """Name the missing keys and the keys present (not the whole, possibly huge, line)."""
        missing = requires - set(line_dict)
        if missing:
            kind = line_dict.get("type", "Singer")
            msg = (
                f"a {kind} message lacks {sorted(missing)} "
                f"(it has {excerpt(sorted(map(str, line_dict)))})"
            )
            raise InvalidInputLine(msg)

    def _process_unknown_message(self, message_dict: dict) -> None:
        msg = (
            f"unknown message type {excerpt(message_dict['type'])}: expected SCHEMA, RECORD, "
            "STATE or ACTIVATE_VERSION"
        )
        raise InvalidInputLine(msg)

    def process_lines(
        self, file_input: t.IO[str] | None, callbacks: dict[str, t.Callable[[dict], None]]
    ) -> t.Counter[str]:
        """Process the input; prefix every input error with the number of its line."""
        try:
            return super().process_lines(file_input, callbacks)
        except InvalidInputLine as exc:
            msg = f"input line {self.line_number}: {exc}"
            raise InvalidInputLine(msg) from exc
