"""How the loader reads YAML and JSON: merge keys, duplicate keys, encodings."""

from __future__ import annotations

import pytest

from flowmap import loader
from flowmap.errors import ModelError


def _lines(excinfo) -> list[str]:
    return [d.format() for d in excinfo.value.diagnostics]


def test_a_key_may_override_one_it_merges():
    text = (
        "flowmap: 1\nname: x\nbase: &base {sector: police, retention: P5Y}\n"
        "systems:\n  - <<: *base\n    id: a\n    retention: P10Y\n"
    )
    data = loader.read_data_text(text, "m.yaml")
    assert data["systems"][0] == {"sector": "police", "retention": "P10Y", "id": "a"}


def test_a_key_written_twice_beside_a_merge_is_still_a_duplicate():
    text = "flowmap: 1\nbase: &base {a: 1}\nx:\n  <<: *base\n  b: 1\n  b: 2\n"
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text(text, "m.yaml")
    assert _lines(excinfo) == ["m.yaml:6:3: duplicate key 'b': keep only one"]


def test_json_duplicate_keys_are_errors_at_every_place():
    text = '{"flowmap": 1,\n "x": {"a": [1, {"b": 1, "b": 2}], "a": 3},\n "flowmap": 1}'
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text(text, "m.json")
    assert _lines(excinfo) == [
        "m.json:2:26: duplicate key 'b': keep only one",
        "m.json:2:36: duplicate key 'a': keep only one",
        "m.json:3:2: duplicate key 'flowmap': keep only one",
    ]


def test_json_duplicates_are_found_on_the_standard_parser_route_too():
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text('{"a": NaN, "a": 1}', "m.json")
    assert _lines(excinfo) == ["m.json:1:12: duplicate key 'a': keep only one"]


def test_json_duplicate_keys_written_with_space_before_the_colon_are_errors_too():
    text = '{"a" : 1,\n "b"\t: {"c" :1, "c"  : 2},\n "a" : 3}'
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text(text, "m.json")
    assert _lines(excinfo) == ["m.json:2:17: duplicate key 'c': keep only one",
                               "m.json:3:2: duplicate key 'a': keep only one"]
    assert loader.read_data_text('{"a" : "x :y", "b" :1}', "m.json") == {"a": "x :y", "b": 1}


def test_a_colon_after_a_quote_inside_a_json_string_is_no_duplicate():
    assert loader.read_data_text('{"a": "say \\": hi", "b": "\\":"}', "m.json") == {"a": 'say ": hi', "b": '":'}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named(encoding):
    with pytest.raises(ModelError) as excinfo:
        loader.decode("flowmap: 1\nname: x\n".encode(encoding), "m.yaml")
    assert _lines(excinfo) == ["m.yaml: is UTF-16 text: save the file as UTF-8"]


def test_a_tab_that_starts_a_token_is_named():
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text("flowmap: 1\nsystems:\n\t- id: a\n", "m.yaml")
    assert _lines(excinfo) == ["m.yaml:3:1: invalid YAML: a tab character: YAML indents with spaces (replace it with spaces)"]


def test_version_true_is_not_version_one(tmp_path):
    from flowmap.validate import build_model

    with pytest.raises(ModelError) as excinfo:
        build_model({"flowmap": True, "name": "x", "systems": [{"id": "a", "sector": "police"}]}, "m.yaml")
    assert _lines(excinfo) == ["m.yaml: flowmap: format version must be the number 1, not true"]
