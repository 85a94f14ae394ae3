"""A Singer reader whose error for a non-JSON line names the line and says nothing else.

The SDK's reader logs the whole traceback and the whole line; a data engineer needs the line
number and the start of the line to find it.

Lines are decoded with msgspec, through the decoder of the SDK's own msgspec reader
(``singer-sdk[msgspec]``: decimals as ``Decimal``, as the default reader), several times faster
than ``json.loads``. msgspec is stricter than the standard library on a few inputs the SDK's
default reader accepts (an escaped lone surrogate, ``NaN``, a number beyond a double's range):
a line msgspec refuses is read again by the SDK's default ``deserialize_json``, so the target
accepts exactly what the SDK's reader accepts and reads it into the same values, and the
error for a line that is not JSON is the standard library's.
"""

from __future__ import annotations

import json

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecReader, decoder
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json

EXCERPT = 120


class LineNumberingReader(MsgSpecReader):
    """Counts input lines so that a bad one can be named."""

    line_number = 0

    def deserialize_json(self, line: str) -> dict:
        """Parse one line; raise :class:`InvalidInputLine` naming it when it is not JSON."""
        self.line_number += 1
        try:
            message = decoder.decode(line)
        except msgspec.DecodeError:
            message = self._standard_library(line)
        if not isinstance(message, dict):
            msg = f"input line {self.line_number} is not a Singer message (a JSON object)"
            raise InvalidInputLine(msg)
        return message

    def _standard_library(self, line: str) -> object:
        """The SDK's default reading of a line msgspec refused; its error if it is not JSON."""
        try:
            return deserialize_json(line)
        except json.JSONDecodeError as exc:
            excerpt = line.strip()[:EXCERPT]
            msg = f"input line {self.line_number} is not JSON ({exc.msg}): {excerpt!r}"
            raise InvalidInputLine(msg) from exc
