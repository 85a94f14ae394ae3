"""The msgspec reader accepts exactly what the SDK's default reader accepts, as the same values.

Lines msgspec refuses but the standard library reads (an escaped lone surrogate, NaN, a number
beyond a double) are read again by the SDK's ``deserialize_json``; a line that is not JSON
stops the run with one error naming it (``test_bad_input.py`` replays that through the
executable).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json, serialize_json

from target_marketing_leads.reader import LineNumberingReader

LINES = [
    '{"type": "RECORD", "stream": "leads", "record": {"email": "ann@example.com"}}',
    '{"type":"RECORD","record":{"amount":1234.50,"n":12345678901234567890123,"e":1e5}}',
    '{"type": "RECORD", "record": {"name": "\\ud800 lone surrogate"}}',
    '{"type": "RECORD", "record": {"big": 1e400, "tiny": -1e-400}}',
    '{"type": "RECORD", "record": {"a": 1, "a": 2}}',
    '  {"type": "STATE", "value": {}}  \n',
]


@pytest.mark.parametrize("line", LINES)
def test_lines_read_as_the_sdk_reads_them(line: str) -> None:
    assert LineNumberingReader().deserialize_json(line) == deserialize_json(line)


def test_nan_reads_as_the_sdk_reads_it() -> None:
    message = LineNumberingReader().deserialize_json('{"type": "RECORD", "record": {"x": NaN}}')
    assert math.isnan(message["record"]["x"])


def test_a_line_that_is_not_json_is_named() -> None:
    reader = LineNumberingReader()
    reader.deserialize_json('{"type": "STATE", "value": {}}')
    with pytest.raises(InvalidInputLine, match=r"^input line 2 is not JSON \(Expecting"):
        reader.deserialize_json("{not json")
    with pytest.raises(InvalidInputLine, match="input line 3 is not a Singer message"):
        reader.deserialize_json("[1, 2]")


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
