"""Spreadsheet cells that cannot become formulas (OWASP "CSV injection"), and the exact way back.

Excel and LibreOffice evaluate a cell that starts with ``=``, ``+``, ``-``,
``@``, tab or carriage return as a formula, so model text such as
``=HYPERLINK("http://evil","click")`` would run when a DPO opens the file.
Every cell flowmap writes from model text (``analyze --format csv``,
``export --to csv|xlsx``) goes through :func:`guard_cell`, which puts a single
quote in front of such text; spreadsheet programs show it as text.

The escaping is unambiguous, so ``flowmap import`` restores the exact text:

- written with a leading ``'``: text starting with a trigger (``= + - @`` tab CR),
  and text starting with ``'`` followed by a trigger or another ``'``
  (``'=x`` is written ``''=x``);
- read back (:func:`unguard_cell`): one leading ``'`` is dropped exactly when the
  next character is a trigger or ``'``.

Any other text, including text starting with ``'`` before another character
(``'s-Hertogenbosch``), is written and read unchanged.

A carriage return inside a cell needs one more step (:func:`csv_text`): the csv
module leaves it unquoted, and readers end the row there, so the rest of the
cell would start a new row, unguarded.

>>> [guard_cell(t) for t in ["=1+1", "-5 km", "@handle", "'=x", "''", "'s-Hertogenbosch", "a=b", ""]]
["'=1+1", "'-5 km", "'@handle", "''=x", "'''", "'s-Hertogenbosch", 'a=b', '']
>>> texts = ["=1+1", "+cmd|' /C calc'!A0", "\\tx", "\\rx", "'", "'=x", "''=x", "'-", "'s", "x"]
>>> all(unguard_cell(guard_cell(t)) == t for t in texts)
True
>>> unguard_cell("'=typed by hand"), unguard_cell("'Quoted")
('=typed by hand', "'Quoted")
"""

from __future__ import annotations

from typing import Any

__all__ = ["TRIGGERS", "guard_cell", "unguard_cell", "csv_text"]

QUOTE = "'"
TRIGGERS = frozenset("=+-@\t\r")  # OWASP: a cell starting with one of these may be evaluated as a formula
_AFTER_QUOTE = TRIGGERS | {QUOTE}  # after a leading quote, these make the quote an escape


def guard_cell(text: str) -> str:
    """``text`` as a spreadsheet cell that is never a formula: a ``'`` in front when it starts with a trigger."""
    first = text[:1]
    if first in TRIGGERS or (first == QUOTE and text[1:2] in _AFTER_QUOTE):
        return QUOTE + text
    return text


def unguard_cell(cell: str) -> str:
    """The text :func:`guard_cell` was given: one leading ``'`` dropped when a trigger or ``'`` follows it."""
    if cell[:1] == QUOTE and cell[1:2] in _AFTER_QUOTE:
        return cell[1:]
    return cell


def csv_text(frame: Any) -> str:
    """A pandas frame as CSV (``\\n`` line ends); every field quoted when any holds a carriage return.

    >>> import pandas as pd
    >>> csv_text(pd.DataFrame([["a", "b"]], columns=["x", "y"]))
    'x,y\\na,b\\n'
    >>> csv_text(pd.DataFrame([["a\\r=1+1", "b"]], columns=["x", "y"]))
    '"x","y"\\n"a\\r=1+1","b"\\n'
    """
    import csv

    text = frame.to_csv(index=False, lineterminator="\n")
    if "\r" in text:  # rare: quote every field rather than let a bare \r split the row
        text = frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_ALL)
    return text
