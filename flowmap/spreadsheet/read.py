"""Reading CSV files and XLSX sheets into plain rows of text cells, with spreadsheet row numbers.

Row numbers are the ones a spreadsheet program shows: the header is row 1, the
first data row is row 2. Cells come back as stripped text whatever the file
stored (numbers, dates and booleans in a workbook included), so the model
builder sees one kind of value. Problems are :class:`SheetDiagnostic` lines
naming the file (and sheet), row and column.

>>> SheetDiagnostic("systems.csv", 7, 3, "holds", "unknown category 'x'").format()
"systems.csv:row 7: holds: unknown category 'x'"
>>> sheet_label("book.xlsx", "flows")
'book.xlsx[flows]'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flowmap.diagnostics import Diagnostic, shown
from flowmap.errors import ModelError
from flowmap.spreadsheet.bounds import formulas, too_large

__all__ = ["Sheet", "SheetDiagnostic", "Workbooks", "sheet_label", "SUFFIXES"]

SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True, order=True)
class SheetDiagnostic(Diagnostic):
    """A diagnostic located by spreadsheet row (``line``) and column number; ``path`` is the column name."""

    def format(self) -> str:
        where = self.file + (f":row {self.line}" if self.line else "")
        label = "warning: " if self.severity == "warning" else ""
        place = f" {self.path}:" if self.path else ""
        return f"{where}:{place} {label}{self.message}"


def sheet_label(path: str, sheet: str | None) -> str:
    """How messages name a table: the CSV file, or ``book.xlsx[sheet]``."""
    return f"{path}[{sheet}]" if sheet else path


@dataclass
class Sheet:
    """One table as read: its label, header and data rows (spreadsheet row number, cells)."""

    label: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Rows as column -> cell, skipping rows whose cells are all empty."""
        out = []
        for number, cells in self.rows:
            if any(c.strip() for c in cells):
                out.append((number, {name: cells[i] if i < len(cells) else "" for i, name in enumerate(self.header)}))
        return out


def _text(value: Any) -> str:
    """A cell as text (not stripped: free text keeps its exact form): empty for missing, whole floats without ``.0``, dates as ISO dates."""
    if type(value) is str:
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _fail(label: str, message: str) -> ModelError:
    return ModelError([SheetDiagnostic(label, 0, 0, "", message)])


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_unescape(text: str) -> str:
    """A workbook's text with Excel's ``_xHHHH_`` escapes (``_x000D_``, a carriage return) undone,
    which openpyxl leaves in.

    >>> ooxml_unescape("a_x000D_b _x005F_x000D_")
    'a\\rb _x000D_'
    """
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _sheet_from_frame(label: str, frame: pd.DataFrame, workbook: bool = False) -> Sheet:
    rows = [[_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    if workbook:
        rows = [[ooxml_unescape(cell) for cell in row] for row in rows]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows or not any(c.strip() for c in rows[0]):
        raise _fail(label, "empty sheet: put the column names in the first row (see examples/spreadsheet/)")
    header = [c.strip() for c in rows[0]]
    while header and not header[-1]:
        header = header[:-1]
    return Sheet(label, header, [(number + 2, cells) for number, cells in enumerate(rows[1:])])


class Workbooks:
    """Reads each file once (a workbook may serve as the systems, flows and companion tables)."""

    def __init__(self) -> None:
        self._books: dict[str, dict[str, pd.DataFrame]] = {}
        self._formulas: dict[str, dict[str, list[tuple[int, int, str]]]] = {}

    @staticmethod
    def _check(path: Path) -> None:
        if path.suffix.lower() not in SUFFIXES:
            raise _fail(str(path), "unsupported file type: use a .csv file or an .xlsx workbook")
        if not path.exists():
            raise _fail(str(path), "cannot read: no such file")
        if path.is_dir():
            raise _fail(str(path), "cannot read: it is a folder, not a file")

    def _book(self, path: Path) -> dict[str, pd.DataFrame]:
        key = str(path)
        if key not in self._books:
            problem = too_large(path)
            if problem:
                raise _fail(key, f"cannot read: {problem}")
            self._formulas[key] = formulas(path)
            try:
                self._books[key] = pd.read_excel(
                    path, sheet_name=None, header=None, dtype=object, engine="openpyxl", na_filter=False,
                )  # na_filter off: text such as "NA", "null" or "N/A" is kept, not read as empty
            except Exception as exc:  # openpyxl/zipfile raise many types for a damaged or foreign file
                detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise _fail(key, f"cannot read: not a readable .xlsx workbook ({detail})") from None
        return self._books[key]

    def sheet_names(self, path: Path) -> list[str]:
        return list(self._book(path)) if path.suffix.lower() == ".xlsx" else []

    def read(self, path: Path, preferred: str | None = None) -> Sheet:
        """The table in ``path``: a CSV file, or the sheet ``preferred`` of a workbook (else its first sheet)."""
        path = Path(path)
        self._check(path)
        if path.suffix.lower() == ".csv":
            return self._read_csv(path)
        book = self._book(path)
        name = preferred if preferred in book else next(iter(book))
        label = sheet_label(str(path), name)
        sheet = _sheet_from_frame(label, book[name], workbook=True)
        unsaved = [
            SheetDiagnostic(label, row, column, _column_name(sheet, column),
                            f"a formula ({shown(formula)}) without a saved value: open the workbook in a spreadsheet "
                            "program and save it (that stores the value), or type the value in")
            for row, column, formula in self._formulas.get(str(path), {}).get(name, [])
            if _cell(book[name], row, column) == ""
        ]
        if unsaved:
            raise ModelError(unsaved)
        return sheet

    @staticmethod
    def _read_csv(path: Path) -> Sheet:
        label = str(path)
        try:
            frame = pd.read_csv(
                path, header=None, dtype=str, keep_default_na=False, na_filter=False,
                skip_blank_lines=False, encoding="utf-8-sig",
            )
        except pd.errors.EmptyDataError:
            raise _fail(label, "empty sheet: put the column names in the first row (see examples/spreadsheet/)")
        except UnicodeDecodeError:
            raise _fail(label, "cannot read: not UTF-8 text (save it as 'CSV UTF-8')") from None
        except pd.errors.ParserError as exc:
            raise _fail(label, f"cannot read: {str(exc).strip()}") from None
        except OSError as exc:
            raise _fail(label, f"cannot read ({exc.strerror})") from None
        return _sheet_from_frame(label, frame)


def _cell(frame: pd.DataFrame, row: int, column: int) -> str:
    """The text of the cell at spreadsheet ``row`` and ``column`` (1-based) of ``frame``; "" outside it."""
    if row > len(frame.index) or column > len(frame.columns):
        return ""
    return _text(frame.iat[row - 1, column - 1])


def _column_name(sheet: Sheet, column: int) -> str:
    return sheet.header[column - 1] if column <= len(sheet.header) else ""


def relocate(diagnostic: Diagnostic, **changes: Any) -> SheetDiagnostic:
    """A model diagnostic moved onto a sheet location."""
    fields = {f.name: getattr(diagnostic, f.name) for f in dataclasses.fields(Diagnostic)}
    fields.update(changes)
    return SheetDiagnostic(**fields)
