"""Limits on what an .xlsx workbook may unpack to, checked before openpyxl reads it.

An .xlsx file is a zip of XML: a few megabytes can unpack to gigabytes of sheet, and openpyxl
(through pandas) holds every cell as a Python object. So the declared sizes of the zip's
members are summed first (Python's zipfile never inflates a member past its declared size),
then each worksheet's XML is streamed once to count its cells and find its last row.

>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("xl/worksheets/sheet1.xml", '<row r="3"><c r="A3"><v>1</v></c><c r="B3"/></row>')
>>> too_large(buffer)

"""

from __future__ import annotations

import re
import zipfile
from typing import IO

__all__ = ["too_large", "formulas", "MAX_UNPACKED", "MAX_CELLS", "MAX_ROWS"]

MAX_UNPACKED = 256 * 2**20  # bytes of XML the workbook may unpack to
MAX_CELLS = 2_000_000  # cells written in all its sheets (about 300 MB once read)
MAX_ROWS = 500_000  # the last row number of a sheet (empty rows before it are read too)
_CHUNK = 1 << 20
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")


def too_large(source: str | IO[bytes]) -> str | None:
    """What makes the workbook ``source`` too large to read (a message), else ``None``.
    A file that is no zip is left for openpyxl to refuse."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        return None
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED:
            return (f"the workbook unpacks to {unpacked // 2**20:,} MiB, over the {MAX_UNPACKED // 2**20} MiB "
                    "limit: split it, or save its sheets as CSV")
        cells = 0
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                sheet_cells, last_row = _count(archive, info)
                cells += sheet_cells
                if cells > MAX_CELLS:
                    return f"the workbook has over {MAX_CELLS:,} cells: split it, or save its sheets as CSV"
                if last_row > MAX_ROWS:
                    return (f"a sheet reaches row {last_row:,}, over the {MAX_ROWS:,} rows a sheet may have: "
                            "remove the empty rows, or split it")
    return None


def _count(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Cells and the last row number in one worksheet's XML, read a chunk at a time."""
    cells = last_row = 0
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")  # the last tag may be cut off: it goes with the next chunk
            whole, tail = (data[:cut], data[cut:]) if cut != -1 else (data, b"")
            cells += len(_CELL.findall(whole))
            last_row = max([last_row, *map(int, _ROW.findall(whole))])
            if cells > MAX_CELLS or last_row > MAX_ROWS:
                return cells, last_row
    return cells + len(_CELL.findall(tail)), max([last_row, *map(int, _ROW.findall(tail))])


def formulas(path: str) -> dict[str, list[tuple[int, int, str]]]:
    """Sheet name -> (row, column, formula) of every formula cell, read by openpyxl only when a
    sheet's XML holds a formula tag (the values are read separately, from the saved results)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if not any(_has_formula(archive, info) for info in archive.infolist()
                       if info.filename.startswith("xl/worksheets/")):
                return {}
    except (zipfile.BadZipFile, OSError):
        return {}
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        found: dict[str, list[tuple[int, int, str]]] = {}
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            for row in sheet.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        found.setdefault(sheet.title, []).append((cell.row, cell.column, str(cell.value)))
        return found
    finally:
        book.close()


def _has_formula(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False
