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


def test_matrix_has_categories_by_actor_type_with_highest_severity():
    content = build_content(exposed_model())
    matrix = content.matrix
    assert matrix.actor_types == ["immigration_enforcement", "law_enforcement"]
    cells = {(row.category, actor): cell for row in matrix.rows for actor, cell in zip(matrix.actor_types, row.cells)}
    exposures = {f.id: f for f in content.report.findings if f.kind.value == "exposure"}
    assert cells[("special.health", "law_enforcement")].severity == exposures["exposure:clinic:police"].severity.name
    assert cells[("special.health", "law_enforcement")].pairs == ["clinic -> police"]
    assert cells[("special.health", "immigration_enforcement")].severity is None
    assert [row.category for row in matrix.rows] == ["migration.asylum_claim", "special.health"]  # critical first


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
        {"finding": "exposure:clinic:police", "status": "accepted", "reason": "court order", "until": "2030-01-01"},
        {"finding": "exposure:registry:*", "status": "mitigated", "reason": "old", "until": "2020-01-01"},
        {"finding": "exposure:nothing:*", "reason": "stale"},
    ])
    rows = build_content(model, today=dt.date(2025, 1, 1)).acceptances
    assert [(r.acceptance.finding, r.state, r.findings) for r in rows] == [
        ("exposure:clinic:police", "applies to 1 finding", ["exposure:clinic:police"]),
        ("exposure:registry:*", "expired", []),
        ("exposure:nothing:*", "matches no finding", []),
    ]
    markdown = render_report(model, "markdown", today=dt.date(2025, 1, 1))
    assert "| `exposure:registry:*` | mitigated | old |  | 2020-01-01 | expired |" in markdown


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
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Summary", "## Exposure matrix", "## Data inventory", "## Findings by principle",
                        "## Acceptances", "## Sources"]
    assert "| `special.health` (special) | - | " in text


def test_report_prints_no_clock_date():
    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    for fmt in ("markdown", "html"):
        assert render_report(model, fmt, today=dt.date(2025, 1, 1)) == render_report(model, fmt, today=dt.date(2031, 5, 5))
    assert "Snapshot as of 2024-06-01;" in render_report(model, "markdown")


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
    assert EVIL in page.locator("#system-clinic h3").inner_text()
    assert page.locator("h1").first.inner_text() == "Model " + EVIL
    assert page.locator(".rp-matrix td.sev-none").count() == 2
    colours = page.evaluate(
        "[...document.querySelectorAll('.rp-matrix td')].map(td => getComputedStyle(td).backgroundColor)")
    assert len(set(colours)) >= 2  # severities are painted, not just written


@pytest.mark.browser
def test_eu_report_renders_in_chromium(open_page, tmp_path):
    model = load_model(ROOT / "models" / "eu-interoperability.yaml")
    findings = build_content(model).report.findings
    exposures = [f for f in findings if f.kind.value == "exposure"]
    categories = {category for f in exposures for category in f.categories}  # one matrix row each
    actor_types = {model.system(f.systems[-1]).actor for f in exposures}  # one matrix column each
    path = tmp_path / "eu.html"
    path.write_text(render_report(model), encoding="utf-8")
    page, log = open_page(path, wait_for="document.querySelector('#fm-network canvas') !== null")
    assert log.external_requests == [] and log.console_errors == [] and log.page_errors == []
    assert page.locator(".rp-matrix tbody tr").count() == len(categories)
    assert page.locator(".rp-matrix th.rp-actor").count() == len(actor_types)
    assert len(findings) <= MAX_FINDINGS  # so every finding is shown in full
    assert page.locator("article.rp-finding").count() == len(findings)
    assert page.locator("article.rp-finding").count() == page.evaluate(
        "document.querySelectorAll('[id^=finding-]').length")


def test_large_reports_show_the_most_severe_findings_and_count_the_rest():
    content = build_content(exposed_model(), max_findings=1)
    shown = [f.id for g in content.principles for f in g.findings]
    everything = content.report.findings
    top = [f.id for f in content.top_exposures]
    assert set(shown) == {everything[0].id, *top}  # the summary's links always resolve
    assert sum(n for _, n in content.omitted) == len(everything) - len(shown)
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
