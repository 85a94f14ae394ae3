"""A Singer reader for plugins that read input: fast, strict, and exact about bad lines.

The SDK's reader logs a traceback and the whole line (which may be megabytes) for a line that is
not JSON, and lets other malformed input (a JSON array, a message type that is not a string,
nesting too deep for the parser, a 5,000-digit number, a RECORD whose record is a string)
escape as a bare Python error, or drops it silently (``"record": null``). Here every such line
becomes :class:`~singer_sdk.singerlib.exceptions.InvalidInputLine`, prefixed with its line
number and quoting a short excerpt (:mod:`singer_input.text`), so that the plugin's ``invoke``
can log one line and exit 1.

Lines are decoded with msgspec, through the decoder of the SDK's own msgspec reader
(``singer-sdk[msgspec]``: decimals as ``Decimal``, like the default reader), several times
faster than ``json.loads``. msgspec is stricter than the standard library on a few inputs the
SDK's default reader accepts (an escaped lone surrogate, ``NaN``, a number beyond a double's
range): a line msgspec refuses is read again by the SDK's default ``deserialize_json``, so the
plugins accept exactly what the SDK's reader accepts, and read it into the same values.

BATCH messages are refused: neither plugin reads batch files, and following a manifest's file
URIs would let whoever writes the input make the plugin open any local file.
"""

from __future__ import annotations

import json
import typing as t

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecReader, decoder
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json

from singer_input.text import excerpt

#: For each message type, the keys it needs and the JSON type each must have.
_SHAPES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "SCHEMA": {"stream": str, "schema": dict},
    "RECORD": {"stream": str, "record": dict},
    "STATE": {"value": object},
    "ACTIVATE_VERSION": {"stream": str, "version": (int, float)},
}
_JSON_NAMES = {str: "a string", dict: "a JSON object", (int, float): "a number"}


class LineNumberingReader(MsgSpecReader):
    """Counts input lines; every input error it raises or passes on names the line."""

    line_number = 0

    def deserialize_json(self, line: str) -> dict:  # type: ignore[override]
        """Parse one line into a well-formed Singer message."""
        self.line_number += 1
        try:
            message = decoder.decode(line)
        except (msgspec.DecodeError, RecursionError):
            message = _standard_library(line)
        if not isinstance(message, dict):
            msg = f"not a Singer message (a JSON object): {excerpt(line.strip())}"
            raise InvalidInputLine(msg)
        kind = message.get("type")
        if kind is not None and not isinstance(kind, str):
            msg = f"the message type must be a string, got {excerpt(kind)}"
            raise InvalidInputLine(msg)
        if kind == "BATCH":
            msg = "BATCH messages are not supported: run the tap without batch_config"
            raise InvalidInputLine(msg)
        if kind is not None and kind not in _SHAPES:
            msg = (
                f"unknown message type {excerpt(kind)}: expected SCHEMA, RECORD, STATE or "
                "ACTIVATE_VERSION"
            )
            raise InvalidInputLine(msg)
        _check_shape(kind, message)
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

    def process_lines(
        self, file_input: t.IO[str] | None, callbacks: dict[str, t.Callable[[dict], None]]
    ) -> t.Counter[str]:
        """Process the input; prefix every input error with the number of its line."""
        try:
            return super().process_lines(file_input, callbacks)
        except InvalidInputLine as exc:
            if str(exc).startswith("input line "):
                raise
            msg = f"input line {self.line_number}: {exc}"
            raise InvalidInputLine(msg) from exc


def _standard_library(line: str) -> object:
    """The SDK's default reading of a line msgspec refused, or why it cannot be read."""
    try:
        return deserialize_json(line)
    except json.JSONDecodeError as exc:
        msg = f"not JSON ({exc.msg}): {excerpt(line.strip())}"
        raise InvalidInputLine(msg) from exc
    except RecursionError as exc:
        msg = "JSON nested too deeply to read"
        raise InvalidInputLine(msg) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        msg = f"unreadable JSON value ({exc})"
        raise InvalidInputLine(msg) from exc


def _check_shape(kind: str | None, message: dict) -> None:
    """The keys a message of this type needs, with the JSON types they must have."""
    shape = _SHAPES.get(kind or "")
    if shape is None:
        return  # no type, or an unknown one: the SDK's dispatch reports those
    LineNumberingReader.assert_line_requires(message, set(shape))
    for key, expected in shape.items():
        value = message[key]
        if expected is object or isinstance(value, expected):
            continue
        if key in ("record", "schema"):
            msg = f"the {kind} of stream {excerpt(message.get('stream'))} is not a JSON object: "
        else:
            msg = f"a {kind} message's {key} is not {_JSON_NAMES[expected]}: "
        raise InvalidInputLine(msg + excerpt(value))
