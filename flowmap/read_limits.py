r"""What reading a model text is held to, shared by :mod:`flowmap.loader` (every text) and
:mod:`flowmap.yaml_reader` (YAML only): the limits of nesting and of alias expansion, and the
one located error of reading.

>>> str(read_error("m.yaml", TOO_DEEP, *line_column("a:\n  b: [", 9)))
'm.yaml:2:7: nesting is over 64 levels deep: flatten the file'
"""

from __future__ import annotations

from flowmap.diagnostics import Diagnostic
from flowmap.errors import ModelError

__all__ = ["MAX_DEPTH", "TOO_DEEP", "MAX_EXPANSION", "MIN_EXPANSION_BUDGET", "MIN_TEXT_BUDGET", "read_error",
           "line_column"]

MAX_DEPTH = 64
TOO_DEEP = f"nesting is over {MAX_DEPTH} levels deep: flatten the file"
MAX_EXPANSION = 10  # aliases may at most multiply the node count by this factor...
MIN_EXPANSION_BUDGET = 1_000_000  # ...or reach this many nodes, whichever is larger
MIN_TEXT_BUDGET = 10_000_000  # likewise for the characters of text, against the file's length


def read_error(file: str, message: str, line: int = 0, column: int = 0, path: str = "") -> ModelError:
    """The error of a text that cannot be read as a model, located where it can be (0: unknown)."""
    return ModelError([Diagnostic(file, line, column, path, message)])


def line_column(text: str, position: int) -> tuple[int, int]:
    r"""1-based line and column of a character offset in ``text``.

    >>> line_column("ab\ncd", 4)
    (2, 2)
    """
    return text.count("\n", 0, position) + 1, position - text.rfind("\n", 0, position)
