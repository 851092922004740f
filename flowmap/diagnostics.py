"""Diagnostics: one problem in a model file, located by line, column and field path.

>>> d = Diagnostic("eu.yaml", 57, 11, "flows[3].to", "unknown system 'europoll' (did you mean 'europol'?)")
>>> d.format()
"eu.yaml:57:11: flows[3].to: unknown system 'europoll' (did you mean 'europol'?)"
>>> format_path(("flows", 3, "to"))
'flows[3].to'
>>> print(shown("europ\u202eol"))
'europ\\u202eol'
>>> print(Diagnostic("a\\nb.yaml:1:1: fake", 2, 1, "", "real").format())
a\\nb.yaml:1:1: fake:2:1: real
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

__all__ = ["Diagnostic", "format_path", "did_you_mean", "shown", "SHOWN_LENGTH"]

SHOWN_LENGTH = 80  # characters of a value a message quotes; the rest is cut
SHOWN_FILE_LENGTH = 1000  # characters of a file name a diagnostic shows
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem. Sorts by file, line, column, then path, so output is stable."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    path: str  # e.g. flows[3].to; "" for the whole file
    message: str
    severity: str = "error"  # error | warning

    def format(self) -> str:
        """The one line: the file name as :func:`printable` (a name with a newline in it cannot
        print a second, fake diagnostic)."""
        where = printable(self.file, limit=SHOWN_FILE_LENGTH)
        if self.line:
            where += f":{self.line}:{self.column}"
        label = "warning: " if self.severity == "warning" else ""
        place = f" {self.path}:" if self.path else ""
        return f"{where}:{place} {label}{self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def format_path(path: Iterable[str | int]) -> str:
    """Render a location tuple as ``systems[2].controls.redress`` (keys as :func:`printable`)."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{printable(str(part))}" if out else printable(str(part))
    return out


def printable(text: str, limit: int = SHOWN_LENGTH) -> str:
    """``text`` safe to put in a one-line message: characters that would break the line, reorder
    it (bidirectional overrides) or not show at all are escaped, and the text is cut after ``limit``
    characters of output.

    >>> print(printable("a\\u2028b\\tc"))
    a\\u2028b\\tc
    >>> printable("x" * 100, limit=5), printable("\\u202e" * 100, limit=12)
    ('xxxxx…', '\\\\u202e\\\\u202e…')
    """
    return _cut(text, limit)[0]


def _cut(text: str, limit: int) -> tuple[str, bool]:
    """:func:`printable` and whether it had to cut ``text``."""
    if text.isprintable():
        return (text, False) if len(text) <= limit else (text[:limit] + "…", True)
    out: list[str] = []
    length = 0
    for c in text:
        if length >= limit:
            return "".join(out) + "…", True
        piece = c if c.isprintable() else _ESCAPES.get(c) or (
            f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        )
        out.append(piece)
        length += len(piece)
    return "".join(out), False


def shown(value: object) -> str:
    """A value from a model as a message quotes it: in single quotes, as :func:`printable`, with
    the length of a value too long to show whole.

    >>> shown("europoll")
    "'europoll'"
    >>> shown("a" * 200_000)[-40:]
    "aaaaaaaaaaaaaaaaa…' (200,000 characters)"
    """
    text = str(value)
    inner, cut = _cut(text, SHOWN_LENGTH)
    return f"'{inner}' ({len(text):,} characters)" if cut else f"'{inner}'"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` suffix when a close match exists, else ``""``.

    >>> did_you_mean("europoll", ["europol", "eurodac"])
    " (did you mean 'europol'?)"
    """
    import difflib  # only asked when something is wrong

    match = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.75)
    return f" (did you mean {shown(match[0])}?)" if match else ""
