"""Spreadsheet import and export: round-trips to the same canonical model, and every import error located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, build

from flowmap.analysis import canonical_model
from flowmap.cli import main
from flowmap.errors import ModelError
from flowmap.loader import load_model
from flowmap.spreadsheet import csv_files, import_model, xlsx_bytes

MODELS = sorted((ROOT / "models").glob("*.yaml"))
TEMPLATES = ROOT / "examples" / "spreadsheet"


def tricky_model():
    """Values that stress the cell encoding: ; and \\ inside list items, tri-states of each kind,
    explicit and implied flow ids, a bidirectional flow, incidents on a flow, every companion table."""
    return build(
        [
            {"id": "clinic", "name": "Clinic; ward \\ 7", "sector": "health", "holds": ["special.health"],
             "purposes": ["services.health"], "legal_basis": ["health act; art. 9", "back\\slash"],
             "controls": {"redress": False, "access_logging": True}, "retention": "P5Y",
             "notes": "  keeps spaces\nand a line break\n"},
            {"id": "police", "sector": "police", "actor": "law_enforcement", "kind": "authority",
             "tags": ["a", "b"], "sources": ["src-1"]},
        ],
        [
            {"from": "clinic", "to": "police", "data": ["special.health"], "purpose": ["enforcement.law"],
             "bidirectional": True, "transport": {"encrypted": False}, "human_review": True,
             "incidents": [{"date": "2020-01", "summary": "leak", "sources": ["src-1"]}]},
            {"id": "second-link", "from": "clinic", "to": "police", "data": ["special"], "purpose": "services.health",
             "automated_decision": True, "mode": "bulk"},
        ],
        sources={"src-1": "A report, 2020; page 4"},
        as_of="2024-06-01",
        description="line one\nline two",
        taxonomy={"categories": {"special.genetic_marker": {"sensitivity": "critical", "description": "d"}},
                  "subjects": {"detainee": {"vulnerable": True}},
                  "compatible": [["services.health", "enforcement.law"]]},
        accepted=[{"finding": "exposure:clinic:*", "status": "in_progress", "reason": "review", "by": "DPO",
                   "until": "2030-01-01"}],
    )


def write_csv(model, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in csv_files(model).items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_curated_models_round_trip_through_csv_and_xlsx(path, tmp_path):
    model = load_model(path)
    folder = write_csv(model, tmp_path / "csv")
    from_csv = import_model(folder / "systems.csv", folder / "flows.csv").model
    assert canonical_model(from_csv) == canonical_model(model)
    book = tmp_path / "model.xlsx"
    book.write_bytes(xlsx_bytes(model))
    assert canonical_model(import_model(book).model) == canonical_model(model)


def test_tricky_values_round_trip(tmp_path):
    model = tricky_model()
    folder = write_csv(model, tmp_path)
    imported = import_model(folder / "systems.csv", folder / "flows.csv").model
    assert canonical_model(imported) == canonical_model(model)
    assert imported.system("clinic").legal_basis == ["health act; art. 9", "back\\slash"]
    assert imported.system("clinic").notes == "  keeps spaces\nand a line break\n"
    book = tmp_path / "m.xlsx"
    book.write_bytes(xlsx_bytes(model))
    assert canonical_model(import_model(book, book).model) == canonical_model(model)


def test_cells_are_encoded_as_documented(tmp_path):
    files = csv_files(tricky_model())
    systems = pd.read_csv(pd.io.common.BytesIO(files["systems.csv"]), dtype=str, keep_default_na=False)
    clinic = systems.set_index("id").loc["clinic"]
    assert clinic["legal_basis"] == "health act\\; art. 9; back\\\\slash"
    assert (clinic["controls.redress"], clinic["controls.access_logging"], clinic["controls.human_review"]) == (
        "false", "true", "")
    flows = pd.read_csv(pd.io.common.BytesIO(files["flows.csv"]), dtype=str, keep_default_na=False)
    assert list(flows["id"]) == ["", "second-link"]  # the implied "<from>-><to>" id is left empty
    assert list(flows["transport.encrypted"]) == ["false", ""]


def test_exports_are_deterministic():
    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    assert xlsx_bytes(model) == xlsx_bytes(load_model(ROOT / "models" / "eu-interoperability.yaml"))
    assert csv_files(model) == csv_files(load_model(ROOT / "models" / "eu-interoperability.yaml"))


def test_templates_import_and_are_their_own_export(tmp_path):
    imported = import_model(TEMPLATES / "systems.csv", TEMPLATES / "flows.csv")
    assert imported.warnings == []
    assert [s.id for s in imported.model.systems] == [
        "asylum-registry", "reception-health", "police-afis", "return-unit", "cloud-host"]
    for name, data in csv_files(imported.model).items():
        assert (TEMPLATES / name).read_bytes() == data, name
    assert (TEMPLATES / "model.xlsx").read_bytes() == xlsx_bytes(imported.model)
    assert canonical_model(import_model(TEMPLATES / "model.xlsx").model) == canonical_model(imported.model)


# --- formula injection: text that a spreadsheet would run is written guarded, read back exact ----

# text -> the cell written for it. A leading = + - @ tab or CR makes Excel/LibreOffice evaluate a
# cell (OWASP "CSV injection"): a quote goes in front. A quote that is part of the text gets one
# more only when the next character would make it read as a guard; "NA" and "#N/A" are plain text.
CELLS = {
    '=HYPERLINK("http://evil","click")': '\'=HYPERLINK("http://evil","click")',
    "=1+1": "'=1+1",
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-5 km": "'-5 km",
    "@SUM(1+1)": "'@SUM(1+1)",
    "@handle": "'@handle",
    "\tTAB": "'\tTAB",
    "\rCR": "'\rCR",
    "'=quoted already": "''=quoted already",
    "''": "'''",
    "'": "'",
    "'s-Hertogenbosch": "'s-Hertogenbosch",
    "N/A": "N/A",
    "#N/A": "#N/A",
    "NA": "NA",
    "null": "null",
}
TEXTS = list(CELLS)


def formula_model(texts=TEXTS):
    """One system per text, as its name, operator and notes; more texts in every other kind of table."""
    systems = [{"id": f"s{n}", "sector": "health", "name": t, "operator": t, "notes": t} for n, t in enumerate(texts)]
    systems[0]["legal_basis"] = ["=1+1", "-5 km"]
    systems[0]["incidents"] = [{"summary": "@handle leaked it"}]
    flows = [{"from": "s0", "to": "s1", "data": ["identity"], "purpose": "services.health",
              "conditions": "-5 km", "notes": "=1+1"}]
    return build(systems, flows, sources={"src": "+cmd|' /C calc'!A0"}, description="=1+1",
                 accepted=[{"finding": "exposure:*", "reason": "@SUM(1+1)", "by": "-DPO"}])


def test_csv_export_quotes_formula_cells_and_imports_them_exactly(tmp_path):
    import csv
    import io

    model = formula_model()
    files = csv_files(model)
    with io.StringIO(files["systems.csv"].decode("utf-8"), newline="") as text:
        rows = list(csv.DictReader(text))
    assert len(rows) == len(TEXTS)  # no carriage return split a row
    for row, text in zip(rows, TEXTS):
        assert (row["name"], row["operator"], row["notes"]) == (CELLS[text],) * 3
    assert rows[0]["legal_basis"] == "'=1+1; -5 km"
    every_cell = [c for data in files.values() for r in csv.reader(io.StringIO(data.decode(), newline="")) for c in r]
    assert not [c for c in every_cell if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    folder = write_csv(model, tmp_path)
    imported = import_model(folder / "systems.csv", folder / "flows.csv").model
    assert [(s.name, s.operator, s.notes) for s in imported.systems] == [(t, t, t) for t in TEXTS]
    assert canonical_model(imported) == canonical_model(model)


def test_xlsx_export_stores_formula_cells_as_quoted_text_and_imports_them_exactly(tmp_path):
    from openpyxl import load_workbook

    texts = [t for t in TEXTS if "\r" not in t]  # see test_xlsx_keeps_a_carriage_return
    model = formula_model(texts)
    book = tmp_path / "m.xlsx"
    book.write_bytes(xlsx_bytes(model))
    workbook = load_workbook(book)
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells} == {"s"}  # no formula ("f"), no error ("e") from "#N/A"
    assert not [c.value for c in cells if c.value[:1] in ("=", "+", "-", "@", "\t")]
    names = [row[1].value for row in workbook["systems"].iter_rows(min_row=2)]
    assert names == [CELLS[t] for t in texts]
    imported = import_model(book).model
    assert [(s.name, s.operator, s.notes) for s in imported.systems] == [(t, t, t) for t in texts]
    assert canonical_model(imported) == canonical_model(model)


def test_xlsx_keeps_a_carriage_return(tmp_path):
    book = tmp_path / "m.xlsx"
    texts = ["\rCR", "a\r\nb\rc", "_x000D_ typed", "  "]
    book.write_bytes(xlsx_bytes(formula_model(texts)))
    assert [s.name for s in import_model(book).model.systems] == texts


def test_import_drops_a_guard_typed_by_hand_and_keeps_other_quotes(tmp_path):
    systems, flows = tables(tmp_path, "id,sector,name,notes,legal_basis\n"
                                      "a,health,'=SUM(1),'s-Hertogenbosch,'-5 km; act\n")
    system = import_model(systems, flows).model.system("a")
    assert (system.name, system.notes, system.legal_basis) == ("=SUM(1)", "'s-Hertogenbosch", ["-5 km", "act"])


# --- errors: each class with its exact message ------------------------------------------------

SYSTEMS_HEADER = "id,sector,holds,controls.redress\n"
FLOWS_HEADER = "from,to,data,purpose\n"


def tables(tmp_path, systems: str, flows: str = FLOWS_HEADER) -> tuple[Path, Path]:
    (tmp_path / "systems.csv").write_text(systems, encoding="utf-8")
    (tmp_path / "flows.csv").write_text(flows, encoding="utf-8")
    return tmp_path / "systems.csv", tmp_path / "flows.csv"


def messages(tmp_path, systems: Path, flows: Path | None = None, **options) -> list[str]:
    with pytest.raises(ModelError) as caught:
        import_model(systems, flows, **options)
    return [d.format().replace(str(tmp_path) + "/", "") for d in caught.value.diagnostics]


def test_unknown_category_names_file_row_and_column(tmp_path):
    rows = "".join(f"s{i},asylum,identity,\n" for i in range(5)) + "s5,asylum,identity; biometrics,\n"
    assert messages(tmp_path, *tables(tmp_path, SYSTEMS_HEADER + rows)) == [
        "systems.csv:row 7: holds: unknown category 'biometrics' (did you mean 'biometric'?): "
        "use a category of `flowmap taxonomy` or declare it under `taxonomy.categories`"
    ]


def test_unknown_column_suggests_the_field(tmp_path):
    assert messages(tmp_path, *tables(tmp_path, "id,sector,hold\na,asylum,identity\n")) == [
        "systems.csv:row 1: unknown column 'hold' (did you mean 'holds'?)"
    ]


def test_bad_boolean(tmp_path):
    assert messages(tmp_path, *tables(tmp_path, SYSTEMS_HEADER + "a,asylum,,maybe\n")) == [
        "systems.csv:row 2: controls.redress: 'maybe' is not a boolean: use true/yes/false/no "
        "(or leave it empty for unknown)"
    ]


def test_unknown_system_in_flows(tmp_path):
    paths = tables(tmp_path, SYSTEMS_HEADER + "europol,police,,\n",
                   FLOWS_HEADER + "europol,europoll,identity,enforcement.law\n")
    assert messages(tmp_path, *paths) == [
        "flows.csv:row 2: to: unknown system 'europoll' (did you mean 'europol'?): "
        "declare it under `systems` or fix the id"
    ]


def test_missing_required_column(tmp_path):
    paths = tables(tmp_path, SYSTEMS_HEADER + "a,asylum,,\n", "from,to,data\n")
    assert messages(tmp_path, *paths) == ["flows.csv:row 1: missing required column 'purpose': add it"]


def test_empty_cell_in_required_column(tmp_path):
    assert messages(tmp_path, *tables(tmp_path, SYSTEMS_HEADER + "a,,,\n")) == [
        "systems.csv:row 2: sector: required: this cell must not be empty"
    ]


def test_empty_sheet(tmp_path):
    assert messages(tmp_path, *tables(tmp_path, "")) == [
        "systems.csv: empty sheet: put the column names in the first row (see examples/spreadsheet/)"
    ]
    assert messages(tmp_path, *tables(tmp_path, SYSTEMS_HEADER)) == ["systems.csv: no systems: add one row per system"]


def test_unreadable_files(tmp_path):
    systems, flows = tables(tmp_path, SYSTEMS_HEADER + "a,asylum,,\n")
    (tmp_path / "latin1.csv").write_bytes("id,sector\ncaf\xe9,asylum\n".encode("latin-1"))
    assert messages(tmp_path, tmp_path / "latin1.csv", flows) == [
        "latin1.csv: cannot read: not UTF-8 text (save it as 'CSV UTF-8')"]
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert messages(tmp_path, tmp_path / "broken.xlsx", flows) == [
        "broken.xlsx: cannot read: not a readable .xlsx workbook (File is not a zip file)"]
    assert messages(tmp_path, tmp_path / "missing.csv", flows) == ["missing.csv: cannot read: no such file"]
    assert messages(tmp_path, tmp_path / "notes.txt", flows) == [
        "notes.txt: unsupported file type: use a .csv file or an .xlsx workbook"]


def test_errors_in_companion_tables_and_workbooks_are_located(tmp_path):
    folder = write_csv(tricky_model(), tmp_path)
    incidents = (folder / "incidents.csv").read_text().replace("src-1", "src-2")
    (folder / "incidents.csv").write_text(incidents)
    assert messages(tmp_path, folder / "systems.csv", folder / "flows.csv") == [
        "incidents.csv:row 2: sources: source 'src-2' is not in the top-level `sources` (did you mean 'src-1'?): "
        "add it there"
    ]
    book = tmp_path / "m.xlsx"
    frames = {"systems": pd.DataFrame({"id": ["a", "b"], "sector": ["asylum", "polize"]}),
              "flows": pd.DataFrame({"from": ["a"], "to": ["b"], "data": ["identity"], "purpose": ["migration"]})}
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    assert messages(tmp_path, book) == [
        "m.xlsx[systems]:row 3: sector: unknown sector 'polize' (did you mean 'police'?): "
        "use a sector of `flowmap taxonomy` or declare it under `taxonomy.sectors`"
    ]


def test_all_errors_are_reported_at_once_in_row_order(tmp_path):
    rows = "a,asylum,,maybe\n" + "".join(f"s{i},asylum,,\n" for i in range(8)) + "b,asylum,identity.biographc,\n"
    found = messages(tmp_path, *tables(tmp_path, SYSTEMS_HEADER + rows))
    assert [line.split(":")[1] for line in found] == ["row 2", "row 11"]


# --- CLI ---------------------------------------------------------------------------------------


def test_import_cli_writes_a_valid_model_and_export_round_trips(tmp_path):
    runner = CliRunner()
    out = tmp_path / "model.yaml"
    result = runner.invoke(main, ["import", str(TEMPLATES / "systems.csv"), str(TEMPLATES / "flows.csv"),
                                  "-o", str(out), "--name", "Renamed"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and "5 systems, 4 flows" in result.stderr
    model = load_model(out)
    assert model.name == "Renamed"
    result = runner.invoke(main, ["export", str(out), "--to", "xlsx", "-o", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 0, result.output
    assert canonical_model(import_model(tmp_path / "m.xlsx").model) == canonical_model(model)


def test_import_cli_error_exits_2_and_writes_nothing(tmp_path):
    systems, flows = tables(tmp_path, "id,sector,hold\na,asylum,identity\n")
    out = tmp_path / "model.yaml"
    result = CliRunner().invoke(main, ["import", str(systems), str(flows), "-o", str(out)])
    assert result.exit_code == 2
    assert "row 1: unknown column 'hold' (did you mean 'holds'?)" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_import_needs_flows_unless_the_workbook_has_them(tmp_path):
    systems, _ = tables(tmp_path, SYSTEMS_HEADER + "a,asylum,,\n")
    result = CliRunner().invoke(main, ["import", str(systems)])
    assert result.exit_code == 2
    assert "give the flows table too" in result.stderr


def test_sources_option_overrides_the_companion(tmp_path):
    shutil.copytree(TEMPLATES, tmp_path / "t")
    (tmp_path / "refs.csv").write_text("key,citation\nasylum-act,A\npolice-act,P\ndpia-2023,D\n")
    model = import_model(tmp_path / "t" / "systems.csv", tmp_path / "t" / "flows.csv",
                         sources=tmp_path / "refs.csv").model
    assert model.sources == {"asylum-act": "A", "police-act": "P", "dpia-2023": "D"}


def test_the_fields_added_for_findings_revision_2_round_trip(tmp_path):
    """further_purposes (provisions with | and ;), forwards (own and a list), a flow's subjects
    and an incident's type survive CSV and XLSX."""
    from conftest import build

    model = build(
        [{"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"],
          "subjects": ["asylum_seeker", "child"],
          "further_purposes": [{"purpose": "enforcement.law", "by": ["Art. 1(1)(d); (e)", "a | b"]},
                               {"purpose": "enforcement.return", "by": ["Art. 50"]}],
          "incidents": [{"date": "2012-08", "type": "breach", "summary": "copied"}]},
         {"id": "hub", "sector": "interoperability", "kind": "component"},
         {"id": "police", "sector": "police", "actor": "law_enforcement"}],
        [{"id": "in", "from": "eurodac", "to": "hub", "data": ["biometric"], "purpose": "protection.asylum"},
         {"id": "own", "from": "hub", "to": "police", "data": ["biometric"], "purpose": "enforcement.law",
          "forwards": "own", "subjects": ["asylum_seeker"]},
         {"id": "named", "from": "hub", "to": "eurodac", "data": ["biometric"], "purpose": "protection.asylum",
          "forwards": ["in"]}],
    )
    folder = write_csv(model, tmp_path / "csv")
    assert canonical_model(import_model(folder / "systems.csv", folder / "flows.csv").model) == canonical_model(model)
    book = tmp_path / "model.xlsx"
    book.write_bytes(xlsx_bytes(model))
    assert canonical_model(import_model(book).model) == canonical_model(model)


def test_the_fields_of_format_1_1_round_trip(tmp_path):
    """returns, transform, safeguards; controller, joint controllers, processors, rights_via; min_age
    and retention per people group (mappings in one cell); a model's transforms and safeguards."""
    from conftest import build

    model = build(
        [{"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"],
          "subjects": ["asylum_seeker", "irregular_migrant"], "retention": "P10Y",
          "retention_by_subject": {"irregular_migrant": "P5Y"}, "min_age": {"biometric.fingerprint": 6},
          "controller": "Member State of origin", "joint_controllers": ["a; b"], "processors": ["eu-LISA"],
          "rights_via": "portal"},
         {"id": "portal", "sector": "interoperability", "kind": "service"},
         {"id": "police", "sector": "police", "actor": "law_enforcement"}],
        [{"id": "le", "from": "eurodac", "to": "police", "data": ["biometric"], "purpose": "enforcement.law",
          "mode": "hit_no_hit", "returns": "record", "safeguards": ["prior_authorisation", "warrant"],
          "transform": "hashed"}],
        taxonomy={"transforms": {"hashed": {"description": "one-way", "personal": True},
                                 "counted": {"personal": False}},
                  "safeguards": {"warrant": {"description": "a judge signs"}},
                  "incompatible": [["enforcement.law", "enforcement.immigration"]]},
    )
    folder = write_csv(model, tmp_path / "csv")
    systems = pd.read_csv(folder / "systems.csv", dtype=str, keep_default_na=False).set_index("id")
    assert systems.loc["eurodac", "min_age"] == "biometric.fingerprint: 6"
    assert systems.loc["eurodac", "retention_by_subject"] == "irregular_migrant: P5Y"
    assert canonical_model(import_model(folder / "systems.csv", folder / "flows.csv").model) == canonical_model(model)
    book = tmp_path / "model.xlsx"
    book.write_bytes(xlsx_bytes(model))
    assert canonical_model(import_model(book).model) == canonical_model(model)


def test_a_mapping_cell_without_keys_is_a_located_error(tmp_path):
    (tmp_path / "systems.csv").write_text("id,sector,holds,purposes,min_age\nvis,visa,biometric.face,migration.visa,six\n")
    (tmp_path / "flows.csv").write_text("from,to,data,purpose\n")
    with pytest.raises(ModelError) as err:
        import_model(tmp_path / "systems.csv", tmp_path / "flows.csv")
    assert str(err.value).endswith("systems.csv:row 2: min_age: 'six' is not a list of `key: value` items: write "
                                   "`biometric.fingerprint: 6; child: 6`")
