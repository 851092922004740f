"""Markdown output: summary, established findings by rank, questions by system, escaped model text."""

from __future__ import annotations

from render_support import mixed_report

from conftest import build
from flowmap.analysis import Report, model_digest
from flowmap.render.markdown import render_markdown


def test_markdown_sections_in_order_and_escaping():
    report = mixed_report()
    text = render_markdown(report)
    assert text.startswith("## Findings: M \\*bold\\*\n\nModel as of 2024-01-01, digest `sha256:")
    assert "6 findings, 6 open: 3 established, 3 questions for 3 systems to answer.\n" in text
    assert "| Severity | Findings | Established | Open |\n|---|---:|---:|---:|\n| critical | 1 | 1 | 1 |\n" in text
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings == ["### Established findings (3, by rank)",
                        "### Questions to answer (3 questions for 3 systems, by the system that can answer them)",
                        "### Acceptances that match no finding"]
    assert ("1. **critical**: title of exposure:a-&gt;b0  \n"
            "   `exposure:a->b0`; at flow `a->b0`; 12 origins: a, c, d and 9 more; path `a` → `x` → `b0`  \n"
            "   message of exposure:a-&gt;b0\n") in text
    numbered = [line.split(".")[0] for line in text.splitlines() if line[:1].isdigit() and ". **" in line]
    assert numbered == [str(f.rank) for f in report.established]
    assert "- `cir`: Question 1 about cir?\n- `vis`: Question 0 about vis? Question 2 about vis?\n" in text
    assert "- `exposure:a:b0`: accepted by DPO: old id (now: `exposure:a->b0`)\n" in text
    assert "<script" not in text


def test_markdown_top_20_unless_all():
    report = mixed_report(established=22, questions=())
    assert "2 more: `--all`." in render_markdown(report)
    assert "more: `--all`" not in render_markdown(report, show_all=True)
    assert render_markdown(report, show_all=True).count(". **") == 22


def test_markdown_without_findings():
    model = build([{"id": "a", "sector": "health"}], name="Empty")
    expected = f"## Findings: Empty\n\nModel (no as-of date), digest `{model_digest(model)}`.\n\nNo findings.\n"
    assert render_markdown(Report(model, [])) == expected
