"""A JSON model's depth and repeated keys are measured off orjson's indented writing of the parsed
data (loader._written_shape) rather than by walking it: the reader must refuse and accept exactly
what the walk does, whatever the texts hold (quotes and colons, escapes, spaces before a colon,
repeated keys, deep nesting)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowmap import loader
from flowmap.errors import ModelError

KEYS = st.sampled_from(["a", "b", 'q"', 'c":', "d: e", "\\", "é", "flowmap"])
SCALARS = st.one_of(st.integers(-5, 5), st.booleans(), st.none(), KEYS, st.text(alphabet='ab":\\ é\n', max_size=6))


def _string(text: str, draw) -> str:
    """``text`` as a JSON string; in one string of four, some characters written as ``\\u`` escapes."""
    spelled = draw(st.integers(0, 3)) == 0
    out = []
    for char in text:
        if spelled and draw(st.booleans()):
            out.append(f"\\u{ord(char):04x}")
        elif char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@st.composite
def json_texts(draw, depth: int = 0) -> str:
    """A JSON text whose objects may repeat keys and space their colons."""
    kind = draw(st.integers(0, 2)) if depth < 6 else 0
    if kind == 0:
        value = draw(SCALARS)
        return _string(value, draw) if isinstance(value, str) else json.dumps(value)
    if kind == 1:
        items = draw(st.lists(json_texts(depth + 1), max_size=3))
        return "[" + ", ".join(items) + "]"
    pairs = draw(st.lists(st.tuples(KEYS, json_texts(depth + 1)), max_size=4))
    colon = draw(st.sampled_from([":", " :", ":\n"]))
    return "{" + ", ".join(_string(key, draw) + colon + " " + value for key, value in pairs) + "}"


def _outcome(text: str) -> object:
    try:
        return loader.read_data_text(text, "m.json")
    except ModelError as err:
        return str(err)


@settings(max_examples=400, deadline=None)
@given(json_texts())
def test_the_written_shape_refuses_and_accepts_what_the_walk_does(body):
    text = '{"flowmap": 1, "x": ' + body + "}"
    fast = _outcome(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "_written_shape", lambda data, text: None)
        assert _outcome(text) == fast


@pytest.mark.parametrize("depth", [63, 64, 65, 300])
def test_nesting_around_the_limit_is_measured_as_the_walk_measures_it(depth):
    text = '{"flowmap": 1, "x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    fast = _outcome(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "_written_shape", lambda data, text: None)
        assert _outcome(text) == fast
    assert (fast == f"m.json:1:{20 + loader.MAX_DEPTH}: {loader.TOO_DEEP}") == (depth > loader.MAX_DEPTH)
