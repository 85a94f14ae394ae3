"""The msgspec reader accepts exactly what the SDK's default reader accepts, as the same values.

Lines msgspec refuses but the standard library reads (an escaped lone surrogate, NaN, a number
beyond a double) are read again by the SDK's ``deserialize_json``; a line that is not JSON
stops the run with one error naming it (tests/target/test_bad_input.py and tests/fuzz replay
that through the executables).
"""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json, serialize_json

from singer_input.reader import LineNumberingReader

LINES = [
    '{"type": "RECORD", "stream": "leads", "record": {"email": "ann@example.com"}}',
    '{"type":"RECORD","stream":"s","record":{"amount":1234.50,"n":12345678901234567890123}}',
    '{"type": "RECORD", "stream": "s", "record": {"name": "\\ud800 lone surrogate"}}',
    '{"type": "RECORD", "stream": "s", "record": {"big": 1e400, "tiny": -1e-400}}',
    '{"type": "RECORD", "stream": "s", "record": {"a": 1, "a": 2}}',
    '  {"type": "STATE", "value": {}}  \n',
]


@pytest.mark.parametrize("line", LINES)
def test_lines_read_as_the_sdk_reads_them(line: str) -> None:
    assert LineNumberingReader().deserialize_json(line) == deserialize_json(line)


def test_nan_reads_as_the_sdk_reads_it() -> None:
    line = '{"type": "RECORD", "stream": "s", "record": {"x": NaN}}'
    message = LineNumberingReader().deserialize_json(line)
    assert math.isnan(message["record"]["x"])


def _read(text: str) -> list[dict]:
    seen: list[dict] = []
    callbacks = {kind: seen.append for kind in ("SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION")}
    LineNumberingReader().process_lines(io.StringIO(text), callbacks)
    return seen


@pytest.mark.parametrize(
    ("second_line", "error"),
    [
        ("{not json", r"^input line 2: not JSON \(Expecting"),
        ("[1, 2]", r"^input line 2: not a Singer message \(a JSON object\)"),
        ('{"type": ["RECORD"]}', r"^input line 2: the message type must be a string"),
        ('{"type": "BOGUS"}', r"^input line 2: unknown message type 'BOGUS'"),
        ('{"type": "RECORD", "stream": "s", "record": "hello"}', "is not a JSON object: 'hello'"),
        ('{"type": "RECORD", "stream": "s", "record": null}', "is not a JSON object: None"),
        ('{"type": "RECORD", "stream": "s"}', r"a RECORD message lacks \['record'\]"),
        ('{"type": "STATE"}', r"a STATE message lacks \['value'\]"),
        ('{"type": "RECORD", "stream": "s", "record": {"n": ' + "9" * 5000 + "}}", "unreadable"),
        (
            '{"type": "BATCH", "stream": "s", "manifest": ["file:///etc/passwd"]}',
            "BATCH messages are not supported",
        ),
    ],
)
def test_a_bad_line_is_named_with_one_clear_reason(second_line: str, error: str) -> None:
    good = '{"type": "STATE", "value": {}}\n'
    with pytest.raises(InvalidInputLine, match=error):
        _read(good + second_line + "\n")


def test_nesting_too_deep_for_the_parser_is_named() -> None:
    deep = '{"type": "RECORD", "stream": "s", "record": {"x": ' + "[" * 100_000 + "]" * 100_000
    with pytest.raises(InvalidInputLine, match="input line 1: JSON nested too deeply"):
        _read(deep + "}}\n")


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(record=st.dictionaries(st.text(max_size=8), _json, max_size=6))
def test_generated_records_read_as_the_sdk_reads_them(record: dict) -> None:
    line = serialize_json({"type": "RECORD", "stream": "leads", "record": record})
    assert LineNumberingReader().deserialize_json(line) == deserialize_json(line)
