"""The YAML fast path (flowmap/yaml_fast.py) gives libyaml's data or none at all.

Whatever the text, reading it with the fast path must give what libyaml alone gives: the same
data, or the same located errors. A generated corpus of documents built from the scalars and
shapes where YAML 1.1 and 1.2 part ways checks it; the named cases pin what goes to libyaml.
"""

from __future__ import annotations

import random

import pytest

from flowmap import loader, yaml_fast, yaml_reader
from flowmap.errors import ModelError
from flowmap.synth import dump, synthesize

needs_fast = pytest.mark.skipif(not yaml_fast.available(), reason="yaml-rs is not installed")


def _read(text: str, *, fast: bool, monkeypatch=None):
    """``read_data_text`` of ``text``: ``("ok", repr of the data)`` or ``("error", lines)``; with
    ``fast``, the fast path is tried whatever the length of the text."""
    saved, saved_min = yaml_fast.load, yaml_reader.FAST_PATH_MIN_CHARACTERS
    if fast:
        yaml_reader.FAST_PATH_MIN_CHARACTERS = 0
    else:
        yaml_fast.load = lambda *args, **kwargs: None
    try:
        return "ok", repr(loader.read_data_text(text, "m.yaml", holding="data"))
    except ModelError as err:
        return "error", [d.format() for d in err.diagnostics]
    finally:
        yaml_fast.load, yaml_reader.FAST_PATH_MIN_CHARACTERS = saved, saved_min


def _fast(text: str):
    return yaml_fast.load(text, yaml_reader.read_small)


# scalars where YAML 1.1 (libyaml) and 1.2 (yaml-rs) part ways, or that only look like it
SCALARS = [
    "yes", "No", "ON", "off", "y", "n", "true", "False", "NULL", "~", "", "0o17", "017", "09", "0x1f", "0b101",
    "1_000", "+12", "-0", "1:20", "12:30", "1.5", "1e3", "1.0e+3", "1.0e3", ".5e3", ".inf", "-.Inf", ".NaN", "1.",
    "2024-06-01", "2024-02-30", "2001-12-14 21:59:43.10 -5", "=", "<<", "123456789012345678901234", "1e400",
    "word", "two words", "é", "R & D", "a*b", "x:y", "a#b", "a #b", "-x", "?x", ":x", "x]", "x,y", "@x", "%x",
    "it's", "1 2", "no.1", "on-call", "3-tier", "v1.2", "http://x.y/z?a=1", "|", ">", "!x", "&x", "*x",
]
KEYS = ["a", "id", "on", "no", "1", "017", "true", "null", "x y", "'q'", '"1"', "a:b", "-k", "[a, b]", "<<", "é"]


def _scalar(rnd: random.Random) -> str:
    text = rnd.choice(SCALARS)
    pick = rnd.random()
    if pick < 0.15:
        return "'" + text.replace("'", "''") + "'"
    if pick < 0.3:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _flow(rnd: random.Random, depth: int) -> str:
    pick = rnd.random()
    if depth > 2 or pick < 0.5:
        return _scalar(rnd)
    if pick < 0.75:
        return "[" + rnd.choice([", ", ","]).join(_flow(rnd, depth + 1) for _ in range(rnd.randint(0, 3))) + "]"
    return "{" + ", ".join(f"{rnd.choice(KEYS)}{rnd.choice([': ', ':'])}{_flow(rnd, depth + 1)}"
                           for _ in range(rnd.randint(0, 3))) + "}"


def _block(rnd: random.Random, indent: int, depth: int) -> str:
    lines = []
    for _ in range(rnd.randint(1, 3)):
        head = " " * indent + (rnd.choice(KEYS) + rnd.choice([":", " :"]) if rnd.random() < 0.7 else "-")
        pick = rnd.random()
        if depth < 3 and pick < 0.25:
            lines.append(head + "\n" + _block(rnd, indent + rnd.choice([1, 2, 4]), depth + 1))
        elif pick < 0.35:
            body = "\n".join(" " * (indent + 2) + rnd.choice(["text", "", " more", "017"]) for _ in range(rnd.randint(0, 2)))
            lines.append(head + " " + rnd.choice(["|", ">", "|-", ">+"]) + "\n" + body)
        elif pick < 0.6:
            lines.append(head + " " + _flow(rnd, 0))
        else:
            lines.append(head + " " + _scalar(rnd) + rnd.choice(["", "", " # note", "\n" + " " * (indent + 2) + "more"]))
    return "\n".join(lines)


def _document(rnd: random.Random) -> str:
    text = _block(rnd, 0, 0)
    for chance, change in ((0.05, lambda t: t.replace("\n", "\r\n")), (0.03, lambda t: "---\n" + t),
                           (0.03, lambda t: t.replace("  ", "\t", 1)), (0.03, lambda t: t + "\x85"),
                           (0.03, lambda t: t.replace("\n", "\r", 1))):
        if rnd.random() < chance:
            text = change(text)
    return text + ("\n" if rnd.random() < 0.7 else "")


@needs_fast
def test_the_fast_path_reads_every_generated_document_as_libyaml_does():
    rnd = random.Random(15)
    taken = 0
    for _ in range(1500):
        text = _document(rnd)
        assert _read(text, fast=True) == _read(text, fast=False), text
        taken += _fast(text) is not None
    assert taken > 150  # the corpus exercises the fast path, not only the refusals


@needs_fast
def test_a_synthetic_model_takes_the_fast_path_and_reads_the_same():
    text = dump(synthesize(60, seed=2), "yaml")
    data = _fast(text)
    assert data is not None
    assert repr(data) == _read(text, fast=False)[1]


@needs_fast
@pytest.mark.parametrize("text", [
    "a: yes\n", "a: 017\n", "a: 1:20\n", "a: 1e3\n", "a: 2001-12-14\n  21:59:43\n", "on: x\n", "a: [1, NO]\n", "a: off",
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "---\na: 1\n", "%YAML 1.1\n---\na: 1\n", "? a\n: 1\n", "[a, b]: 1\n",
    "<<: {a: 1}\n", "a: >\nb: 1\n", "a: |\n", "a: >2\n  x\n", "a: >\n  at the end", "a: >\n   \n  x\n", "[>]\n", "a: [?x]\n", "a: [:x]\n", "{a:, b: 1}\n", "{true:?x}\n", "a:\tb\n",
    "a: x\x85y\n", "a: x\u2028y\n", "a: 1\rb: 2\n", "a: \x01\n", "- " * 120 + "x\n",
])
def test_what_the_fast_path_leaves_to_libyaml(text):
    assert _fast(text) is None
    assert _read(text, fast=True) == _read(text, fast=False)


@needs_fast
@pytest.mark.parametrize("text", [
    "a: >\n  folded\n  text\nb: |-\n\n  kept\n", "- a: |\n    x\n  b: 1\n", "as_of: 2024-06-01\nb: [2024-06-02, x]\n",
    "a: 2024-02-30\n", "a: '2024-06-01 x'\nb: 2024-06-01\n",
])
def test_block_scalars_and_dates_the_fast_path_reads_as_libyaml_does(text):
    assert _fast(text) is not None
    assert _read(text, fast=True) == _read(text, fast=False)


@needs_fast
@pytest.mark.parametrize("text", ["a: 2024-06-01\nb: '2024-06-01'\n", "2024-06-01: x\n", "a: 2024-06-01\nb: \"\\x41\"\n"])
def test_a_date_spelled_also_quoted_or_as_a_key_is_left_to_libyaml(text):
    assert _fast(text) is None
    assert _read(text, fast=True) == _read(text, fast=False)


@needs_fast
def test_infinities_and_not_a_number_are_kept():
    text = "a: .inf\nb: [-.Inf, .nan]\nc: 1.0e+400\n"
    assert _read(text, fast=True) == _read(text, fast=False) == ("ok", "{'a': inf, 'b': [-inf, nan], 'c': inf}")


@needs_fast
def test_errors_found_after_the_fast_parser_refuses_are_located_by_libyaml():
    model = dump(synthesize(30, seed=1), "yaml")
    duplicated = model.replace("  kind: ", "  kind: database\n  kind: ", 1)
    line = duplicated.splitlines().index("  kind: database") + 2
    assert _read(duplicated, fast=True) == ("error", [f"m.yaml:{line}:3: duplicate key 'kind': keep only one"])
    broken = model + "flows: [a, b\n"
    kind, lines = _read(broken, fast=True)
    assert kind == "error" and lines[0].startswith(f"m.yaml:{model.count(chr(10)) + 2}:1: invalid YAML: ")


@needs_fast
def test_nesting_over_the_limit_is_located_on_the_fast_path_too():
    text = "a: " + "[" * 70 + "]" * 70 + "\n"
    assert _fast(text) is not None  # yaml-rs reads 70 levels; the shape check refuses them
    assert _read(text, fast=True) == ("error", [f"m.yaml:1:67: {loader.TOO_DEEP}"])


def test_a_lone_surrogate_is_left_to_libyaml():
    assert _fast("a: x\ud800\n") is None  # no file decodes to one; a caller's string may hold it


def _no_guard(text):
    raise AssertionError("the nesting guard ran")


@needs_fast
def test_the_nesting_guard_does_not_run_on_the_fast_path(monkeypatch):
    monkeypatch.setattr(yaml_reader, "FAST_PATH_MIN_CHARACTERS", 0)
    monkeypatch.setattr(yaml_reader, "_nesting_bound", _no_guard)
    model = dump(synthesize(40, seed=4), "yaml").replace("holds: [", "holds: ['x', ")  # quoted flow lists
    assert loader.read_data_text(model, "m.yaml")["flowmap"] == 1


def test_the_nesting_guard_does_not_run_where_libyaml_limits_nesting_itself(monkeypatch):
    monkeypatch.setattr(yaml_reader, "_libyaml_limits_nesting", lambda: True)
    monkeypatch.setattr(yaml_reader, "too_deep_at", _no_guard)  # the scan event by event: seconds on a large model
    model = "".join(f"k{i}: ['x']\n" for i in range(600)) + "reviewed: yes\n"
    assert yaml_reader._nesting_bound(model) > yaml_reader._C_SAFE_DEPTH  # quoted flow lists: the bound cannot rule it out
    assert yaml_fast.load(model) is None  # `yes`: libyaml reads it
    assert loader.read_data_text(model, "m.yaml")["reviewed"] is True


def test_without_the_fast_parser_libyaml_reads_everything(monkeypatch):
    monkeypatch.setattr(yaml_fast, "yaml_rs", None)
    monkeypatch.setattr(yaml_reader, "FAST_PATH_MIN_CHARACTERS", 0)
    text = dump(synthesize(20, seed=3), "yaml")
    assert yaml_fast.load(text) is None
    assert loader.read_data_text(text, "m.yaml")["flowmap"] == 1
