"""Reading YAML model text: flowmap's libyaml loader and the guards around it.

What :mod:`flowmap.loader` needs only for YAML lives here, imported when a YAML text is read
(or, for a JSON text, when the loader has an error to locate): a JSON model's run never
compiles it, nor imports PyYAML. YAML of :data:`FAST_PATH_MIN_CHARACTERS` or more is read by
yaml-rs where it is certain to read it as libyaml does (:mod:`flowmap.yaml_fast`), else by
PyYAML's libyaml loader, which locates every error; always in safe mode: no arbitrary tags.
Duplicate keys, bad ``!!int``/``!!float``/``!!bool`` scalars, nesting deep enough to crash the C
parser, recursive aliases and alias bombs each get one located diagnostic.

>>> parse_yaml("flowmap: 1\\nname: x\\n", "m.yaml")
{'flowmap': 1, 'name': 'x'}
"""

from __future__ import annotations

import functools
from typing import Any

from flowmap.diagnostics import Diagnostic, shown
from flowmap.errors import ModelError
from flowmap.read_limits import (MAX_DEPTH, MAX_EXPANSION, MIN_EXPANSION_BUDGET, MIN_TEXT_BUDGET, TOO_DEEP,
                                 line_column, read_error)

__all__ = ["FAST_PATH_MIN_CHARACTERS", "base_loader", "parse_yaml", "read_small", "too_deep_error", "too_deep_at", "check_aliases", "duplicate_keys_at"]

FAST_PATH_MIN_CHARACTERS = 128 * 1024  # YAML shorter than this is read by libyaml alone (see parse_yaml)
# libyaml's C composer recurses once per level on the C stack, and a few tens of thousands of
# levels (200 KB of "[" or "- ") crash the process; below this many it is safe on any stack.
_C_SAFE_DEPTH = 1000


@functools.cache
def base_loader() -> type:
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

    class ModelLoader(base_loader()):  # type: ignore[misc, valid-type]
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


def parse_yaml(text: str, name: str) -> Any:
    """The data of YAML ``text``: from the fast parser where it reads them as libyaml does
    (:mod:`flowmap.yaml_fast`), else from libyaml, whose errors are located. A text under
    :data:`FAST_PATH_MIN_CHARACTERS` goes to libyaml directly: there the fast path saves less time
    than importing it takes, and its parser's library holds 5 MB (both read the same data)."""
    if len(text) >= FAST_PATH_MIN_CHARACTERS:
        from flowmap import yaml_fast

        data = yaml_fast.load(text, read_small)
        if data is not None:
            return data
    if _nesting_bound(text) > _C_SAFE_DEPTH and not _libyaml_limits_nesting():  # the bound is the cheaper
        place = too_deep_at(text)
        if place:
            raise read_error(name, TOO_DEEP, *place)
    import yaml

    loader = _model_loader()(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # newer libyaml stops deep nesting itself
            raise too_deep_error(name, text) from None
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        if "cannot start any token" in problem and mark and _character_at(text, mark) == "\t":
            problem, context = "a tab character: YAML indents with spaces (replace it with spaces)", ""
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise read_error(name, f"invalid YAML: {problem}{context}", line, column) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: one line, with its place
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise read_error(name, f"invalid YAML: character U+{code:04X} is not allowed in YAML: remove it",
                         *line_column(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise read_error(name, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise too_deep_error(name, text) from None
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


def read_small(text: str) -> Any:
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
            yaml.load(deep, Loader=base_loader())
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


def too_deep_error(name: str, text: str) -> ModelError:
    """The error of a text nesting deeper than MAX_DEPTH, located where it first does
    (:func:`too_deep_at`; unlocated when the scan finds no place)."""
    return read_error(name, TOO_DEEP, *(too_deep_at(text) or (0, 0)))


def too_deep_at(text: str) -> tuple[int, int] | None:
    """Line and column where ``text`` first nests deeper than MAX_DEPTH as YAML (JSON included),
    from libyaml's parser events, which keep no C stack per level; ``None`` if it never does
    (or has a syntax error first: the parse then reports that).

    >>> too_deep_at("a: " + "[" * 100 + "]" * 100)
    (1, 67)
    >>> too_deep_at("a: [[1]]") is None
    True
    """
    import yaml

    parser = base_loader()(text)
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
                return line_column(text, position)
        elif char in "]}":
            depth -= 1
        position += 1
    return None


def check_aliases(data: Any, name: str, text: str = "") -> None:
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
            raise read_error(name, "a YAML alias refers to its own anchor (a recursive structure): remove the alias")
        if depth > MAX_DEPTH:  # written out (located) or through aliases (not)
            raise too_deep_error(name, text)
        unique += 1
        on_stack.add(key)
        stack.append((node, depth, True))
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if id(child) in on_stack:
                    raise read_error(
                        name, "a YAML alias refers to its own anchor (a recursive structure): remove the alias"
                    )
                stack.append((child, depth + 1, False))
    nodes, characters = expanded.get(id(data), (1, 0))
    node_budget = max(MAX_EXPANSION * unique, MIN_EXPANSION_BUDGET)
    text_budget = max(MAX_EXPANSION * len(text), MIN_TEXT_BUDGET)
    if nodes > node_budget:
        raise read_error(
            name,
            f"YAML aliases expand to {nodes:,} nodes from {unique:,} written (a 'billion laughs' bomb?): "
            "write the data out instead of aliasing it",
            *_alias_over_budget_at(text, node_budget, text_budget),
        )
    if characters > text_budget:
        raise read_error(
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

    parser = base_loader()(text)
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

def duplicate_keys_at(text: str) -> list[tuple[int, int, str]]:
    """Line, column and key of each repeated key in ``text`` (JSON or flow YAML), from parser events."""
    import yaml

    parser = base_loader()(text)
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
