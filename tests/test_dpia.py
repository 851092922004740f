"""The DPO's documents (issue 18): the DPIA in Word, HTML and Markdown from one content model, and the
record of processing (GDPR Art. 30) as a workbook and CSV. Read back as a DPO's tools would."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile

import pytest
from click.testing import CliRunner
from conftest import ROOT, build
from map_fixtures import HOSTILE, hostile_model_data

from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.model import Model
from flowmap.report import build_content, render_report, report_bytes
from flowmap.report.dpia import ACTION_COLUMNS, NOT_STATED, REGISTER_COLUMNS
from flowmap.report.parts import PARTS
from flowmap.report.ropa import NAMES, is_international_org, ropa_csv, ropa_rows, ropa_xlsx

docx = pytest.importorskip("docx")
openpyxl = pytest.importorskip("openpyxl")

TODAY = dt.date(2026, 12, 1)
EU = ROOT / "models" / "eu-interoperability.yaml"


@pytest.fixture(scope="module")
def eu() -> Model:
    return load_model(EU)


@pytest.fixture(scope="module")
def eu_docx(eu):
    return report_bytes(eu, "docx", today=TODAY)


def read_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def table_with_header(document, header) -> list[list[str]]:
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and tuple(rows[0]) == tuple(header):
            return rows[1:]
    raise AssertionError(f"no table with the header {header}")


def headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


# --- the DPIA in Word -------------------------------------------------------------------------------


def test_eu_docx_has_the_four_parts_of_article_35_7_in_order(eu_docx):
    document = read_docx(eu_docx)
    tops = [text for style, text in headings(document) if style == "Heading 1"]
    assert [t for t in tops if t in PARTS] == list(PARTS)
    assert tops == ["Summary", *PARTS[:2], PARTS[2], PARTS[3], "Sources", "Sign-off"]
    texts = [p.text for p in document.paragraphs]
    assert any("GDPR Art. 35(7)" in t for t in texts)


def test_eu_docx_flow_register_has_every_flow_with_its_conditions(eu, eu_docx):
    rows = table_with_header(read_docx(eu_docx), REGISTER_COLUMNS)
    by_id = {row[0]: row for row in rows}
    assert len(rows) == len(eu.flows) == len(by_id)
    conditions = REGISTER_COLUMNS.index("Conditions")
    for flow in eu.flows:
        row = by_id[flow.id]
        assert row[conditions] == (flow.conditions or NOT_STATED)
        assert all(category in row[REGISTER_COLUMNS.index("Data")] for category in flow.data)
        assert all(purpose in row[REGISTER_COLUMNS.index("Purposes")] for purpose in flow.purposes)


def test_eu_docx_action_plan_has_a_row_for_every_open_established_finding(eu, eu_docx):
    content = build_content(eu, today=TODAY)
    rows = table_with_header(read_docx(eu_docx), ACTION_COLUMNS)
    open_established = [f for f in content.report.established if f.status == "open"]
    assert open_established
    finding = ACTION_COLUMNS.index("Finding")
    shown = [re.search(r"\(([^()]+)\)$", row[finding]).group(1) for row in rows]
    assert [f.id for f in open_established] == [i for i in shown if i in {f.id for f in open_established}]
    assert len(rows) == len(content.report.established)
    for row, f in zip(rows, content.report.established):
        assert row[ACTION_COLUMNS.index("Rank")] == str(f.rank)
        assert row[ACTION_COLUMNS.index("Action")] == (f.mitigation or "Decide how to address it.")
        assert row[ACTION_COLUMNS.index("Status")] == f.status.replace("_", " ")


def test_eu_docx_metadata_sign_off_and_figure(eu, eu_docx):
    from flowmap.analysis import model_digest

    document = read_docx(eu_docx)
    meta = dict((row[0], row[1]) for row in table_with_header(document, ["Report", ""]))
    assert meta["Model"] == eu.name and meta["Snapshot as of"] == "2024-06-01"
    assert meta["Model digest (sha256)"] == model_digest(eu) and meta["Date of the report"] == "2026-12-01"
    sign_off = table_with_header(document, ["Role", "Name", "Date", "Decision or signature"])
    assert len(sign_off) >= 4 and all(row[1:] == ["", "", ""] for row in sign_off)
    assert document.core_properties.created == document.core_properties.modified
    assert document.core_properties.created.date() == TODAY
    try:
        from flowmap.figure import figure_bytes  # noqa: F401  (issue 16: the static figure)
    except ImportError:
        assert len(document.inline_shapes) == 0  # no figure function yet: nothing embedded, a note instead
        assert any("HTML version" in p.text for p in document.paragraphs)
    else:
        assert len(document.inline_shapes) == 1


def test_docx_is_byte_identical_for_the_same_inputs_and_date(eu, eu_docx):
    assert report_bytes(eu, "docx", today=TODAY) == eu_docx
    later = report_bytes(eu, "docx", today=TODAY + dt.timedelta(days=1))
    assert later != eu_docx and read_docx(later).core_properties.modified.date() == TODAY + dt.timedelta(days=1)
    with zipfile.ZipFile(io.BytesIO(eu_docx)) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- one content model: the three formats agree -------------------------------------------------------


def ids_markdown(text: str) -> tuple[list[str], list[str]]:
    lines = text.splitlines()
    findings = [lines[i + 2].split("`")[1] for i, line in enumerate(lines) if re.match(r"#### \d+\. ", line)]
    start = lines.index("### Action plan")
    end = lines.index("### Residual risk")
    plan = [re.search(r"\((\S+)\) \|", line).group(1).replace("\\_", "_")
            for line in lines[start:end] if re.match(r"\| \d+ \|", line)]
    return findings, plan


def ids_html(text: str) -> tuple[list[str], list[str]]:
    findings = re.findall(r'<article class="rp-finding[^"]*" id="finding-([^"]+)">', text)
    plan_table = text.split('<table class="rp-actions">')[1].split("</table>")[0]
    plan = [html.unescape(m) for m in re.findall(r"<tr><td>\d+</td><td>[^<]*\(([^()<]+)\)</td>", plan_table)]
    return [html.unescape(f) for f in findings], plan


def ids_docx(data: bytes) -> tuple[list[str], list[str]]:
    document = read_docx(data)
    paragraphs = document.paragraphs
    findings = [paragraphs[i + 1].runs[0].text for i, p in enumerate(paragraphs)
                if p.style.name == "Heading 3" and re.match(r"\d+\. [A-Z]+: ", p.text)]
    plan = [re.search(r"\(([^()]+)\)$", row[1]).group(1) for row in table_with_header(document, ACTION_COLUMNS)]
    return findings, plan


def severity_counts_markdown(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\| (critical|high|medium|low|info) \| (\d+) \|$", text, re.M)


@pytest.mark.parametrize("max_findings", [300, 5])
def test_html_markdown_and_docx_list_the_same_findings_in_the_same_order(eu, max_findings):
    content = build_content(eu, today=TODAY, max_findings=max_findings)
    expected = [f.id for f in content.established]
    plan = [f.id for f in content.report.established]
    markdown = render_report(eu, "markdown", today=TODAY, max_findings=max_findings)
    page = render_report(eu, "html", today=TODAY, with_map=False, max_findings=max_findings)
    word = report_bytes(eu, "docx", today=TODAY, with_map=False, max_findings=max_findings)
    assert ids_markdown(markdown) == ids_html(page) == ids_docx(word) == (expected, plan)
    counts = [(name, str(n)) for name, n in content.by_severity]
    assert severity_counts_markdown(markdown) == counts
    assert re.findall(r'<span class="rp-badge sev-(\w+)">\w+</span></td><td class="rp-num">(\d+)</td>', page) == counts
    assert [tuple(row) for row in table_with_header(read_docx(word), ["Severity", "Findings"])] == counts
    questions = [g.system for g in content.questions]
    assert re.findall(r'<li id="questions-([^"]+)">', page) == questions
    docx_questions = [p for p in read_docx(word).paragraphs if p.style.name == "List Bullet" and "?" in p.text]
    assert len(docx_questions) == len(questions)


# --- owners, due dates and the residual picture -----------------------------------------------------------


def test_action_owner_due_date_and_residual_follow_the_acceptances():
    model = build(
        [{"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"],
          "operator": "Health board"},
         {"id": "police", "sector": "police", "actor": "law_enforcement", "operator": "Police"}],
        [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}],
        accepted=[{"finding": "exposure:clinic->police", "status": "in_progress", "reason": "new protocol",
                   "by": "DPO office", "until": "2027-03-31"}])
    content = build_content(model, today=TODAY)
    actions = {a.finding.id: a for a in content.actions}
    exposure = actions["exposure:clinic->police"]
    assert (exposure.owner, exposure.due, exposure.status) == ("DPO office", "2027-03-31", "in progress")
    others = [a for a in content.actions if a.finding.id != "exposure:clinic->police"]
    for action in others:
        anchor = action.finding.anchor
        sender = anchor.id if anchor.type == "system" else model.flows[0].source
        assert action.owner == model.system(sender).operator and action.due == ""
    total = content.residual[-1]
    assert total[0] == "total" and total[1] == str(len(content.report.findings))
    assert total[5] == "1" and total[6] == str(len(content.report.findings))  # in progress is still residual risk


# --- the record of processing (Art. 30) ------------------------------------------------------------------


def read_xlsx(data: bytes, sheet: str = "record") -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [["" if v is None else v for v in row] for row in book[sheet].iter_rows(values_only=True)]


def recipients_of(model: Model, system_id: str) -> list[str]:
    out = [f.target for f in model.flows if f.source == system_id]
    out += [f.source for f in model.flows if f.bidirectional and f.target == system_id]
    return sorted(set(out))


def test_eu_ropa_has_the_art_30_columns_and_recipients_from_the_flows(eu):
    rows = read_xlsx(ropa_xlsx(eu))
    header, body = rows[0], rows[1:]
    assert tuple(header) == NAMES
    for column in ("Controller", "Purposes", "Categories of data subjects", "Categories of personal data",
                   "Recipients", "Recipients in third countries or international organisations",
                   "Transfers to third countries or international organisations", "Transfer safeguards",
                   "Time limits for erasure", "Security measures", "Legal basis", "Profiling"):
        assert column in header
    records = {row[header.index("System id")]: dict(zip(header, row)) for row in body}
    assert sorted(records) == sorted(s.id for s in eu.systems)
    abroad_seen = set()
    for system in eu.systems:
        record = records[system.id]
        expected = recipients_of(eu, system.id)
        cell = record["Recipients"]
        assert len(cell.split("; ")) == len(expected) if expected else cell == ""
        for target in expected:
            assert eu.system(target).display_name in cell
        third = [t for t in expected if {eu.system(t).sector, eu.system(t).actor} & {"third_country", "origin_country"}
                 or is_international_org(eu.system(t))]
        if not {system.sector, system.actor} & {"third_country", "origin_country", "international_org"}:
            for target in third:
                assert eu.system(target).display_name in record[
                    "Recipients in third countries or international organisations"]
                assert eu.system(target).display_name in record[
                    "Transfers to third countries or international organisations"]
                abroad_seen.add(eu.system(target).sector)
        assert record["Controller"] == (system.operator or "")
        assert record["Time limits for erasure"] == (system.retention or "")
        assert record["Joint controllers"] == record["Data protection officer"] == ""  # never invented
    assert {"third_country", "international_org"} <= abroad_seen
    eurodac = records["eurodac"]
    assert "Countries of origin" in eurodac["Recipients in third countries or international organisations"]
    about = dict((row[0], row[1]) for row in read_xlsx(ropa_xlsx(eu), "about") if row[0])
    assert about["Model"] == eu.name and set(NAMES) <= set(about)


def test_ropa_csv_matches_the_workbook_and_both_are_deterministic(eu):
    data = ropa_xlsx(eu)
    assert data == ropa_xlsx(eu) and ropa_csv(eu) == ropa_csv(eu)
    from_csv = list(csv.reader(io.StringIO(ropa_csv(eu).decode("utf-8"))))
    assert from_csv == read_xlsx(data)


def test_ropa_is_empty_where_the_model_does_not_say():
    model = build([{"id": "a", "sector": "health"}, {"id": "b", "sector": "police"}],
                  [{"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"}])
    a, b = ropa_rows(model)
    assert a["Recipients"] == "b" and a["Recipients in third countries or international organisations"] == ""
    for name in ("Controller", "Controller jurisdiction", "Time limits for erasure", "Security measures",
                 "Legal basis", "Profiling", "Categories of data subjects", "Transfer safeguards"):
        assert a[name] == "", name
    assert b["Purposes"] == "enforcement.law" and b["Categories of personal data"] == "identity"


# --- injection: no active content ----------------------------------------------------------------------


def hostile() -> Model:
    data = hostile_model_data()
    data["systems"][0]["name"] = '=HYPERLINK("http://evil.example","click") ' + HOSTILE
    data["systems"][0]["operator"] = "=1+1"
    data["systems"][0]["retention"] = "P5Y"
    data["flows"][0]["conditions"] = '{ HYPERLINK "http://evil.example" } ' + HOSTILE
    data["sources"]["evil"] = "@SUM(1) http://evil.example/x"
    data["accepted"] = [{"finding": "*", "reason": "=cmd|' /C calc'!A0", "by": "-2+3", "until": "2030-01-01"}]
    return Model.model_validate(data)


def test_hostile_model_yields_no_active_content_in_the_docx():
    data = report_bytes(hostile(), "docx", today=TODAY)
    assert data == report_bytes(hostile(), "docx", today=TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8", "replace")
            if name.endswith(".rels"):
                assert "External" not in text and "evil" not in text, name
            if name.startswith("word/") and name.endswith(".xml"):
                for active in ("<w:fldSimple", "<w:instrText", "<w:fldChar", "<w:hyperlink", "<w:object",
                               "<w:altChunk", "<script"):
                    assert active not in text, (name, active)
        assert not any(n.endswith((".bin", ".vba", "vbaProject.bin")) or "activeX" in n or "embeddings" in n
                       for n in z.namelist())
    document = read_docx(data)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "<script>window.__pwned=2</script>" in text  # shown as text
    assert "\u202e" not in text and "[U+202E]" in text  # a right-to-left override cannot reverse what is read
    register = table_with_header(document, REGISTER_COLUMNS)
    assert any(row[REGISTER_COLUMNS.index("Conditions")].startswith('{ HYPERLINK "http://evil.example" }')
               for row in register)


def test_hostile_model_yields_no_formulas_in_the_ropa():
    model = hostile()
    data = ropa_xlsx(model)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                sheet = z.read(name).decode("utf-8")
                assert "<f>" not in sheet and "<f " not in sheet and 't="e"' not in sheet, name
            if name.endswith(".rels"):
                assert "External" not in z.read(name).decode("utf-8")
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r"), cell.value
    rows = list(csv.reader(io.StringIO(ropa_csv(model).decode("utf-8"))))
    assert all(not field[:1] or field[:1] not in "=+-@\t\r" for row in rows for field in row)
    clinic = [row for row in rows if row[1] == "clinic"][0]
    assert clinic[0].startswith("'=HYPERLINK(") and clinic[2] == "'=1+1"


# --- the command line ---------------------------------------------------------------------------------


def test_cli_writes_the_docx_and_the_record(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = str(ROOT / "examples" / "tutorial" / "step3.yaml")
    runner = CliRunner()
    result = runner.invoke(main, ["report", source, "-o", "dpia.docx", "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    first = (tmp_path / "dpia.docx").read_bytes()
    assert runner.invoke(main, ["report", source, "-o", "dpia.docx", "--today", "2026-12-01"]).exit_code == 0
    assert (tmp_path / "dpia.docx").read_bytes() == first
    assert [t for s, t in headings(read_docx(first)) if s == "Heading 1"][1:5] == list(PARTS)
    result = runner.invoke(main, ["export", source, "--to", "ropa", "-o", "ropa.xlsx"])
    assert result.exit_code == 0 and "wrote ropa.xlsx" in result.stderr
    assert tuple(read_xlsx((tmp_path / "ropa.xlsx").read_bytes())[0]) == NAMES
    result = runner.invoke(main, ["export", source, "--to", "ropa", "-o", "ropa.csv"])
    assert result.exit_code == 0 and (tmp_path / "ropa.csv").read_bytes().startswith(b"Processing,System id,")
    result = runner.invoke(main, ["export", source, "--to", "ropa", "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("Processing,System id,")
    result = runner.invoke(main, ["export", source, "--to", "ropa"])
    assert result.exit_code == 0 and list((tmp_path / "output").glob("*-ropa.xlsx"))
