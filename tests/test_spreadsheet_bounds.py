"""A workbook that would unpack to too much is refused before openpyxl reads it."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import build

from flowmap.errors import ModelError
from flowmap.spreadsheet import bounds, import_model, xlsx_bytes


def _with_sheet(xml: bytes) -> bytes:
    """A workbook exported by flowmap whose first sheet is replaced by ``xml``."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(build([{"id": "a", "sector": "health"}]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, rest = data.partition(b"<sheetData>")
                data = head + b"<sheetData>" + xml + b"</sheetData>" + rest.partition(b"</sheetData>")[2]
            target.writestr(info.filename, data)
    return out.getvalue()


def _header_row() -> bytes:
    return b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>sector</t></is></c></row>'


def _messages(path) -> list[str]:
    with pytest.raises(ModelError) as caught:
        import_model(path)
    return [d.format() for d in caught.value.diagnostics]


def test_a_sheet_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_UNPACKED", 2**20)
    book = tmp_path / "bomb.xlsx"
    padding = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 2**21 + b"</t></is></c></row>"
    book.write_bytes(_with_sheet(_header_row() + padding))
    assert book.stat().st_size < 100_000
    assert _messages(book) == [
        f"{book}: cannot read: the workbook unpacks to 2 MiB, over the 1 MiB limit: split it, or save its sheets as CSV"
    ]


def test_too_many_cells_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_CELLS", 1000)
    book = tmp_path / "cells.xlsx"
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"/></row>' % (n, n, n) for n in range(2, 800))
    book.write_bytes(_with_sheet(_header_row() + rows))
    assert _messages(book) == [f"{book}: cannot read: the workbook has over 1,000 cells: split it, or save its sheets as CSV"]


def test_a_far_row_is_refused(tmp_path):
    book = tmp_path / "far.xlsx"
    book.write_bytes(_with_sheet(_header_row() + b'<row r="600000"><c r="A600000"><v>1</v></c></row>'))
    assert _messages(book) == [
        f"{book}: cannot read: a sheet reaches row 600,000, over the 500,000 rows a sheet may have: "
        "remove the empty rows, or split it"
    ]
