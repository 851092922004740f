"""Spreadsheet tables -> a validated :class:`~flowmap.model.Model`, every problem located by sheet, row and column.

Cells are decoded here (formula guard removed, lists, booleans, nested columns); everything the model
format checks (ids, references, taxonomy terms, durations) is left to
:func:`flowmap.validate.build_model`, whose diagnostic paths
(``systems[5].holds[0]``) are mapped back to the row and column they came from.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "systems.csv").write_text("id,sector,holds\\nclinic,health,special.helth\\n")
>>> _ = (folder / "flows.csv").write_text("from,to,data,purpose\\n")
>>> try:
...     import_model(folder / "systems.csv", folder / "flows.csv", name="demo")
... except ModelError as err:
...     print(str(err).replace(str(folder), "DIR"))
DIR/systems.csv:row 2: holds: unknown category 'special.helth' (did you mean 'special.health'?): \
use a category of `flowmap taxonomy` or declare it under `taxonomy.categories`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowmap.diagnostics import did_you_mean, shown
from flowmap.errors import ModelError, UsageError
from flowmap.model import Model
from flowmap.render.cells import unguard_cell
from flowmap.spreadsheet.columns import (
    ACCEPTED, COMPANIONS, FLOWS, INCIDENTS, MODEL, MODEL_FIELDS, SOURCES, SYSTEMS, TAXONOMY, split_further,
    split_mapping,
    FREE_TEXT, Table, TRUE_WORDS, FALSE_WORDS, parse_bool, split_list,
)
from flowmap.spreadsheet.read import Sheet, SheetDiagnostic, Workbooks, relocate
from flowmap.taxonomy import SECTIONS
from flowmap.validate import build_model

__all__ = ["Imported", "import_model"]

_BOOL_WORDS = "/".join(TRUE_WORDS + FALSE_WORDS)


@dataclass
class Imported:
    """The model built from the tables, the tables read (labels) and located warnings."""

    model: Model
    tables: list[str]
    warnings: list[SheetDiagnostic] = field(default_factory=list)


@dataclass
class _Where:
    sheet: Sheet
    row: int

    def at(self, column: str, message: str, severity: str = "error") -> SheetDiagnostic:
        number = self.sheet.header.index(column) + 1 if column in self.sheet.header else 0
        return SheetDiagnostic(self.sheet.label, self.row, number, column, message, severity)


@dataclass
class _Builder:
    problems: list[SheetDiagnostic] = field(default_factory=list)
    structural: bool = False  # a table's header is unusable or there are no systems: model checks would be noise
    origins: dict[tuple, _Where] = field(default_factory=dict)  # (table, key...) -> row it came from

    def check_header(self, sheet: Sheet, table: Table) -> bool:
        ok = True
        seen: set[str] = set()
        for number, name in enumerate(sheet.header, 1):
            if name in seen:
                self.problems.append(SheetDiagnostic(sheet.label, 1, number, "", f"column {shown(name)} appears twice"))
                ok = False
            seen.add(name)
            if name not in table.names:
                hint = did_you_mean(name, table.names) or f" (columns: {', '.join(table.names)})"
                self.problems.append(SheetDiagnostic(sheet.label, 1, number, "", f"unknown column {shown(name)}{hint}"))
                ok = False
        for column in table.columns:
            if column.required and column.name not in sheet.header:
                self.problems.append(
                    SheetDiagnostic(sheet.label, 1, 0, "", f"missing required column {shown(column.name)}: add it")
                )
                ok = False
        self.structural = self.structural or not ok
        return ok

    def element(self, sheet: Sheet, table: Table, number: int, record: dict[str, str]) -> dict[str, Any]:
        """One row decoded into model data (empty cells omitted); cell errors recorded."""
        where = _Where(sheet, number)
        out: dict[str, Any] = {}
        for column in table.columns:
            cell = record.get(column.name, "")
            if column.name not in FREE_TEXT:
                cell = cell.strip()
            cell = unguard_cell(cell)  # the export's "'=1+1" is the text "=1+1"
            if not (cell if column.name in FREE_TEXT else cell.strip()):  # free text is kept, spaces too
                if column.required:
                    self.problems.append(where.at(column.name, "required: this cell must not be empty"))
                continue
            if column.kind == "list":
                value: Any = split_list(cell)
            elif column.kind == "forwards":
                value = cell.strip() if cell.strip() in ("all", "own") else split_list(cell)
            elif column.kind == "further":
                value = split_further(cell)
                if value is None:
                    self.problems.append(where.at(column.name, f"{shown(cell)} is not a list of further purposes: "
                                                  "write `purpose: provision | provision; purpose: provision`"))
                    continue
            elif column.kind in ("mapping", "ages"):
                value = split_mapping(cell, ages=column.kind == "ages")
                if value is None:
                    example = "biometric.fingerprint: 6; child: 6" if column.kind == "ages" else "irregular_migrant: P5Y"
                    self.problems.append(where.at(column.name, f"{shown(cell)} is not a list of `key: value` items: "
                                                  f"write `{example}`"))
                    continue
            elif column.kind in ("bool", "tristate"):
                value = parse_bool(cell)
                if value is None:
                    self.problems.append(where.at(column.name, f"{shown(cell)} is not a boolean: use {_BOOL_WORDS}"
                                                  + (" (or leave it empty for unknown)" if column.kind == "tristate"
                                                     else "")))
                    continue
            else:
                value = cell
            head, dot, sub = column.name.partition(".")
            if dot:
                out.setdefault(head, {})[sub] = value
            else:
                out[column.name] = value
        return out

    def rows(self, sheet: Sheet | None, table: Table) -> list[tuple[_Where, dict[str, Any]]]:
        if sheet is None or not self.check_header(sheet, table):
            return []
        return [(_Where(sheet, n), self.element(sheet, table, n, r)) for n, r in sheet.records()]


def _companions(books: Workbooks, systems: Path, sources: Path | None) -> dict[str, Sheet]:
    """Companion tables: sheets of the systems workbook, or ``<prefix><table>.csv`` beside ``<prefix>systems.csv``."""
    found: dict[str, Path] = {}
    names = books.sheet_names(systems)
    for table in COMPANIONS:
        if names:
            if table.name in names:
                found[table.name] = systems
        elif systems.stem.endswith(SYSTEMS.name):
            candidate = systems.with_name(systems.stem[: -len(SYSTEMS.name)] + table.name + systems.suffix)
            if candidate.is_file():
                found[table.name] = candidate
    if sources is not None:
        found[SOURCES.name] = Path(sources)
    return {name: books.read(path, name) for name, path in found.items()}


def import_model(
    systems: str | Path,
    flows: str | Path | None = None,
    *,
    sources: str | Path | None = None,
    name: str | None = None,
) -> Imported:
    """Build and validate a model from a systems table and a flows table (CSV or XLSX).

    ``flows`` may be omitted when ``systems`` is a workbook with a ``flows`` sheet.
    Raises :class:`ModelError` (diagnostics located by sheet, row and column) on any error.
    """
    books = Workbooks()
    systems = Path(systems)
    system_sheet = books.read(systems, SYSTEMS.name)
    if flows is None:
        if FLOWS.name not in books.sheet_names(systems):
            raise UsageError(f"{systems}: give the flows table too (or a workbook with a 'flows' sheet)")
        flows = systems
    flow_sheet = books.read(Path(flows), FLOWS.name)
    extra = _companions(books, systems, sources)
    builder = _Builder()
    data, origins = _assemble(builder, system_sheet, flow_sheet, extra, name or "")
    if not data.get("name"):
        data["name"] = re.sub(r"[-_ ]*systems$", "", systems.stem) or systems.stem
    diagnostics = list(builder.problems)
    if builder.structural:
        raise ModelError(diagnostics)
    model = None
    try:
        model = build_model(data, str(systems))
        found = model.warnings
    except ModelError as err:
        found = err.diagnostics
    taken = {(d.file, d.line, d.path) for d in diagnostics}
    for diagnostic in found:
        located = _locate(diagnostic, origins, system_sheet)
        if (located.file, located.line, located.path) not in taken:
            diagnostics.append(located)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors or model is None:
        raise ModelError(errors)
    labels = [system_sheet.label, flow_sheet.label, *(extra[t].label for t in sorted(extra))]
    return Imported(model, labels, sorted(d for d in diagnostics if d.severity == "warning"))


def _assemble(builder: _Builder, systems: Sheet, flows: Sheet, extra: dict[str, Sheet], name: str):
    origins = builder.origins
    data: dict[str, Any] = {"flowmap": 1, "name": name}
    system_rows = builder.rows(systems, SYSTEMS)
    if not systems.records() and systems.header:
        builder.problems.append(SheetDiagnostic(systems.label, 0, 0, "", "no systems: add one row per system"))
        builder.structural = True
    flow_rows = builder.rows(flows, FLOWS)
    for where, element in builder.rows(extra.get(MODEL.name), MODEL):
        key = element.get("field", "")
        if key not in MODEL_FIELDS:
            builder.problems.append(where.at("field", f"unknown field {shown(key)}{did_you_mean(key, MODEL_FIELDS)}"
                                             f": use one of {', '.join(MODEL_FIELDS)}"))
        elif "value" in element and not (key == "name" and name):
            data[key] = element["value"]
            origins[(key,)] = where
    sources: dict[str, str] = {}
    for where, element in builder.rows(extra.get(SOURCES.name), SOURCES):
        key = element.get("key", "")
        if key in sources:
            builder.problems.append(where.at("key", f"source key {shown(key)} appears twice"))
        sources[key] = element.get("citation", "")
        origins[("sources", key)] = where
    if sources:
        data["sources"] = sources
    taxonomy = _taxonomy(builder, extra.get(TAXONOMY.name))
    if taxonomy:
        data["taxonomy"] = taxonomy
    data["systems"] = [element for _, element in system_rows]
    data["flows"] = [element for _, element in flow_rows]
    for number, (where, _) in enumerate(system_rows):
        origins[("systems", number)] = where
    for number, (where, _) in enumerate(flow_rows):
        origins[("flows", number)] = where
    _incidents(builder, extra.get(INCIDENTS.name), data)
    accepted = builder.rows(extra.get(ACCEPTED.name), ACCEPTED)
    if accepted:
        data["accepted"] = [element for _, element in accepted]
        for number, (where, _) in enumerate(accepted):
            origins[("accepted", number)] = where
    return data, origins


def _taxonomy(builder: _Builder, sheet: Sheet | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for where, element in builder.rows(sheet, TAXONOMY):
        section, names = element.pop("section", ""), element.pop("name", [])
        if section in ("compatible", "incompatible"):
            if len(names) != 2:
                builder.problems.append(where.at("name", f"a{'n' if section[0] == 'i' else ''} {section} pair needs "
                                                 "two purposes: 'a; b'"))
                continue
            builder.origins[("taxonomy", section, len(out.setdefault(section, [])))] = where
            out[section].append(names)
        elif section in SECTIONS:
            if len(names) != 1:
                builder.problems.append(where.at("name", "give one name per row"))
                continue
            out.setdefault(section, {})[names[0]] = element
            builder.origins[("taxonomy", section, names[0])] = where
        else:
            choices = (*SECTIONS, "compatible", "incompatible")
            builder.problems.append(where.at("section", f"unknown section {shown(section)}{did_you_mean(section, choices)}"
                                             f": use one of {', '.join(choices)}"))
    return out


def _incidents(builder: _Builder, sheet: Sheet | None, data: dict[str, Any]) -> None:
    """Attach incident rows to the system or flow they name."""
    index = {
        "system": {e.get("id"): (n, e) for n, e in reversed(list(enumerate(data["systems"])))},
        "flow": {e.get("id") or f"{e.get('from')}->{e.get('to')}": (n, e)
                 for n, e in reversed(list(enumerate(data["flows"])))},
    }
    for where, element in builder.rows(sheet, INCIDENTS):
        named = [kind for kind in ("system", "flow") if element.get(kind)]
        if len(named) != 1:
            builder.problems.append(where.at("system", "name either a system or a flow (exactly one)"))
            continue
        kind = named[0]
        target = element.pop(kind)
        element.pop("system" if kind == "flow" else "flow", None)
        if target not in index[kind]:
            builder.problems.append(where.at(kind, f"unknown {kind} {shown(target)}{did_you_mean(target, index[kind])}"))
            continue
        number, owner = index[kind][target]
        incidents = owner.setdefault("incidents", [])
        builder.origins[(kind + "s", number, "incidents", len(incidents))] = where
        incidents.append(element)


_ELEMENT = re.compile(r"^(systems|flows|accepted)\[(\d+)\](?:\.([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?)?")


def _locate(diagnostic, origins: dict[tuple, _Where], systems: Sheet) -> SheetDiagnostic:
    """Map a model diagnostic path (``systems[5].holds[0]``) to the sheet row and column it came from."""
    path = diagnostic.path
    match = _ELEMENT.match(path)
    if match:
        table, number, name, sub_index, sub = match.groups()
        key: tuple = (table, int(number))
        if name == "incidents" and sub_index is not None and (key + ("incidents", int(sub_index))) in origins:
            return _moved(diagnostic, origins[key + ("incidents", int(sub_index))], sub or "")
        column = f"{name}.{sub}" if name in ("controls", "transport") and sub else (name or "")
        if key in origins:
            return _moved(diagnostic, origins[key], column)
    for key, where in origins.items():
        if key[0] == "taxonomy" and (path == f"taxonomy.{key[1]}.{key[2]}"
                                     or path.startswith(f"taxonomy.{key[1]}[{key[2]}]")):
            return _moved(diagnostic, where, "name")
    if (path,) in origins:
        return _moved(diagnostic, origins[(path,)], "value")
    return relocate(diagnostic, file=systems.label, line=0, column=0)


def _moved(diagnostic, where: _Where, column: str) -> SheetDiagnostic:
    located = where.at(column, diagnostic.message, diagnostic.severity)
    return relocate(diagnostic, file=located.file, line=located.line, column=located.column, path=located.path)
