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


def test_formulas_without_a_saved_value_are_named_per_cell(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "systems"
    sheet.append(["id", "sector", "name", "notes"])
    sheet.append(["a", "health", "=UPPER(\"x\")", "kept"])
    sheet.append(["b", "health", "plain", "=1+1"])
    flows = book.create_sheet("flows")
    flows.append(["from", "to", "data", "purpose"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert _messages(path) == [
        f"{path}[systems]:row 2: name: a formula ('=UPPER(\"x\")') without a saved value: open the workbook in a "
        "spreadsheet program and save it (that stores the value), or type the value in",
        f"{path}[systems]:row 3: notes: a formula ('=1+1') without a saved value: open the workbook in a "
        "spreadsheet program and save it (that stores the value), or type the value in",
    ]


def test_a_formula_with_its_saved_value_imports_the_value(tmp_path):
    book = tmp_path / "saved.xlsx"
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2" t="str"><f>LOWER("HEALTH")</f><v>health</v></c></row>'
    book.write_bytes(_with_sheet(_header_row() + row))
    assert import_model(book).model.systems[0].sector == "health"


def test_export_says_which_cells_import_would_trim(tmp_path):
    from click.testing import CliRunner

    from flowmap.cli import main

    model = tmp_path / "m.yaml"
    model.write_text(
        "flowmap: 1\nname: x\nsystems:\n  - id: a\n    sector: police\n    jurisdiction: ' DE'\n"
        "    legal_basis: [' act', rule]\n    notes: '  '\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["export", str(model), "--to", "xlsx", "-o", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning")]
    assert warnings == [
        f"warning: {model}: systems row 2: jurisdiction: ' DE' is read back as 'DE'",
        f"warning: {model}: systems row 2: legal_basis: ' act; rule' is read back as 'act; rule'",
    ]
    assert import_model(tmp_path / "m.xlsx").model.systems[0].notes == "  "
