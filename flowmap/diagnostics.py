"""Diagnostics: one problem in a model file, located by line, column and field path.

>>> d = Diagnostic("eu.yaml", 57, 11, "flows[3].to", "unknown system 'europoll' (did you mean 'europol'?)")
>>> d.format()
"eu.yaml:57:11: flows[3].to: unknown system 'europoll' (did you mean 'europol'?)"
>>> format_path(("flows", 3, "to"))
'flows[3].to'
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Iterable

__all__ = ["Diagnostic", "format_path", "did_you_mean"]


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
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        label = "warning: " if self.severity == "warning" else ""
        place = f" {self.path}:" if self.path else ""
        return f"{where}:{place} {label}{self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def format_path(path: Iterable[str | int]) -> str:
    """Render a location tuple as ``systems[2].controls.redress``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` suffix when a close match exists, else ``""``.

    >>> did_you_mean("europoll", ["europol", "eurodac"])
    " (did you mean 'europol'?)"
    """
    match = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.75)
    return f" (did you mean '{match[0]}'?)" if match else ""
