"""A Singer reader whose error for a non-JSON line names the line and says nothing else.

The SDK's reader logs the whole traceback and the whole line; a data engineer needs the line
number and the start of the line to find it.
"""

from __future__ import annotations

import json

from singer_sdk.io_base import SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json

EXCERPT = 120


class LineNumberingReader(SingerReader):
    """Counts input lines so that a bad one can be named."""

    line_number = 0

    def deserialize_json(self, line: str) -> dict:
        """Parse one line; raise :class:`InvalidInputLine` naming it when it is not JSON."""
        self.line_number += 1
        try:
            message = deserialize_json(line)
        except json.JSONDecodeError as exc:
            excerpt = line.strip()[:EXCERPT]
            msg = f"input line {self.line_number} is not JSON ({exc.msg}): {excerpt!r}"
            raise InvalidInputLine(msg) from exc
        if not isinstance(message, dict):
            msg = f"input line {self.line_number} is not a Singer message (a JSON object)"
            raise InvalidInputLine(msg)
        return message
