"""The assessment report: content, escaping, determinism, and the HTML in headless Chromium."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from browser_support import browser, open_page  # noqa: F401  (fixtures)
from click.testing import CliRunner
from conftest import ROOT, build

from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.report import build_content, render_report
from flowmap.report.content import MAX_FINDINGS

EVIL = '<img src=x onerror="document.title=\'pwned\'"></script><script>alert(1)</script>'


def exposed_model(**top):
    return build(
        [
            {"id": "clinic", "name": "Clinic " + EVIL, "sector": "health", "holds": ["special.health"],
             "purposes": ["services.health"], "legal_basis": ["health-act", "a law in words"],
             "controls": {"redress": True}, "notes": EVIL, "retention": "P5Y"},
            {"id": "registry", "sector": "asylum", "holds": ["migration.asylum_claim"], "purposes": ["protection.asylum"],
             "subjects": ["child"]},
            {"id": "police", "name": "Police | *x*", "sector": "police", "actor": "law_enforcement"},
            {"id": "agency", "sector": "immigration", "actor": "immigration_enforcement"},
        ],
        [
            {"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law",
             "notes": EVIL},
            {"from": "registry", "to": "agency", "data": ["migration.asylum_claim"], "purpose": "enforcement.return"},
        ],
        sources={"health-act": "Health Act " + EVIL},
        as_of="2024-06-01",
        description="About " + EVIL,
        name="Model " + EVIL,
        **top,
    )


def test_matrix_counts_only_categories_that_really_reach_each_actor():
    from flowmap.graph import graph_of

    model = exposed_model()
    content = build_content(model)
    matrix = content.matrix
    assert matrix.actor_types == ["immigration_enforcement", "law_enforcement"]
    cells = {(row.category, actor): cell for row in matrix.rows for actor, cell in zip(matrix.actor_types, row.cells)}
    exposures = {f.anchor.id: f for f in content.report.findings if f.kind.value == "exposure"}
    health = cells[("special.health", "law_enforcement")]
    assert health.severity == exposures["clinic->police"].severity.name
    assert (health.systems, health.origins) == (["police"], 1)
    assert cells[("special.health", "immigration_enforcement")].systems_total == 0  # it never reaches the agency
    assert cells[("migration.asylum_claim", "law_enforcement")].systems_total == 0
    assert [row.category for row in matrix.rows] == ["migration.asylum_claim", "special.health"]  # critical first
    graph = graph_of(model)  # every cell with systems: the category crosses a flow into each of them
    for (category, actor), cell in cells.items():
        for system in cell.systems:
            assert graph.system(system).actor == actor
            assert any(category in graph.crossing(e) for e in graph.in_edges(system))


def test_matrix_of_the_eu_model_matches_the_graph():
    from flowmap.graph import graph_of
    from flowmap.taxonomy import Sensitivity

    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    graph = graph_of(model)
    matrix = build_content(model).matrix
    expected: dict = {}
    for system in graph.systems:
        if system.actor:
            for edge in graph.in_edges(system.id):
                for category in graph.crossing(edge):
                    if graph.taxonomy.sensitivity(category) >= Sensitivity.high:
                        expected.setdefault((category, system.actor), set()).add(system.id)
    found = {(row.category, actor): set(cell.systems) for row in matrix.rows
             for actor, cell in zip(matrix.actor_types, row.cells) if cell.systems_total}
    assert found == expected and found


def test_inventory_resolves_sources_and_shows_unknowns():
    content = build_content(exposed_model())
    clinic = next(e for e in content.inventory if e.system.id == "clinic")
    assert [(lb.key, lb.text) for lb in clinic.legal_basis] == [("health-act", "Health Act " + EVIL),
                                                                (None, "a law in words")]
    assert dict(clinic.controls) == {"encryption_at_rest": "unknown", "access_logging": "unknown",
                                     "independent_oversight": "unknown", "redress": "yes", "human_review": "unknown"}
    police = next(e for e in content.inventory if e.system.id == "police")
    assert [(r.origin, r.categories) for r in police.received] == [("clinic", ["special.health"])]
    assert police.retention == "unknown"


def test_acceptances_with_status_expiry_and_unmatched():
    model = exposed_model(accepted=[
        {"finding": "exposure:clinic->police", "status": "accepted", "reason": "court order", "until": "2030-01-01"},
        {"finding": "exposure:registry*", "status": "mitigated", "reason": "old", "until": "2020-01-01"},
        {"finding": "exposure:nothing:*", "reason": "stale"},
        {"finding": "exposure:registry:agency", "reason": "written for the first contract"},
    ])
    rows = build_content(model, today=dt.date(2025, 1, 1)).acceptances
    assert [(r.acceptance.finding, r.state, r.findings) for r in rows] == [
        ("exposure:clinic->police", "applies to 1 finding", ["exposure:clinic->police"]),
        ("exposure:registry*", "expired", []),
        ("exposure:nothing:*", "matches no finding", []),
        ("exposure:registry:agency", "matches no finding (now: exposure:registry->agency)", []),
    ]
    markdown = render_report(model, "markdown", today=dt.date(2025, 1, 1))
    assert "| `exposure:registry*` | mitigated | old |  | 2020-01-01 | expired |" in markdown
    assert "| matches no finding (now: exposure:registry->agency) |" in markdown


def test_html_is_self_contained_escaped_and_deterministic():
    text = render_report(exposed_model())
    assert text == render_report(exposed_model())
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text)
    assert "<img src=x" not in text and "<script>alert(1)" not in text
    assert "&lt;img src=x onerror=" in text
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text).group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "http" not in csp
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert scripts and all(csp_hash_of(s) in csp for s in scripts)
    assert 'id="fm-network"' in text  # the map is embedded
    assert 'id="fm-network"' not in render_report(exposed_model(), with_map=False)


def csp_hash_of(text: str) -> str:
    from flowmap.maps.html import csp_hash

    return csp_hash(text)


def test_markdown_escapes_model_text_and_has_every_section():
    text = render_report(exposed_model(), "markdown")
    assert text == render_report(exposed_model(), "markdown")
    assert "<img" not in text and "<script" not in text
    assert "Police \\| \\*x\\*" in text
    headings = [line for line in text.splitlines() if line.startswith(("## ", "### ")) and "`" not in line]
    assert headings == ["## Summary", "## 1. Description of the processing", "### Systems", "### Flow register",
                        "### Figure of the map", "## 2. Necessity and proportionality",
                        "## 3. Risks to the rights and freedoms of people", "### Established findings",
                        "### Questions to answer", "### Exposure matrix", "## 4. Measures envisaged", "### Action plan",
                        "### Residual risk", "### Acceptances", "## Sources", "## Sign-off"]
    assert "| `special.health` (special) | - | " in text


def test_report_leads_with_summary_then_established_by_rank_then_questions_by_system():
    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    content = build_content(model)
    report = content.report
    assert [f.id for f in content.established] == [f.id for f in report.established]  # all (<= MAX_FINDINGS), by rank
    assert sum(len(g.findings) for g in content.questions) == len(report.questions)  # one gathered finding per system
    assert content.questions_total == sum(len(f.questions) for f in report.questions) > len(report.questions)
    assert [g.findings[0].rank for g in content.questions] == sorted(g.findings[0].rank for g in content.questions)
    text = render_report(model, "markdown")
    numbered = [line for line in text.splitlines() if line.startswith("#### ") and ". " in line[:13]]
    assert [line.split(".")[0][5:] for line in numbered] == [str(f.rank) for f in report.established]
    html_text = render_report(model, with_map=False)
    sections = re.findall(r'<section (?:class="rp-part" )?id="([a-z0-9-]+)">', html_text)
    assert sections == ["summary", "part-1", "inventory", "register", "map", "part-2", "purposes", "part-3",
                        "findings", "questions", "matrix", "part-4", "actions", "residual", "acceptances", "sources",
                        "sign-off"]
    assert html_text.count('<article class="rp-finding') == len(report.established)


def test_report_prints_its_date_and_nothing_else_of_the_clock():
    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    for fmt in ("markdown", "html"):
        first = render_report(model, fmt, today=dt.date(2025, 1, 1))
        assert first == render_report(model, fmt, today=dt.date(2025, 1, 1))
        later = render_report(model, fmt, today=dt.date(2031, 5, 5))
        assert first.replace("2025-01-01", "2031-05-05") == later  # the date of the report is its only change
    text = render_report(model, "markdown", today=dt.date(2025, 1, 1))
    assert "| Snapshot as of | 2024-06-01 |" in text and "| Date of the report | 2025-01-01 |" in text


def test_cli_default_path_and_markdown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    not_a_model = ROOT / "examples" / "spreadsheet" / "systems.csv"
    runner = CliRunner()
    source = ROOT / "models" / "uk-health-immigration-firewall.yaml"
    result = runner.invoke(main, ["report", str(source)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "output" / "uk-hostile-environment-data-sharing-with-health-schools-banks-dvla-and-police-report.html"
    assert written.is_file() and f"wrote output/{written.name}" in result.stderr
    assert "\x1b[K" not in result.stderr  # no progress output when stderr is not a terminal
    result = runner.invoke(main, ["report", str(source), "-o", "dpia.md"])
    assert result.exit_code == 0
    assert (tmp_path / "dpia.md").read_text().startswith("# Assessment report: UK")
    result = runner.invoke(main, ["report", str(not_a_model)])
    assert result.exit_code == 2 and not (tmp_path / "output" / "systems-report.html").exists()


@pytest.mark.browser
def test_html_report_in_chromium(open_page, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render_report(exposed_model()), encoding="utf-8")
    page, log = open_page(path, wait_for="document.querySelector('#fm-network canvas') !== null")
    assert log.external_requests == []
    assert log.console_errors == [] and log.page_errors == [] and log.dialogs == []
    assert page.title() == "Model " + EVIL + " - assessment report"  # the name is text, and no script re-titled it
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert EVIL in page.locator("#system-clinic h4").inner_text()
    assert page.locator("h1").first.inner_text() == "Model " + EVIL
    assert page.locator(".rp-matrix td.sev-none").count() == 2  # asylum data never reaches police, health the agency
    colours = page.evaluate(
        "[...document.querySelectorAll('.rp-matrix td')].map(td => getComputedStyle(td).backgroundColor)")
    assert len(set(colours)) >= 2  # severities are painted, not just written


@pytest.mark.browser
def test_eu_report_renders_in_chromium(open_page, tmp_path):
    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    content = build_content(model)
    path = tmp_path / "eu.html"
    path.write_text(render_report(model), encoding="utf-8")
    page, log = open_page(path, wait_for="document.querySelector('#fm-network canvas') !== null")
    assert log.external_requests == [] and log.console_errors == [] and log.page_errors == []
    assert page.locator(".rp-matrix tbody tr").count() == len(content.matrix.rows)
    assert page.locator(".rp-matrix th.rp-actor").count() == len(content.matrix.actor_types)
    assert content.established_total <= MAX_FINDINGS  # so every established finding is shown in full
    assert page.locator("article.rp-finding").count() == content.established_total
    assert page.locator(".rp-questions li").count() == len(content.questions)
    assert page.evaluate("document.querySelectorAll('[id^=finding-]').length") == len(content.report.findings)


def test_large_reports_show_the_first_established_findings_and_count_the_rest():
    content = build_content(exposed_model(), max_findings=1)
    established = content.report.established
    assert len(established) >= 2  # so something is cut
    assert [f.id for f in content.established] == [established[0].id]
    assert sum(n for _, n in content.omitted) == len(established) - 1
    text = render_report(exposed_model(), "markdown", max_findings=1)
    assert "more are not (" in text and "--max-findings 0" in text
    assert "more are not" not in render_report(exposed_model(), "markdown", max_findings=0)


def test_inventory_lists_a_bounded_number_of_origins():
    from flowmap.report.content import MAX_ORIGINS

    origins = [{"id": f"o{i:02d}", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]}
               for i in range(MAX_ORIGINS + 2)]
    model = build([*origins, {"id": "police", "sector": "police", "actor": "law_enforcement"}],
                  [{"from": o["id"], "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}
                   for o in origins])
    police = next(e for e in build_content(model).inventory if e.system.id == "police")
    assert [r.origin for r in police.received] == [f"o{i:02d}" for i in range(MAX_ORIGINS)]
    assert police.more_origins == 2 and police.received_categories == ["special.health"]
    assert "and 2 more origin systems" in render_report(model, "markdown")


def test_report_refuses_an_extension_it_cannot_write(tmp_path):
    """`-o r.pdf` used to write HTML into r.pdf: now one line, exit 2, nothing written."""
    from click.testing import CliRunner

    from flowmap.cli import main

    target = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(ROOT / "models" / "eu-interoperability.yaml"), "-o", str(target)])
    assert result.exit_code == 2 and "cannot write a .pdf file" in result.output and not target.exists()


def test_the_inventory_shows_who_answers_and_from_which_age_escaped():
    """format 1.1: controller, processors, rights_via, min_age and retention per people group."""
    model = build(
        [{"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"],
          "subjects": ["asylum_seeker", "irregular_migrant"], "retention": "P10Y",
          "retention_by_subject": {"irregular_migrant": "P5Y"}, "min_age": {"biometric.fingerprint": 6},
          "controller": "Member State " + EVIL, "processors": ["eu-LISA"], "rights_via": "Authority | *x*"}],
    )
    text = render_report(model)
    assert "<dt>Controller</dt><dd>Member State &lt;img src=x" in text and "<img src=x" not in text
    assert "<dt>Youngest age of collection</dt><dd>biometric.fingerprint: 6</dd>" in text
    assert "P10Y; irregular migrant: P5Y" in text
    markdown = render_report(model, "markdown")
    assert "| Rights exercised via | Authority \\| \\*x\\* |" in markdown and "<img" not in markdown


def returns_model():
    return build(
        [{"id": "vis", "sector": "visa", "holds": ["biometric.fingerprint", "identity.biographic"],
          "purposes": ["migration.visa"]},
         {"id": "police", "sector": "police", "actor": "law_enforcement"},
         {"id": "consulate", "sector": "visa"}],
        [{"id": "vis-check", "from": "vis", "to": "police", "data": ["biometric.fingerprint"],
          "purpose": "enforcement.law", "returns": "hit_no_hit"},
         {"id": "vis-record", "from": "vis", "to": "police", "data": ["identity.biographic"],
          "purpose": "enforcement.law", "returns": "record"},
         {"from": "vis", "to": "consulate", "data": ["identity.biographic"], "purpose": "migration.visa"}],
    )


def test_the_flow_register_says_what_comes_back_on_a_flow_with_its_data():
    """format 1.1 ``returns``: a hit/no-hit check and the record sent after it read differently in
    the register; a flow without ``returns`` shows its data alone."""
    model = returns_model()
    text = render_report(model)
    assert '<tr id="flow-vis-check"><td><code>vis-check</code></td><td>vis → police</td>' \
           "<td>biometric.fingerprint; returns: hit no hit</td>" in text
    assert "<td>identity.biographic; returns: record</td>" in text
    assert '<tr id="flow-vis->consulate"><td><code>vis->consulate</code></td><td>vis → consulate</td>' \
           "<td>identity.biographic</td>" in text.replace("&gt;", ">")
    markdown = render_report(model, "markdown")
    assert "| biometric.fingerprint; returns: hit no hit |" in markdown
    assert "| identity.biographic; returns: record |" in markdown


def test_what_comes_back_on_a_flow_is_escaped_in_the_register():
    """``returns`` is a closed list in the format, but the register escapes it like every model
    string: a model built past validation cannot put markup in the report."""
    model = returns_model()
    flow = next(f for f in model.flows if f.id == "vis-check")
    object.__setattr__(flow, "returns", EVIL)
    text = render_report(model)
    assert "<img src=x" not in text and "<script>alert(1)" not in text
    assert "returns: &lt;img src=x onerror=" in text
    markdown = render_report(model, "markdown")
    assert "<img" not in markdown and "<script" not in markdown and "returns: " in markdown
