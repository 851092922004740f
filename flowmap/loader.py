"""Reading model files safely: bytes -> text -> plain data (dicts and lists).

JSON is read by orjson; YAML by :mod:`flowmap.yaml_reader` (imported only for a YAML text, or
to locate an error in a JSON one): yaml-rs where it is certain to read it as libyaml does, else
PyYAML's libyaml loader, which also locates every error; always in safe mode: no arbitrary
tags. Hostile files get
one clear diagnostic each: binary content, invalid UTF-8, an empty file, a
directory, a "billion laughs" alias bomb, recursive aliases, absurd nesting.

>>> read_data_text("flowmap: 1\\nname: x\\n", "m.yaml")
{'flowmap': 1, 'name': 'x'}
>>> read_data_text('{"flowmap": 1}', "m.json")
{'flowmap': 1}
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

import orjson

from flowmap.diagnostics import Diagnostic, shown
from flowmap.errors import ModelError
from flowmap.read_limits import MAX_DEPTH, MAX_EXPANSION, TOO_DEEP, line_column, read_error

__all__ = [
    "check_model", "load_model", "read_data", "read_data_text", "MAX_BYTES", "MAX_VALUES", "MAX_DEPTH", "MAX_EXPANSION",
    "TOO_DEEP",
]

# Reading costs memory per value, not per byte: through libyaml about 450 bytes per value, or 50
# per byte of a realistic YAML model; through the fast path (yaml_fast.py) and for JSON 13-20 per
# byte. The two caps keep any accepted file near 3 GB whichever parser reads it: 64 MiB of text,
# and at most MAX_VALUES places where a value may start, which bounds files of tiny values
# (`[a,a,a,...]` is one value per 2 bytes).
MAX_BYTES = 64 * 1024 * 1024
MAX_VALUES = 6_000_000
LIMIT_VARIABLE = "FLOWMAP_INPUT_LIMIT_MIB"


def input_limits() -> tuple[int, int]:
    """(bytes, values) a model may have: :data:`MAX_BYTES` and :data:`MAX_VALUES`, or, for very
    large inventories on a machine with the memory for them, both scaled to the MiB given in the
    environment variable ``FLOWMAP_INPUT_LIMIT_MIB`` (about 50 MB of memory per MiB allowed).

    >>> import os
    >>> os.environ.pop(LIMIT_VARIABLE, None) and None
    >>> input_limits() == (MAX_BYTES, MAX_VALUES)
    True
    >>> os.environ[LIMIT_VARIABLE] = "256"
    >>> input_limits()
    (268435456, 24000000)
    >>> del os.environ[LIMIT_VARIABLE]
    """
    raw = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not raw:
        return MAX_BYTES, MAX_VALUES
    if not raw.isdigit() or int(raw) < 1:
        from flowmap.errors import UsageError

        raise UsageError(f"{LIMIT_VARIABLE}={raw!r} is not a whole number of MiB: set it like 256, or unset it")
    mib = int(raw)
    return mib * 2**20, MAX_VALUES * mib // (MAX_BYTES // 2**20)


_VALUE_MARKS = ",:\n[{-"
_DROP_BUT_MARKS = bytes(b for b in range(256) if b not in _VALUE_MARKS.encode())
_SNIFF = 64 * 1024  # bytes read first, to refuse binary input early
def _too_deep(name: str, text: str) -> ModelError:
    """The error of a text nesting deeper than MAX_DEPTH, located where it first does (found from
    libyaml's parser events, which read JSON too)."""
    from flowmap.yaml_reader import too_deep_error

    return too_deep_error(name, text)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a model is parsed and built.

    Parsing a large model allocates millions of container objects, each allocation
    counting towards the next collection, and every full collection walks all of
    them again: with the collector on, PyYAML spends most of its time in it
    (measured at 10,000 systems: the libyaml parse 2-3x faster, validation and
    construction 15-25% faster with it paused). The data are trees without cycles,
    freed by reference counting, so pausing loses nothing; the collector is
    switched back on afterwards only if it was on.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_model(path: str | os.PathLike, *, strict: bool = False):
    """Read, parse and validate a model file into a :class:`~flowmap.model.Model`.

    Raises :class:`ModelError` with every problem; with ``strict`` warnings count as errors.
    """
    from flowmap.validate import build_model

    data, text = read_data(path)
    model = build_model(data, str(path), text)
    if strict and model.warnings:
        raise ModelError([dataclasses.replace(w, severity="error") for w in model.warnings])
    return model


def check_model(path: str | os.PathLike, *, strict: bool = False) -> tuple[Any, list[Diagnostic]]:
    """Everything ``flowmap validate`` reports for one file: ``(model or None, diagnostics)``.

    Beyond :func:`load_model` it reports acceptances that match no finding (a warning; it runs
    the analysis, so only when the model has acceptances). With ``strict`` warnings are errors
    and the model is ``None`` when there are any.
    """
    from flowmap.gitrev import input_text, load_input  # a model may be given as REV:PATH

    try:
        model = load_input(str(path))
    except ModelError as err:
        return None, err.diagnostics
    warnings = list(model.warnings)
    if model.accepted:
        from flowmap.marks import Locator
        from flowmap.rules.model_quality import unmatched_acceptances

        unmatched = unmatched_acceptances(model)
        if unmatched:
            locator = Locator(input_text(str(path)))
            for index, message in unmatched:
                line, column = locator.locate(("accepted", index, "finding"))
                warnings.append(Diagnostic(str(path), line, column, f"accepted[{index}].finding", message, "warning"))
    warnings.sort()
    if strict and warnings:
        return None, [dataclasses.replace(w, severity="error") for w in warnings]
    return model, warnings


def read_data(path: str | os.PathLike, *, holding: str | None = None) -> tuple[Any, str]:
    """Read a model file into plain data; return ``(data, text)``.

    Raises :class:`ModelError` with one diagnostic when the file cannot be read
    as YAML or JSON. ``holding`` describes what a file that is not a model holds
    (e.g. "a list of acceptances"): its top level may then be a list or a mapping.
    """
    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise read_error(name, "is a directory, not a model file: name a .yaml or .json file")
    try:
        raw = _read_capped(p, name)
    except FileNotFoundError:
        raise read_error(name, "no such file: check the path") from None
    except PermissionError:
        raise read_error(name, "permission denied: make the file readable") from None
    except IsADirectoryError:
        raise read_error(name, "is a directory, not a model file: name a .yaml or .json file") from None
    except OSError as exc:
        raise read_error(name, f"cannot read the file ({exc.strerror}): check the path") from None
    text = decode(raw, name)
    del raw  # the bytes again, not needed while the text is parsed
    return read_data_text(text, name, holding=holding), text


def _read_capped(path: Path, name: str) -> bytes:
    """The bytes of ``path``, at most MAX_BYTES of them whatever it is (a file, a pipe,
    ``/dev/zero``): a larger size, or more bytes than that, is one diagnostic. The first 64 KiB
    are checked for binary content before anything more is read."""
    max_bytes = input_limits()[0]
    limit = max_bytes // 2**20
    size = path.stat().st_size
    if size > max_bytes:
        raise read_error(name, f"file is {size // 2**20} MiB, over the {limit} MiB limit: split the model "
                         f"(or raise the limit with {LIMIT_VARIABLE}, if the machine has the memory)")
    with path.open("rb") as handle:
        head = handle.read(min(_SNIFF, max_bytes + 1))
        if b"\x00" in head:
            decode(head, name)  # raises: binary, or UTF-16
        if handle.seekable():  # a file: read whole from the start, rather than copied onto the head
            handle.seek(0)
            raw = handle.read(max_bytes + 1)
        else:  # a pipe
            raw = head + handle.read(max_bytes + 1 - len(head))
    if len(raw) > max_bytes:
        raise read_error(name, f"gives more than {limit} MiB, the limit for a model: split the model")
    return raw


def _looks_utf16(raw: bytes) -> bool:
    """Whether ``raw`` starts as UTF-16 text: a byte order mark, or ASCII with a zero byte
    every other byte.

    >>> _looks_utf16("flowmap: 1".encode("utf-16")), _looks_utf16("flowmap: 1".encode("utf-16-be"))
    (True, True)
    >>> _looks_utf16(bytes(range(20)))
    False
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = raw[:4096]
    pairs = len(head) // 2
    if pairs == 0:
        return False
    for zero_first in (True, False):
        zeros, text = (head[0::2], head[1::2]) if zero_first else (head[1::2], head[0::2])
        if zeros.count(0) == pairs and all(9 <= b < 127 for b in text[:pairs]):
            return True
    return False


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text of a file, with a located diagnostic for binary or mis-encoded files."""
    if b"\x00" in raw[:8192] or b"\x00" in raw[-8192:]:
        if _looks_utf16(raw):
            raise read_error(name, "is UTF-16 text: save the file as UTF-8")
        raise read_error(name, "looks like a binary file, not YAML or JSON text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise read_error(
            name,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
            line,
            column,
        ) from None


def read_data_text(text: str, name: str, *, holding: str | None = None) -> Any:
    """Parse model text (JSON when the name ends in .json, YAML otherwise); see :func:`read_data`."""
    if not text or text.isspace():  # as `not text.strip()`, without copying the text
        if holding:
            raise read_error(name, f"the file is empty: it should hold {holding}")
        raise read_error(name, "the file is empty: a model needs at least `flowmap: 1`, `name` and `systems`")
    marks = _value_marks(text)
    max_values = input_limits()[1]
    if marks > max_values:
        raise read_error(name, f"the file may hold up to {marks:,} values, over the {max_values:,} a model may have "
                         f"(reading takes about 450 bytes of memory each): split the model (or raise the limit with "
                         f"{LIMIT_VARIABLE}, if the machine has the memory)")
    if name.lower().endswith(".json"):
        data = _parse_json(text, name)
    else:
        from flowmap.yaml_reader import parse_yaml

        data = parse_yaml(text, name)
    _check_shape(data, name, text, holding)
    return data


def _value_marks(text: str) -> int:
    """How many characters of ``text`` may start a value (:data:`_VALUE_MARKS`, all ASCII, so
    counted in the UTF-8 bytes): one pass deleting every other byte, twice as fast as a count
    per character on a large model.

    >>> _value_marks("a: [1, 2]\\n- é")
    5
    """
    return len(text.encode("utf-8", "surrogatepass").translate(None, _DROP_BUT_MARKS))


def _parse_json(text: str, name: str) -> Any:
    """orjson first (several times faster on large models); what it refuses goes to the
    standard parser, whose messages name the problem, and which also accepts NaN and
    integers wider than 64 bits as before. A lone surrogate escape is refused by both routes:
    it is not Unicode, and nothing could be written from it."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as fast:
        if "surrogate" in fast.msg:
            raise read_error(name, f"invalid JSON: {fast.msg} (a \\uD800-\\uDFFF escape must be one half of a pair): "
                             "fix or remove the escape", fast.lineno, fast.colno) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = exc.msg
        if message.startswith("Invalid control character"):
            message = "a control character inside a string: remove it"
        raise read_error(name, f"invalid JSON: {message}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _too_deep(name, text) from None
    except ValueError:  # Python refuses to convert integers of over 4,300 digits
        long_number = re.search(r"\d{4301,}", text)
        if long_number is None:
            raise
        digits = long_number.end() - long_number.start()
        raise read_error(name, f"invalid JSON: a number of {digits:,} digits is too long to read: "
                         "shorten it, or quote it as text", *line_column(text, long_number.start())) from None


_SPACED_KEY_END = re.compile(r'"[ \t\r\n]+:')
_SPACED_COLON = re.compile(r":(?<=[ \t\r\n]:)")  # searched from each colon: 2.5x faster than the above


def _refuse_json_duplicates(keys: int, text: str, name: str) -> None:
    """A located error for each key an object repeats (JSON parsers keep the last silently);
    ``keys`` is how many keys the parsed data have (:func:`_tree_shape`).

    Each key ends in ``"`` and ``:``, so a key written twice leaves the text with more of those
    than the data have keys: when the counts agree, no key was repeated; otherwise
    :func:`_refuse_duplicate_keys` looks for them.

    >>> _refuse_json_duplicates(1, '{"a": 0, "a": 1}', "m.json")
    Traceback (most recent call last):
    flowmap.errors.ModelError: m.json:1:10: duplicate key 'a': keep only one
    """
    key_ends = text.count('":')
    if _SPACED_COLON.search(text):  # some colon follows a space: a key may end `"key" :`
        key_ends += len(_SPACED_KEY_END.findall(text))
    if key_ends != keys:
        _refuse_duplicate_keys(text, name)


def _refuse_duplicate_keys(text: str, name: str) -> None:
    """A located error for each key an object of JSON ``text`` repeats, found by libyaml's parser
    events, which read JSON too; nothing if none does after all."""
    from flowmap.yaml_reader import duplicate_keys_at

    duplicates = duplicate_keys_at(text)
    if duplicates:
        raise ModelError([Diagnostic(name, line, column, "", f"duplicate key {shown(key)}: keep only one")
                          for line, column, key in duplicates])


def _check_shape(data: Any, name: str, text: str, holding: str | None = None) -> None:
    """Reject absurd nesting, recursive aliases and alias bombs before anything walks the data."""
    if holding and not isinstance(data, (dict, list)):
        kind = type(data).__name__ if data is not None else "nothing"
        raise read_error(name, f"the top level must be {holding}, not {kind}", 1, 1)
    if not holding and not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise read_error(name, f"the top level must be a mapping with `flowmap: 1`, `name` and `systems`, not {kind}", 1, 1)
    is_json = name.lower().endswith(".json")
    if is_json:
        colons = _written_shape(data, text)
        if colons is not None:  # the data nest no deeper than MAX_DEPTH
            if colons != text.count(":"):  # a key written twice: the data keep one, with one colon fewer
                _refuse_duplicate_keys(text, name)
            return
    if is_json or not ("&" in text and "*" in text):  # no aliases
        depth, keys = _tree_shape(data)
        if depth > MAX_DEPTH:
            raise _too_deep(name, text)
        if is_json:
            _refuse_json_duplicates(keys, text, name)
        return
    from flowmap.yaml_reader import check_aliases

    check_aliases(data, name, text)


def _tree_shape(data: Any) -> tuple[int, int]:
    """Depth of a tree of dicts and lists (no shared nodes), stopping past the limit, and the
    number of keys of its mappings, level by level.

    List comprehensions per level keep the per-node cost to a type check (a 10,000-system
    model has about two million values); the mappings are read apart from the lists.

    >>> _tree_shape({"a": [1, {"b": []}], "c": 2})
    (4, 3)
    """
    containers = (dict, list)
    level = [data]
    depth = keys = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return depth, keys
        mappings = [node for node in level if node.__class__ is dict]
        keys += sum(map(len, mappings))
        below = [child for node in mappings for child in node.values() if child.__class__ in containers]
        if len(mappings) < len(level):
            below += [child for node in level if node.__class__ is list for child in node if child.__class__ in containers]
        level = below
    return depth, keys


# In orjson's indented JSON a value nested at level MAX_DEPTH + 1 or deeper starts a line with
# at least this: the line of the mapping or list at level MAX_DEPTH that holds it.
_DEEPER_LINE = b"\n" + b" " * (2 * MAX_DEPTH)


def _written_shape(data: Any, text: str) -> int | None:
    r"""What :func:`_tree_shape` and :func:`_refuse_json_duplicates` tell of data parsed from JSON
    ``text``, read at C speed off orjson's indented writing of them: the number of ``:`` written,
    when no line is indented deep enough for a value past ``MAX_DEPTH``. ``None``, for the walk to
    measure, when one is, when ``text`` has a ``\u`` escape, or when orjson cannot write the data
    (an integer over 64 bits, which the standard parser reads).

    Without ``\u`` escapes (one could spell a colon), ``text`` has a ``:`` for each key it writes
    and the same ``:`` in its strings as the data: as many as written, unless an object repeats a
    key, when the data keep one of the two, with its ``:`` and any its value holds, and no more.

    >>> _written_shape({"a": [1, {"b": 'say "c": d'}]}, r'{"a": [1, {"b": "say \"c\": d"}]}')
    3
    >>> _written_shape({"a": "é"}, r'{"a": "\u00e9"}') is None
    True
    """
    if "\\" in text and "\\u" in text:  # no backslash at all, the common case, is the faster search
        return None
    try:
        written = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        return None
    if _DEEPER_LINE in written:
        return None
    return written.count(b":")
