"""Markdown output: summary, findings by severity, escaped model text."""

from __future__ import annotations

from flowmap.analysis import Report, model_digest
from flowmap.findings import Finding, Severity
from flowmap.model import Acceptance
from flowmap.render.markdown import render_markdown

from conftest import build


def _report():
    model = build([{"id": "a", "name": "A <script>alert(1)</script>", "sector": "health"}], name="M *bold* [x](y)",
                  as_of="2024-01-01")
    f = Finding(id="exposure:a:b", rule="exposure", kind="exposure", severity=Severity.high, title="A | B",
                message="data goes to `b` <img src=x>", path=["a", "b"], categories=["special.health"],
                mitigation="narrow it")
    stale = Acceptance(finding="exposure:zz:*", reason="old", by="DPO")
    return Report(model, [f], unmatched_acceptances=[stale])


def test_markdown_sections_and_escaping():
    text = render_markdown(_report())
    assert text.startswith("## Findings: M \\*bold\\* \\[x\\](y)\n\nModel as of 2024-01-01, digest `sha256:")
    assert "1 finding, 1 open.\n\n| Severity | Findings | Open |\n|---|---:|---:|\n| high | 1 | 1 |\n" in text
    assert "### High (1)\n\n#### `exposure:a:b`: A \\| B\n\ndata goes to \\`b\\` &lt;img src=x&gt;\n" in text
    assert "- **Path:** `a` → `b`\n" in text
    assert "- **Data:** `special.health`\n" in text
    assert "- **Status:** open\n" in text
    assert "**Mitigation:** narrow it\n" in text
    assert "### Acceptances that match no finding\n\n- `exposure:zz:*`: accepted by DPO: old\n" in text
    assert "<img" not in text and "<script" not in text


def test_markdown_without_findings():
    model = build([{"id": "a", "sector": "health"}], name="Empty")
    expected = f"## Findings: Empty\n\nModel (no as-of date), digest `{model_digest(model)}`.\n\nNo findings.\n"
    assert render_markdown(Report(model, [])) == expected
