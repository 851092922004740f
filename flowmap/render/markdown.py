"""Markdown output: ready to paste into a DPIA.

A summary (model, date, digest, counts), then the findings grouped by
severity, each with its message, witness path, mitigation and status (with the
acceptance behind it), then any acceptance that matched nothing or has lapsed.
Text from the model is escaped; ids, paths and categories sit in code spans.

>>> escape("a <b> | *c* [d](e)")
'a &lt;b&gt; \\\\| \\\\*c\\\\* \\\\[d\\\\](e)'
>>> code("a`b")
'``a`b``'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flowmap.findings import Severity
from flowmap.render import status_text

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report
    from flowmap.findings import Finding

__all__ = ["render_markdown", "escape", "code"]

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def escape(text: str) -> str:
    """Model text as inert Markdown: no emphasis, links, tables or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(_SPECIAL.sub(r"\\\1", text).split())


def code(text: str) -> str:
    """A code span holding ``text`` whatever backticks it contains."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _finding(finding: "Finding") -> list[str]:
    lines = [f"#### {code(finding.id)}: {escape(finding.title)}", ""]
    facts = [
        f"- **Rule:** {code(finding.rule)} ({finding.kind.value.replace('_', ' ')}), "
        f"confidence {finding.confidence.value}"
    ]
    if finding.categories:
        facts.append(f"- **Data:** {', '.join(code(c) for c in finding.categories)}")
    if finding.path:
        facts.append(f"- **Path:** {' → '.join(code(s) for s in finding.path)}")
    if finding.flows:
        facts.append(f"- **Flows:** {', '.join(code(f) for f in finding.flows)}")
    if finding.principles:
        facts.append(f"- **Principles:** {', '.join(p.replace('_', ' ') for p in finding.principles)}")
    facts.append(f"- **Status:** {escape(status_text(finding.acceptance, finding.status))}")
    lines += [escape(finding.message), "", *facts]
    if finding.mitigation:
        lines += ["", f"**Mitigation:** {escape(finding.mitigation)}"]
    lines.append("")
    return lines


def render_markdown(report: "Report") -> str:
    """The report as a Markdown section.

    Notes
    -----
    Linear in the size of the findings.
    """
    from flowmap.analysis import model_digest

    model = report.model
    summary = report.summary()
    lines = [f"## Findings: {escape(model.name)}", ""]
    about = [f"Model as of {escape(model.as_of)}" if model.as_of else "Model (no as-of date)",
             f"digest {code(model_digest(model))}"]
    lines += [", ".join(about) + ".", ""]
    total = summary["findings"]
    if not total:
        lines += ["No findings.", ""]
    else:
        open_count = sum(1 for f in report.findings if f.status == "open")
        lines += [f"{total} finding{'s' if total != 1 else ''}, {open_count} open.", ""]
        lines += ["| Severity | Findings | Open |", "|---|---:|---:|"]
        for name, count in summary["by_severity"].items():
            opened = sum(1 for f in report.findings if f.severity.name == name and f.status == "open")
            lines.append(f"| {name} | {count} | {opened} |")
        lines += ["", "| Kind | Findings |", "|---|---:|"]
        lines += [f"| {kind.replace('_', ' ')} | {count} |" for kind, count in summary["by_kind"].items()]
        lines.append("")
    current: Severity | None = None
    for finding in report.findings:
        if finding.severity != current:
            current = finding.severity
            lines += [f"### {current.name.capitalize()} ({summary['by_severity'][current.name]})", ""]
        lines += _finding(finding)
    for title, acceptances in (("Acceptances that match no finding", report.unmatched_acceptances),
                               ("Expired acceptances (no longer counted)", report.expired_acceptances)):
        if acceptances:
            lines += [f"### {title}", ""]
            for a in acceptances:
                until = f" until {a.until.isoformat()}" if a.until else ""
                by = f" by {escape(a.by)}" if a.by else ""
                lines.append(f"- {code(a.finding)}: {a.status.value}{by}{until}: {escape(a.reason)}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
