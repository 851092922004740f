"""Model -> spreadsheet tables -> CSV files or one XLSX workbook (the shape ``flowmap import`` reads).

Every table is always written, with its header even when it has no rows, so a
new export never leaves a stale companion file from an older one. Output is
deterministic: same model, same bytes (the workbook's timestamps are pinned).
Every cell is guarded against formula injection
(:func:`~flowmap.render.cells.guard_cell`: ``=1+1`` is written ``'=1+1``), and
``flowmap import`` removes the guard, so the round trip is exact.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "a", "sector": "asylum", "holds": ["identity"], "controls": {"redress": False}}]})
>>> row = model_tables(m)["systems"][0]
>>> row["holds"], row["controls.redress"], row["controls.access_logging"]
('identity', 'false', '')
>>> model_tables(Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "a", "sector": "asylum", "name": "=1+1"}]}))["systems"][0]["name"]
"'=1+1"
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pandas as pd

from flowmap.model import Incident, Model
from flowmap.diagnostics import shown
from flowmap.render.cells import csv_text, guard_cell, unguard_cell
from flowmap.spreadsheet.columns import (
    ACCEPTED,
    FLOWS,
    INCIDENTS,
    join_further,
    join_mapping,
    MODEL,
    MODEL_FIELDS,
    SOURCES,
    SYSTEMS,
    TABLES,
    FREE_TEXT,
    TAXONOMY,
    Table,
    format_bool,
    join_list,
    split_list,
)
from flowmap.taxonomy import SECTIONS

__all__ = ["model_tables", "csv_files", "xlsx_bytes", "model_yaml", "import_changes"]

_PINNED = (1980, 1, 1, 0, 0, 0)  # zip entry timestamp: the earliest a zip can hold


def _cell(value: Any, kind: str) -> str:
    if kind in ("bool", "tristate"):
        return format_bool(value)
    if kind == "forwards":  # all (the default) is an empty cell
        return "" if value in (None, "all") else value if isinstance(value, str) else join_list(value)
    if kind == "further":
        return join_further(value or [])
    if kind in ("mapping", "ages"):
        return join_mapping(value or {})
    if kind == "list":
        return join_list([str(v) for v in value or []])
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _row(table: Table, data: dict[str, Any]) -> dict[str, str]:
    return {c.name: guard_cell(_cell(data.get(c.name), c.kind)) for c in table.columns}


MAPPINGS = ("min_age", "retention_by_subject")
"""Fields whose value is a mapping written in one cell, not nested columns."""


def _flat(element: Any) -> dict[str, Any]:
    """Field values by column name, nested objects flattened (``controls.redress``)."""
    data = element.model_dump(by_alias=True)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key not in MAPPINGS:
            out.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            out[key] = value
    return out


def _incident_row(incident: Incident, system: str = "", flow: str = "") -> dict[str, str]:
    return _row(INCIDENTS, {"system": system, "flow": flow, **incident.model_dump()})


def model_tables(model: Model) -> dict[str, list[dict[str, str]]]:
    """Every table of the spreadsheet shape as rows of cells (text, guarded against formulas), in model order."""
    systems = [_row(SYSTEMS, _flat(s)) for s in model.systems]
    flows = []
    for flow in model.flows:
        row = _row(FLOWS, _flat(flow))
        if not flow.explicit_id:
            row["id"] = ""  # the default "<from>-><to>" is implied
        flows.append(row)
    incidents = [_incident_row(i, system=s.id) for s in model.systems for i in s.incidents]
    incidents += [_incident_row(i, flow=f.id) for f in model.flows for i in f.incidents]
    meta = [_row(MODEL, {"field": name, "value": getattr(model, name)}) for name in MODEL_FIELDS]
    taxonomy = []
    for section in SECTIONS:
        for name, entry in getattr(model.taxonomy, section).items():
            fields = {k: v for k, v in entry.model_dump().items() if v not in (False, "", None)
                      and not (k == "personal" and v is True)}  # personal: only its non-default false
            if entry.model_dump().get("personal") is False:
                fields["personal"] = False
            taxonomy.append(_row(TAXONOMY, {"section": section, "name": [name], **fields}))
    for section in ("compatible", "incompatible"):
        for pair in getattr(model.taxonomy, section):
            taxonomy.append(_row(TAXONOMY, {"section": section, "name": list(pair)}))
    return {
        SYSTEMS.name: systems,
        FLOWS.name: flows,
        SOURCES.name: [_row(SOURCES, {"key": k, "citation": v}) for k, v in model.sources.items()],
        MODEL.name: [row for row in meta if row["value"]],
        TAXONOMY.name: taxonomy,
        INCIDENTS.name: incidents,
        ACCEPTED.name: [_row(ACCEPTED, a.model_dump()) for a in model.accepted],
    }


def import_changes(model: Model) -> list[str]:
    """One line per exported cell that `flowmap import` would not read back exactly: list items
    with spaces around them or empty ones, and spaces around a value that is not free text
    (both are trimmed on import). Everything else round-trips as it is.

    >>> from flowmap.validate import build_model
    >>> m = build_model({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "police",
    ...     "legal_basis": [" act ", "rule"]}]}, "m.yaml")
    >>> import_changes(m)
    ["systems row 2: legal_basis: ' act ; rule' is read back as 'act; rule'"]
    """
    changes = []
    tables = model_tables(model)
    for table in TABLES:
        for number, row in enumerate(tables[table.name], start=2):
            for column in table.columns:
                cell = unguard_cell(row[column.name])
                if column.kind == "list":
                    back = join_list(split_list(cell))
                elif column.name in FREE_TEXT or column.kind in ("bool", "tristate"):
                    continue
                else:
                    back = cell.strip()
                if back != cell:
                    read = shown(back) if back else "an empty cell (omitted)"
                    changes.append(f"{table.name} row {number}: {column.name}: {shown(cell)} is read back as {read}")
    return changes


def _frame(table: Table, rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=table.names, dtype=str)


def csv_files(model: Model) -> dict[str, bytes]:
    """File name -> CSV bytes (UTF-8, ``\\n`` line ends) for every table."""
    tables = model_tables(model)
    out = {}
    for table in TABLES:
        text = csv_text(_frame(table, tables[table.name]))
        out[f"{table.name}.csv"] = text.encode("utf-8")
    return out


def xlsx_bytes(model: Model) -> bytes:
    """One workbook with a sheet per table, every cell text, header row frozen, pinned timestamps.

    Written in openpyxl's streaming (write-only) mode: about twice as fast as building the
    sheets in memory, and empty cells are left out rather than stored as empty text.

    Cells carry the same ``'`` guard as CSV, although a text cell is not evaluated when the
    workbook is opened: editing such a cell (F2, Enter) would turn ``=...`` into a formula,
    and "Save as CSV" would write it bare; with the guard it stays text, and ``flowmap import``
    reads both formats by one rule. See :func:`_text_cell` for the cell type.
    """
    from openpyxl import Workbook

    tables = model_tables(model)
    book = Workbook(write_only=True)
    for table in TABLES:
        rows = tables[table.name]
        sheet = book.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        for number, column in enumerate(table.names):
            longest = max([len(column), *(len(r[column]) for r in rows)])
            sheet.column_dimensions[_letter(number)].width = min(max(longest + 2, 8), 60)
        sheet.append(table.names)
        for row in rows:
            sheet.append([_text_cell(sheet, row[name]) for name in table.names])
    book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    book.properties.creator = "flowmap"
    buffer = io.BytesIO()
    book.save(buffer)
    return _pin_zip(buffer.getvalue())


def _text_cell(sheet: Any, text: str) -> Any:
    """What to append for a cell: None when empty, else ``text`` stored as a text cell.

    openpyxl types a str by its content: ``=...`` becomes a formula and ``#N/A`` (an
    Excel error code) an error, both read back as empty. Those are written as cells
    typed text (``data_type`` "s"); guarded text never starts with ``=``, so this
    is a second line of defence for formulas and the fix for error codes.
    """
    if not text:
        return None
    text = ooxml_escape(text)
    if text[0] not in "=#":  # error codes start with '#'
        return text
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if text[0] == "=" or text in ERROR_CODES:
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"
        return cell
    return text


_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def ooxml_escape(text: str) -> str:
    """``text`` with a carriage return written ``_x000D_``, as Excel does (XML would read a raw
    one back as a line feed), and text that already looks like such an escape kept literal.

    >>> ooxml_escape("a\\r\\nb _x000D_")
    'a_x000D_\\nb _x005F_x000D_'
    """
    if "\r" not in text and "_x" not in text:
        return text
    return _LITERAL_ESCAPE.sub(r"_x005F_\1", text).replace("\r", "_x000D_")


def _letter(number: int) -> str:
    """Spreadsheet column letters: 0 -> A, 26 -> AA."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _pin_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp pinned, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=_PINNED)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content)
            target.writestr(pinned, content)
    return out.getvalue()


def model_yaml(model: Model) -> str:
    """The model as a YAML model file (format field order; defaults and implied flow ids left out).

    >>> from flowmap.model import Model
    >>> print(model_yaml(Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "asylum"}],
    ...     "flows": [{"from": "a", "to": "a", "data": ["identity"], "purpose": "migration"}]})), end="")
    flowmap: 1
    name: x
    systems:
    - id: a
      sector: asylum
    flows:
    - from: a
      to: a
      data:
      - identity
      purpose:
      - migration
    """
    import yaml

    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for flow, dumped in zip(model.flows, data.get("flows", [])):
        if not flow.explicit_id:
            dumped.pop("id", None)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: many times faster on large models
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
