"""Reading model files safely: bytes -> text -> plain data (dicts and lists).

YAML of 128 KiB or more is read by yaml-rs where it is certain to read it as libyaml does
(see :mod:`flowmap.yaml_fast`: about ten times faster), else by PyYAML's libyaml loader,
which also locates every error; always in safe mode: no arbitrary tags. Hostile files get
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
import functools
import gc
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

import orjson

from flowmap.diagnostics import Diagnostic, shown
from flowmap.errors import ModelError

__all__ = [
    "check_model", "load_model", "read_data", "read_data_text", "MAX_BYTES", "MAX_VALUES", "MAX_DEPTH", "MAX_EXPANSION"
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
FAST_PATH_MIN_CHARACTERS = 128 * 1024  # YAML shorter than this is read by libyaml alone (see _parse_yaml)
_VALUE_MARKS = ",:\n[{-"
_DROP_BUT_MARKS = bytes(b for b in range(256) if b not in _VALUE_MARKS.encode())
_SNIFF = 64 * 1024  # bytes read first, to refuse binary input early
MAX_DEPTH = 64
TOO_DEEP = f"nesting is over {MAX_DEPTH} levels deep: flatten the file"
# libyaml's C composer recurses once per level on the C stack, and a few tens of thousands of
# levels (200 KB of "[" or "- ") crash the process; below this many it is safe on any stack.
_C_SAFE_DEPTH = 1000
MAX_EXPANSION = 10  # aliases may at most multiply the node count by this factor...
MIN_EXPANSION_BUDGET = 1_000_000  # ...or reach this many nodes, whichever is larger
MIN_TEXT_BUDGET = 10_000_000  # likewise for the characters of text, against the file's length

# PyYAML is imported where a YAML text is read, not with this module: a JSON model never needs it,
# and importing it costs about 20 ms of every start (most of it compiling yaml.reader's patterns).


@functools.cache
def _base_loader() -> type:
    """PyYAML's safe loader, libyaml's where PyYAML has it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(construct: Any, problem: str, fix: str) -> Any:
    """A PyYAML scalar constructor whose failures (``!!int asylum``, a number of 5,000 digits) are
    one located YAML error rather than a ValueError from deep inside PyYAML."""

    def checked(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            import yaml

            value = str(node.value)
            if "digits" in str(exc):  # Python refuses to convert integers of over 4,300 digits
                message = f"a number of {len(value):,} digits is too long to read: shorten it, or quote it as text"
            else:
                message = f"{shown(value)} {problem}: {fix}"
            raise yaml.constructor.ConstructorError(None, None, message, node.start_mark) from None

    return checked


def _timestamp_or_text(construct: Any) -> Any:
    """A plain ``2024-02-30`` stays the text it is, as if quoted: validation then says, with
    every other problem, that it is no real date where a date is due."""

    def checked(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError):
            return str(node.value)

    return checked


@functools.cache
def _model_loader() -> type:
    """flowmap's safe loader class for models, made when a YAML text is first read: it records
    duplicate mapping keys instead of silently keeping the last, makes a bad ``!!int``,
    ``!!float`` or ``!!bool`` one located error, and leaves an impossible date as text."""

    class ModelLoader(_base_loader()):  # type: ignore[misc, valid-type]
        """Safe loader that records duplicate mapping keys instead of silently keeping the last."""

        def __init__(self, stream: str):
            super().__init__(stream)
            self.duplicate_keys: list[tuple[Any, str]] = []

        def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
            # PyYAML deletes the `<<` entries from this very list, then puts the merged pairs before
            # it in a new one: ``own`` keeps the keys written here, which may override merged ones
            own = node.value
            mapping = super().construct_mapping(node, deep=deep)
            if len(mapping) != len(node.value):  # a key repeated, or one merged and then overridden
                seen: set = set()
                for key_node, _ in own:
                    key = key_node.value
                    if key in seen:
                        self.duplicate_keys.append((key_node.start_mark, str(key)))
                    seen.add(key)
            return mapping

    for kind, problem, fix in (
        ("int", "is not a whole number", "fix it, or remove the `!!int` tag"),
        ("float", "is not a number", "fix it, or remove the `!!float` tag"),
        ("bool", "is not true or false", "fix it, or remove the `!!bool` tag"),
    ):
        tag = f"tag:yaml.org,2002:{kind}"
        ModelLoader.add_constructor(tag, _scalar(ModelLoader.yaml_constructors[tag], problem, fix))
    timestamp = "tag:yaml.org,2002:timestamp"
    ModelLoader.add_constructor(timestamp, _timestamp_or_text(ModelLoader.yaml_constructors[timestamp]))
    return ModelLoader


def _fail(file: str, message: str, line: int = 0, column: int = 0, path: str = "") -> ModelError:
    return ModelError([Diagnostic(file, line, column, path, message)])


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
        raise _fail(name, "is a directory, not a model file: name a .yaml or .json file")
    try:
        raw = _read_capped(p, name)
    except FileNotFoundError:
        raise _fail(name, "no such file: check the path") from None
    except PermissionError:
        raise _fail(name, "permission denied: make the file readable") from None
    except IsADirectoryError:
        raise _fail(name, "is a directory, not a model file: name a .yaml or .json file") from None
    except OSError as exc:
        raise _fail(name, f"cannot read the file ({exc.strerror}): check the path") from None
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
        raise _fail(name, f"file is {size // 2**20} MiB, over the {limit} MiB limit: split the model "
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
        raise _fail(name, f"gives more than {limit} MiB, the limit for a model: split the model")
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
            raise _fail(name, "is UTF-16 text: save the file as UTF-8")
        raise _fail(name, "looks like a binary file, not YAML or JSON text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(
            name,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
            line,
            column,
        ) from None


def read_data_text(text: str, name: str, *, holding: str | None = None) -> Any:
    """Parse model text (JSON when the name ends in .json, YAML otherwise); see :func:`read_data`."""
    if not text or text.isspace():  # as `not text.strip()`, without copying the text
        if holding:
            raise _fail(name, f"the file is empty: it should hold {holding}")
        raise _fail(name, "the file is empty: a model needs at least `flowmap: 1`, `name` and `systems`")
    marks = _value_marks(text)
    max_values = input_limits()[1]
    if marks > max_values:
        raise _fail(name, f"the file may hold up to {marks:,} values, over the {max_values:,} a model may have "
                    f"(reading takes about 450 bytes of memory each): split the model (or raise the limit with "
                    f"{LIMIT_VARIABLE}, if the machine has the memory)")
    if name.lower().endswith(".json"):
        data = _parse_json(text, name)
    else:
        data = _parse_yaml(text, name)
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
            raise _fail(name, f"invalid JSON: {fast.msg} (a \\uD800-\\uDFFF escape must be one half of a pair): "
                        "fix or remove the escape", fast.lineno, fast.colno) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = exc.msg
        if message.startswith("Invalid control character"):
            message = "a control character inside a string: remove it"
        raise _fail(name, f"invalid JSON: {message}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _fail(name, TOO_DEEP, *(_too_deep_at(text) or (0, 0))) from None
    except ValueError:  # Python refuses to convert integers of over 4,300 digits
        long_number = re.search(r"\d{4301,}", text)
        if long_number is None:
            raise
        digits = long_number.end() - long_number.start()
        raise _fail(name, f"invalid JSON: a number of {digits:,} digits is too long to read: "
                    "shorten it, or quote it as text", *_line_column(text, long_number.start())) from None


_SPACED_KEY_END = re.compile(r'"[ \t\r\n]+:')
_SPACED_COLON = re.compile(r":(?<=[ \t\r\n]:)")  # searched from each colon: 2.5x faster than the above


def _refuse_json_duplicates(keys: int, text: str, name: str) -> None:
    """A located error for each key an object repeats (JSON parsers keep the last silently);
    ``keys`` is how many ``":`` the parsed data account for: their keys, and, counted off
    orjson's writing of them (:func:`_written_shape`), each ``"`` followed by ``:`` in a text.

    Each key ends in ``"`` and ``:``, so a key written twice leaves the text with more of those
    than the data account for: when the counts agree, no key was repeated; otherwise libyaml's
    events, which read JSON too, find them.

    >>> _refuse_json_duplicates(1, '{"a": 0, "a": 1}', "m.json")
    Traceback (most recent call last):
    flowmap.errors.ModelError: m.json:1:10: duplicate key 'a': keep only one
    """
    key_ends = text.count('":')
    if _SPACED_COLON.search(text):  # some colon follows a space: a key may end `"key" :`
        key_ends += len(_SPACED_KEY_END.findall(text))
    if key_ends == keys:
        return
    duplicates = _duplicate_keys_at(text)
    if duplicates:
        raise ModelError([Diagnostic(name, line, column, "", f"duplicate key {shown(key)}: keep only one")
                          for line, column, key in duplicates])


def _duplicate_keys_at(text: str) -> list[tuple[int, int, str]]:
    """Line, column and key of each repeated key in ``text`` (JSON or flow YAML), from parser events."""
    import yaml

    parser = _base_loader()(text)
    found: list[tuple[int, int, str]] = []
    frames: list[tuple[set | None, bool]] = []  # per open collection: keys seen (None: a sequence), next is a key
    try:
        while parser.check_event():
            event = parser.get_event()
            at_key = bool(frames) and frames[-1][0] is not None and frames[-1][1]
            if frames and frames[-1][0] is not None and not isinstance(event, yaml.CollectionEndEvent):
                frames[-1] = (frames[-1][0], not frames[-1][1])
            if at_key and isinstance(event, yaml.ScalarEvent):
                if event.value in frames[-1][0]:
                    found.append((event.start_mark.line + 1, event.start_mark.column + 1, event.value))
                frames[-1][0].add(event.value)
            if isinstance(event, yaml.MappingStartEvent):
                frames.append((set(), True))
            elif isinstance(event, yaml.SequenceStartEvent):
                frames.append((None, False))
            elif isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    return found


def _parse_yaml(text: str, name: str) -> Any:
    """The data of YAML ``text``: from the fast parser where it reads them as libyaml does
    (:mod:`flowmap.yaml_fast`), else from libyaml, whose errors are located. A text under
    :data:`FAST_PATH_MIN_CHARACTERS` goes to libyaml directly: there the fast path saves less time
    than importing it takes, and its parser's library holds 5 MB (both read the same data)."""
    if len(text) >= FAST_PATH_MIN_CHARACTERS:
        from flowmap import yaml_fast

        data = yaml_fast.load(text, _read_small)
        if data is not None:
            return data
    if _nesting_bound(text) > _C_SAFE_DEPTH and not _libyaml_limits_nesting():  # the bound is the cheaper
        place = _too_deep_at(text)
        if place:
            raise _fail(name, TOO_DEEP, *place)
    import yaml

    loader = _model_loader()(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # newer libyaml stops deep nesting itself
            raise _fail(name, TOO_DEEP, *(_too_deep_at(text) or (0, 0))) from None
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        if "cannot start any token" in problem and mark and _character_at(text, mark) == "\t":
            problem, context = "a tab character: YAML indents with spaces (replace it with spaces)", ""
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise _fail(name, f"invalid YAML: {problem}{context}", line, column) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: one line, with its place
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _fail(name, f"invalid YAML: character U+{code:04X} is not allowed in YAML: remove it",
                    *_line_column(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise _fail(name, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise _fail(name, TOO_DEEP, *(_too_deep_at(text) or (0, 0))) from None
    finally:
        loader.dispose()
    if loader.duplicate_keys:
        raise ModelError(
            [
                Diagnostic(name, mark.line + 1, mark.column + 1, "", f"duplicate key '{key}': keep only one")
                for mark, key in loader.duplicate_keys
            ]
        )
    return data


def _read_small(text: str) -> Any:
    """A short YAML text read by flowmap's libyaml loader: the fast path's reference for a scalar."""
    loader = _model_loader()(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@functools.cache
def _libyaml_limits_nesting() -> bool:
    """Whether this libyaml refuses nesting past its own limit, as the one in PyYAML 6.0.4's
    wheels does (1,000 levels, flow and block), rather than recursing until the C stack overflows:
    the guard of :func:`_nesting_bound` is then not needed. 1,100 levels are safe either way.

    >>> isinstance(_libyaml_limits_nesting(), bool)
    True
    """
    import yaml

    for deep in ("[" * 1100, "- " * 1100 + "x"):
        try:
            yaml.load(deep, Loader=_base_loader())
        except yaml.YAMLError as exc:
            if "nesting depth" not in str(exc):
                return False
        except RecursionError:  # the pure-Python parser
            return False
        else:
            return False
    return True


def _character_at(text: str, mark: Any) -> str:
    """The character at a YAML error mark (its line and column, which count characters)."""
    start = 0
    for _ in range(mark.line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    position = start + mark.column
    return text[position] if position < len(text) else ""


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset in ``text``."""
    return text.count("\n", 0, position) + 1, position - text.rfind("\n", 0, position)


# Characters that open or close a flow collection, or begin a quoted scalar or a comment (which
# may hide a bracket), and those that may stand before a block collection on its line.
_DROP_BUT_FLOW = bytes(b for b in range(256) if b not in b"[]{}'\"#")
_LINE_PREFIX = bytes((10 if b in b"\n\r\x85\xa8\xa9" else 32 if b in b" \t-?:" else 120) for b in range(256))
_LONG_PREFIX = 200


def _nesting_bound(text: str) -> int:
    """A cheap upper bound of how deeply ``text`` nests as YAML (about 60 ms for 15 MB).

    Flow collections: innermost ``[]`` and ``{}`` pairs (with no quote or ``#`` between, so
    neither can be a string or a comment) are removed pass by pass; each pass is one level, each
    bracket left over may be one more, and ``[a: b]`` hides a mapping in a sequence (twice that).
    Block collections: each level starts at a greater column than its parent, or at the same for
    a list under a key, so a deep one needs a long run of spaces and ``- ? :`` at a line's start.

    >>> _nesting_bound("a: [1, [2, {b: c}]]\\n- x\\n") < _C_SAFE_DEPTH
    True
    >>> _nesting_bound("- " * 5000 + "x") > _C_SAFE_DEPTH, _nesting_bound("[" * 5000) > _C_SAFE_DEPTH
    (True, True)
    """
    raw = text.encode("utf-8", "surrogatepass")
    brackets = raw.translate(None, _DROP_BUT_FLOW)
    passes = 0
    while passes <= _C_SAFE_DEPTH:
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(reduced) == len(brackets):
            break
        brackets, passes = reduced, passes + 1
    flow = 2 * (passes + brackets.count(b"[") + brackets.count(b"{")) + 1
    prefixes = raw.translate(_LINE_PREFIX)
    long_prefix = b" " * _LONG_PREFIX
    deep_block = prefixes.startswith(long_prefix) or b"\n" + long_prefix in prefixes
    block = _C_SAFE_DEPTH + 1 if deep_block else 2 * _LONG_PREFIX
    return flow + block


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """Line and column where ``text`` first nests deeper than MAX_DEPTH as YAML (JSON included),
    from libyaml's parser events, which keep no C stack per level; ``None`` if it never does
    (or has a syntax error first: the parse then reports that).

    >>> _too_deep_at("a: " + "[" * 100 + "]" * 100)
    (1, 67)
    >>> _too_deep_at("a: [[1]]") is None
    True
    """
    import yaml

    parser = _base_loader()(text)
    depth = 0
    resume = 0  # where the text after the last event starts
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            resume = event.end_mark.index
    except yaml.YAMLError as exc:
        # libyaml 0.2.5 as bundled with PyYAML 6.0.4 refuses deep flow nesting in its scanner,
        # before the events get there: count the brackets from the last event on
        if "nesting depth" in str(getattr(exc, "problem", "")):
            return _flow_too_deep_at(text, resume, depth)
        return None
    finally:
        parser.dispose()
    return None


def _flow_too_deep_at(text: str, start: int, depth: int) -> tuple[int, int] | None:
    """Line and column of the first ``[`` or ``{`` after ``start`` that opens level MAX_DEPTH + 1,
    counting from ``depth``; brackets in quoted scalars and comments do not count.

    >>> _flow_too_deep_at("a: " + "[" * 70, 3, 1)
    (1, 67)
    >>> _flow_too_deep_at("a: '[[[['", 3, 63) is None
    True
    """
    quote = ""
    position = start
    length = len(text)
    while position < length:
        char = text[position]
        if quote:
            if char == "\\" and quote == '"':
                position += 1
            elif char == quote:
                if quote == "'" and text.startswith("''", position):
                    position += 1
                else:
                    quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            end = text.find("\n", position)
            position = length if end == -1 else end
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _line_column(text, position)
        elif char in "]}":
            depth -= 1
        position += 1
    return None


def _check_shape(data: Any, name: str, text: str, holding: str | None = None) -> None:
    """Reject absurd nesting, recursive aliases and alias bombs before anything walks the data."""
    if holding and not isinstance(data, (dict, list)):
        kind = type(data).__name__ if data is not None else "nothing"
        raise _fail(name, f"the top level must be {holding}, not {kind}", 1, 1)
    if not holding and not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise _fail(name, f"the top level must be a mapping with `flowmap: 1`, `name` and `systems`, not {kind}", 1, 1)
    is_json = name.lower().endswith(".json")
    if is_json or not ("&" in text and "*" in text):  # no aliases
        depth, keys = (_written_shape(data, text) if is_json else None) or _tree_shape(data)
        if depth > MAX_DEPTH:
            raise _fail(name, TOO_DEEP, *(_too_deep_at(text) or (0, 0)))
        if is_json:
            _refuse_json_duplicates(keys, text, name)
        return
    _check_aliases(data, name, text)


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


def _written_shape(data: Any, text: str) -> tuple[int, int] | None:
    r"""What :func:`_tree_shape` tells of data parsed from JSON ``text``, read at C speed off
    orjson's indented writing of them (about half the time of the walk): ``MAX_DEPTH``, a bound of
    the depth, and the number of ``":`` written, one per key and one per ``"`` followed by ``:``
    inside a text, as ``text`` writes them too when it has no ``\u`` escape (which could spell
    either otherwise). ``None``, for the walk to measure, when the text has one, when a line is
    indented deep enough for a value past ``MAX_DEPTH``, or when orjson cannot write the data (an
    integer over 64 bits, which the standard parser reads).

    >>> _written_shape({"a": [1, {"b": 'say "c": d'}]}, r'{"a": [1, {"b": "say \"c\": d"}]}')
    (64, 3)
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
    return MAX_DEPTH, written.count(b'":')


def _check_aliases(data: Any, name: str, text: str = "") -> None:
    """Measure the data as if aliases were expanded, in time linear in the distinct nodes: the
    number of nodes, and the characters of text (an anchored long string repeated is as much a
    bomb as nested lists)."""
    expanded: dict[int, tuple[int, int]] = {}  # id -> (nodes, characters) once expanded
    on_stack: set[int] = set()
    unique = 0
    # iterative post-order walk: (node, depth, children_pushed)
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_stack.discard(key)
            nodes, characters = 1, 0
            if node.__class__ is dict:
                characters = sum(len(k) if k.__class__ is str else 1 for k in node)
                children = node.values()
            else:
                children = node
            for child in children:
                size = expanded.get(id(child))
                if size is None:
                    nodes += 1
                    characters += len(child) if child.__class__ is str else 1
                else:
                    nodes += size[0]
                    characters += size[1]
            expanded[key] = (nodes, characters)
            continue
        if key in expanded:
            continue
        if key in on_stack:
            raise _fail(name, "a YAML alias refers to its own anchor (a recursive structure): remove the alias")
        if depth > MAX_DEPTH:  # written out (located) or through aliases (not)
            raise _fail(name, TOO_DEEP, *(_too_deep_at(text) or (0, 0)))
        unique += 1
        on_stack.add(key)
        stack.append((node, depth, True))
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if id(child) in on_stack:
                    raise _fail(
                        name, "a YAML alias refers to its own anchor (a recursive structure): remove the alias"
                    )
                stack.append((child, depth + 1, False))
    nodes, characters = expanded.get(id(data), (1, 0))
    node_budget = max(MAX_EXPANSION * unique, MIN_EXPANSION_BUDGET)
    text_budget = max(MAX_EXPANSION * len(text), MIN_TEXT_BUDGET)
    if nodes > node_budget:
        raise _fail(
            name,
            f"YAML aliases expand to {nodes:,} nodes from {unique:,} written (a 'billion laughs' bomb?): "
            "write the data out instead of aliasing it",
            *_alias_over_budget_at(text, node_budget, text_budget),
        )
    if characters > text_budget:
        raise _fail(
            name,
            f"YAML aliases expand to {characters:,} characters of text from {len(text):,} written "
            "(an alias bomb?): write the data out instead of aliasing it",
            *_alias_over_budget_at(text, node_budget, text_budget),
        )


def _alias_over_budget_at(text: str, node_budget: int, text_budget: int) -> tuple[int, int]:
    """Line and column of the alias that takes the expanded data over either budget, from
    libyaml's parser events (keys count here too, so this count is never the smaller);
    ``(0, 0)`` if none does.

    >>> _alias_over_budget_at("a: &x [1, 2]\\nb: [*x, *x, *x]\\n", 100, 7)
    (2, 9)
    """
    import yaml

    parser = _base_loader()(text)
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, characters) it expands to
    opened: list[tuple[str | None, int, int]] = []  # per open collection: anchor, totals at its start
    nodes = characters = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent):
                more_nodes, more_characters = sizes.get(event.anchor, (1, 0))
                nodes += more_nodes
                characters += more_characters
                if nodes > node_budget or characters > text_budget:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, yaml.ScalarEvent):
                nodes += 1
                characters += len(event.value)
                if event.anchor:
                    sizes[event.anchor] = (1, len(event.value))
            elif isinstance(event, yaml.CollectionStartEvent):
                nodes += 1
                opened.append((event.anchor, nodes - 1, characters))
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, nodes_before, characters_before = opened.pop()
                if anchor:
                    sizes[anchor] = (nodes - nodes_before, characters - characters_before)
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    return 0, 0
