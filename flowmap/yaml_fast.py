"""The fast path for YAML: a parser written in Rust, used only where it gives what libyaml gives.

flowmap reads YAML as PyYAML's libyaml loader does: YAML 1.1, errors located at a line and a
column. ``yaml-rs`` (on PyPI) builds the same Python data about ten times faster, but reads YAML
1.2 and has none of PyYAML's hooks. :func:`load` returns its data only where they are certain to
equal libyaml's, and ``None`` otherwise; the caller then parses with libyaml, which gives the data
or the located message. ``None`` comes back when:

- ``yaml-rs`` is not installed, or raises anything (a syntax error, a duplicate key, a number too
  long): libyaml reads the text again and says what is wrong, and where;
- a plain scalar that could be a number or a boolean reads otherwise in the two parsers (``yes``,
  ``017``, ``1_000``, ``1:20``, ``1e3``): each candidate is read by both, once per spelling. Plain
  dates, which yaml-rs leaves as text, are turned into what libyaml reads (a date, or the text of an
  impossible one) unless the same spelling is also quoted or a key;
- the text holds what only flowmap's libyaml loader handles: anchors and aliases (merge keys, the
  alias-bomb budget), tags, directives, document markers, explicit keys and collections as keys,
  tabs and control characters, NEL and the Unicode line separators (line breaks in YAML 1.1), and
  block scalars (``|``, ``>``) that are empty, end the text, or give an explicit indentation;
- its block nesting could be deep enough to overflow the Rust parser's stack (it refuses deep
  flow nesting itself, with an error).

Every check runs on a copy of the bytes mapped to a few classes of characters
(``bytes.translate``), where literal searches run at memory speed: about 0.6 s CPU for a 17 MB
model, against 0.9 s for yaml-rs's parse and 11 s for libyaml's. A differential fuzz against
libyaml found each of these cases; ``tests/test_loader_fast.py`` keeps a version of it.

>>> load("flowmap: 1\\nname: yes\\n") is None  # YAML 1.1 reads `yes` as true, 1.2 as text
True
>>> load("a: &x [1]\\nb: *x\\n") is None  # aliases are libyaml's
True
>>> load("flowmap: 1\\nname: x\\ncontrols: {redress: false}\\n") in (None, {
...     "flowmap": 1, "name": "x", "controls": {"redress": False}})  # None when yaml-rs is absent
True
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Callable

import orjson


def _import_fast_parser() -> Any:
    """``yaml_rs``, or ``None`` when it is not installed (the fast path is optional: libyaml
    reads everything). Its allocator (mimalloc, linked in) keeps the memory it frees for itself
    unless told to hand it back at once; it reads that option when the module loads, so the
    variable is set for the import alone (and left as it is if the user set it): a third less
    memory held after parsing, at no measurable cost in time."""
    variable = "MIMALLOC_PURGE_DELAY"
    ours = variable not in os.environ
    if ours:
        os.environ[variable] = "0"
    try:
        import yaml_rs
    except ImportError:
        return None
    finally:
        if ours:
            del os.environ[variable]
    return yaml_rs


yaml_rs = _import_fast_parser()

__all__ = ["available", "load"]


def _classes() -> bytes:
    """The ``bytes.translate`` table of the character classes the checks search."""
    table = bytearray(b"x" * 256)  # letters, and every byte of a non-ASCII character
    for byte in (*range(32), 127):  # tabs and control characters
        table[byte] = 0
    for group, into in ((b"0123456789", b"d"), (b"[{,", b"["), (b"]}", b"]"), (b"&*!", b"&"), (b"'\"", b"q"),
                        (b"\n\r", b"\n"), (b"=<", b"="), (b"eEfFnNoOsSyY", b"w"), (b"|>", b"|")):
        for byte in group:
            table[byte] = into[0]
    for byte in b"-+. :?%#":
        table[byte] = byte
    return bytes(table)


_CLASSES = _classes()
# Characters YAML 1.1 forbids or reads as line breaks, in UTF-8: C1 controls and NEL (C2 80-9F),
# the line and paragraph separators, a byte order mark inside the text, U+FFFE and U+FFFF.
_FORBIDDEN_UTF8 = (b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# In the classes, where a scalar may start (after `: `, `- `, `? `, a flow indicator, a quoted
# key's colon, or at the start of a line): a number (`d`, maybe after `-`, `+`, `.`; `.inf`), a short
# word of the letters of yes, no, on and off (`w`), or what libyaml alone should read: a block
# scalar (`|`, `>`: the two differ on empty ones and at the end of the text), a `?` or a `:`
# (libyaml refuses `[:x]`, yaml-rs reads it).
_NOT_TEXT = rb"(?:[-+.]*d|[-+]?\.[wx]|w{1,3}(?=[\n:# \[\]]|$)|[|?:])"
_STARTS = tuple(re.compile(start + _NOT_TEXT) for start in (rb": +", rb"- +", rb"\? +", rb"\[ *", rb"\n *", rb"q:"))
_BLOCK_STARTS = {(start + _NOT_TEXT) for start in (rb": +", rb"- +", rb"\n *")}  # block context: where `|` may start one
_SCALAR = re.compile(rb"[^\n\r,\[\]{}#]*?(?= *(?:\r|\n|$|[,\[\]{}#]|:[ \r\n]|:$))")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_WORDS = {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"}
# Each level of a block collection starts further right than its parent, or at the same column
# for a list under a key, so deep block nesting needs a long run of spaces and `- ? :` at the
# start of a line. 200 of them stay far below what overflows the parser (over 10,000 levels).
_DEEP_BLOCK = re.compile(rb"\n[ \-?:]{200}")


def available() -> bool:
    """Whether the fast parser is installed (``pip install yaml-rs``)."""
    return yaml_rs is not None


def load(text: str, reference: Callable[[str], Any] | None = None) -> Any | None:
    """The data of YAML ``text`` as the fast parser reads them, or ``None`` when they could differ
    from libyaml's (see the module docstring). ``reference`` parses a small YAML text as flowmap's
    libyaml loader does (PyYAML's ``CSafeLoader`` when not given): it decides whether a plain
    scalar that may be a number or a boolean reads the same in both parsers."""
    if yaml_rs is None:
        return None
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no file gives one, but a caller's string may
        return None
    classes = b"\n" + raw.translate(_CLASSES)  # a line break before the first line: it starts one
    if _only_libyaml(raw, classes) or _DEEP_BLOCK.search(classes):
        return None
    reference = reference or _safe_load
    scalars = _maybe_not_text(raw, classes)
    if scalars is None:
        return None
    dates = {scalar for scalar in scalars if _DATE.match(scalar)}
    if not all(_reads_the_same(scalar, reference) for scalar in scalars - dates):
        return None
    if dates and not _dates_stay_plain(text, dates):
        return None
    del raw, classes  # a copy of the text each, not needed while the data are built
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
        as_dates = {date: reference(f"- {date}\n")[0] for date in dates}
    except Exception:  # noqa: BLE001 - whatever it is, libyaml reads the text again and says what is wrong
        return None
    packed = _packed(data) if all(map(_finite, scalars)) else None
    if packed is not None:
        del data  # before orjson builds the data again: never both at once
        data = orjson.loads(packed)
    return _with_dates(data, as_dates, reference) if as_dates else data


def _dates_stay_plain(text: str, dates: set[str]) -> bool:
    """Whether every text value spelled like one of ``dates`` in yaml-rs's data was a plain
    scalar: none is quoted (``'2024-06-01'``), a key, or can come from an escape (the text has no
    backslash), so each may be turned into what libyaml reads (a date, or the text of an
    impossible one).

    >>> _dates_stay_plain("as_of: 2024-06-01\\n", {"2024-06-01"})
    True
    >>> _dates_stay_plain("a: 2024-06-01\\nb: '2024-06-01'\\n", {"2024-06-01"}), _dates_stay_plain("2024-06-01: x", {"2024-06-01"})
    (False, False)
    """
    if "\\" in text:
        return False
    return not any(f"'{date}'" in text or f'"{date}"' in text or f"{date}:" in text for date in dates)


def _with_dates(data: Any, as_dates: dict[str, Any], reference: Callable[[str], Any]) -> Any | None:
    """``data`` with every text value that is a key of ``as_dates`` replaced by its value, in
    place; ``None`` if another text value starting with a date reads otherwise in libyaml (a plain
    scalar folded over two lines, ``2001-12-14\\n  21:59:43``, is a timestamp there).

    >>> import datetime
    >>> _with_dates({"a": ["2024-06-01", "x"], "b": "2024-06-01"}, {"2024-06-01": datetime.date(2024, 6, 1)}, _safe_load)
    {'a': [datetime.date(2024, 6, 1), 'x'], 'b': datetime.date(2024, 6, 1)}
    >>> _with_dates(["2001-12-14 21:59:43"], {"2001-12-14": datetime.date(2001, 12, 14)}, _safe_load) is None
    True
    """
    if data.__class__ not in (dict, list):
        return as_dates.get(data, data) if data.__class__ is str else data
    stack = [data]
    while stack:
        node = stack.pop()
        items = node.items() if node.__class__ is dict else enumerate(node)
        for key, value in list(items):
            if value.__class__ is str:
                if value in as_dates:
                    node[key] = as_dates[value]
                elif _DATE.match(value) and not _text_when_plain(value, reference):
                    return None
            elif value.__class__ in (dict, list):
                stack.append(value)
    return data


def _text_when_plain(value: str, reference: Callable[[str], Any]) -> bool:
    """Whether libyaml reads ``value``, written as a plain scalar, as that text."""
    try:
        return reference(f"- {value}\n")[0] == value
    except Exception:  # noqa: BLE001 - not even a scalar: take it as read otherwise
        return False


def _packed(data: Any) -> bytes | None:
    """``data`` as orjson's JSON, to be read back by orjson, whose mappings share their keys
    (yaml-rs makes a string per key): about 10% less peak memory to validate a 50 MB model, for
    0.1 s per 10,000 systems. ``None`` where orjson would not give the same data back: a key that
    is not text or an integer over 64 bits (it refuses them); infinities and not-a-number, which
    it writes as null, are the caller's to rule out.

    >>> orjson.loads(_packed({"a": [1, 2.5, None, True, "x"]}))
    {'a': [1, 2.5, None, True, 'x']}
    >>> _packed({1: "a"}), _packed([2**70])
    (None, None)
    """
    try:
        return orjson.dumps(data)
    except TypeError:
        return None


def _only_libyaml(raw: bytes, classes: bytes) -> bool:
    """Whether ``raw`` holds something the fast path leaves to libyaml (``classes`` is ``raw``
    mapped by :data:`_CLASSES`, after a line break). Any ``&``, ``*``, ``!``, ``?``, ``=`` or
    ``<`` is looked at where it stands: refusing more than needed costs time, never correctness.

    >>> def only(text):
    ...     raw = text.encode()
    ...     return _only_libyaml(raw, b"\\n" + raw.translate(_CLASSES))
    >>> only("a: R&D, 2 * 3, x=y, why?\\n"), only("a: &x 1\\n"), only("a: !!int 1\\n"), only("a:\\tb\\n")
    (False, True, True, True)
    >>> only("---\\na: 1\\n"), only("? a\\n: 1\\n"), only("[a]: 1\\n"), only("<<: {a: 1}\\n")
    (True, True, True, True)
    """
    if b"\x00" in classes or b"\n%" in classes or b"\n---" in raw or b"\n..." in raw or raw.startswith((b"---", b"...")):
        return True
    if not raw.isascii() and (any(seq in raw for seq in _FORBIDDEN_UTF8) or _c1_control(raw)):
        return True
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        return True  # a carriage return alone: a line break to libyaml
    if b":[" in classes or b":]" in classes or b":?" in raw:
        return True  # a colon before a flow indicator or `?`: libyaml refuses `{a:, b}`, yaml-rs reads it
    if b"&" in classes and re.search(rb"(?:^|[\s\[\]{},])(?:[&*][^\s,\[\]{}]|!)", raw):
        return True  # an anchor, an alias or a tag
    if b"?" in classes and re.search(rb"(?:^|[\s\[{,])\?(?:\s|$)", raw):
        return True  # an explicit key
    if b"=" in classes and re.search(rb"(?:^|[\s\[{,:])(?:<<|=) *(?:$|[\s,\]}#:])", raw):
        return True  # the merge key, the value key
    # a collection as a key (`]` or `}`, maybe spaces, then `:`)
    return b"]:" in classes or (b"] " in classes and re.search(rb"\] +:", classes) is not None)


def _c1_control(raw: bytes) -> bool:
    """Whether UTF-8 ``raw`` holds a C1 control character or NEL (U+0080-U+009F)."""
    position = raw.find(b"\xc2")
    while position != -1:
        if 0x80 <= raw[position + 1] <= 0x9F:
            return True
        position = raw.find(b"\xc2", position + 2)
    return False


def _maybe_not_text(raw: bytes, classes: bytes) -> set[str] | None:
    """The plain scalars of ``raw`` that may be a number or a boolean, each spelling once, or
    ``None`` when a scalar starts with `?` or `:`, or with a block scalar's `|` or `>` that
    :func:`_plain_block_scalar` does not clear. ``classes`` is ``raw`` mapped by :data:`_CLASSES`,
    after a line break.

    >>> def scalars(text):
    ...     raw = text.encode()
    ...     return _maybe_not_text(raw, b"\\n" + raw.translate(_CLASSES))
    >>> sorted(scalars("a: 1\\nb: [x, -2.5]\\nc: no\\non: x\\nd: 'yes'\\ng: a 1\\nh: off"))
    ['-2.5', '1', 'no', 'off', 'on']
    >>> scalars("a: >\\n  text\\n"), scalars("a: >\\nb: 1\\n"), scalars("a: [?x]\\n")
    (set(), None, None)
    """
    found = set()
    for start in _STARTS:
        for match in start.finditer(classes):
            at = match.end() - 1
            if classes[at] == ord("|") and start.pattern in _BLOCK_STARTS and _plain_block_scalar(raw, at - 1):
                continue
            if classes[at] in b"|?:":
                return None
            while classes[at - 1] in b"-+.w":  # back to the start of the number or word
                at -= 1
            scalar = _SCALAR.match(raw, at - 1)
            if scalar:
                found.add(scalar.group().decode("utf-8", "replace").rstrip())
    return found


_BLOCK_HEADER = re.compile(rb"[|>][-+]?(?: +#[^\n]*)? *\n")


def _plain_block_scalar(raw: bytes, at: int) -> bool:
    """Whether the block scalar whose `|` or `>` is at ``raw[at]`` reads the same in both parsers:
    a header of at most a chomping indicator (an explicit indentation is libyaml's), then, after
    lines that are empty, a line of content indented further than the key or entry the scalar
    belongs to, in a text that ends with a line break. The two parsers differ on empty block
    scalars and on one that ends the text without a line break.

    >>> clear = lambda text: _plain_block_scalar(text.encode(), text.index(">"))
    >>> clear("a: >\\n  text\\n"), clear("- a: >-\\n\\n    text\\nb: 1\\n")
    (True, True)
    >>> clear("a: >\\nb: 1\\n"), clear("a: >\\n  text"), clear("a: >2\\n  text\\n"), clear("a: >\\n   \\n  text\\n")
    (False, False, False, False)
    """
    header = _BLOCK_HEADER.match(raw, at)
    if header is None or not raw.endswith(b"\n"):
        return False
    line_start = raw.rfind(b"\n", 0, at) + 1
    line = raw[line_start:at]
    parent = len(line) - len(line.lstrip(b" -"))  # the column of the key or entry, or further
    position = header.end()
    while raw.startswith(b"\n", position):  # empty lines (a line of spaces alone is libyaml's)
        position += 1
    content = raw[position:raw.find(b"\n", position)]
    indent = len(content) - len(content.lstrip(b" "))
    return indent > parent and indent < len(content)


def _safe_load(text: str) -> Any:
    import yaml

    from flowmap.yaml_reader import base_loader

    return yaml.load(text, Loader=base_loader())


def _reads_the_same(scalar: str, reference: Callable[[str], Any]) -> bool:
    """Whether the plain scalar ``scalar`` reads as the same value in libyaml and the fast parser.

    >>> _reads_the_same("a 1", _safe_load), _reads_the_same("2024-06-01", _safe_load)
    (True, False)
    >>> available() is False or (_reads_the_same("12", _safe_load), _reads_the_same("017", _safe_load)) == (True, False)
    True
    """
    if _DATE.match(scalar):
        return False  # a date in YAML 1.1, text in 1.2
    if " " in scalar:
        return True  # no number, boolean or null has a space in it
    if not scalar.isascii() or (scalar.isalpha() and scalar not in _WORDS):
        return True
    return _reads_the_same_spelling(scalar, reference)


@functools.lru_cache(maxsize=4096)
def _finite(scalar: str) -> bool:
    """Whether the fast parser reads the plain scalar ``scalar`` as no infinite or not-a-number
    float (called only where yaml-rs is installed).

    >>> available() is False or (_finite("1.5"), _finite(".inf"), _finite("1.0e+400"), _finite("no"))
    (True, False, False, True)
    """
    try:
        value = yaml_rs.loads(f"- {scalar}\n", parse_datetime=False)[0]
    except Exception:  # noqa: BLE001 - not read alone: no number either
        return True
    return not isinstance(value, float) or value - value == 0


@functools.lru_cache(maxsize=4096)
def _reads_the_same_spelling(scalar: str, reference: Callable[[str], Any]) -> bool:
    document = f"- {scalar}\n"
    try:
        ours = reference(document)
        theirs = yaml_rs.loads(document, parse_datetime=False)
    except Exception:  # noqa: BLE001 - a scalar either parser refuses is left to libyaml
        return False
    return [(type(value), repr(value)) for value in ours] == [(type(value), repr(value)) for value in theirs]
