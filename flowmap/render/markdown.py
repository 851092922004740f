"""Markdown output: ready to paste into a DPIA.

A summary (model, date, digest, counts by severity and kind, established findings against
questions, the systems with most findings), then the established findings by rank, each with
its id, anchor, origins, first witness path, message, mitigation and status, then the
questions grouped by the system that can answer them, then any acceptance that matched
nothing (with the finding that now covers it) or has lapsed.
Text from the model is escaped; ids, paths and categories sit in code spans. Escaped text
cannot link or notify anyone where the Markdown is shown (GitHub, GitLab): a zero-width space
(``&#8203;``) follows each ``@`` (no @mention, no e-mail link), the ``:`` of ``scheme://`` and
the ``www`` of ``www.`` (no bare-URL autolink); the text reads the same.

>>> escape("a <b> | *c* [d](e)")
'a &lt;b&gt; \\\\| \\\\*c\\\\* \\\\[d\\\\](e)'
>>> escape("@dpo, see https://x.example or www.x.example")
'@&#8203;dpo, see https:&#8203;//x.example or www&#8203;.x.example'
>>> code("a`b")
'``a`b``'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flowmap.render import TOP, asked_text, origins_text, questions_by_system, status_text

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report
    from flowmap.findings import Finding

__all__ = ["render_markdown", "finding_markdown", "escape", "code"]

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_LINKING = re.compile(r"@|(?<=[A-Za-z0-9]):(?=//)|(?i:\bwww)(?=\.)")
_NO_LINK = "&#8203;"  # a zero-width space: breaks autolinks and mentions, shows nothing


def escape(text: str) -> str:
    """Model text as inert Markdown: no emphasis, links, autolinks, mentions, tables or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LINKING.sub(lambda m: m.group(0) + _NO_LINK, _SPECIAL.sub(r"\\\1", text))
    return " ".join(text.split())


def code(text: str) -> str:
    """A code span holding ``text`` whatever backticks it contains."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def finding_markdown(finding: "Finding") -> list[str]:
    """One established finding: a numbered line with rank, severity and title, then its id,
    anchor, origins and first witness path, then its message and mitigation."""
    status = "" if finding.status == "open" else f" ({escape(status_text(finding.acceptance, finding.status))})"
    lines = [f"{finding.rank}. **{finding.severity.name}**: {escape(finding.title)}{status}  "]
    facts = [code(finding.id), f"at {finding.anchor.type} {code(finding.anchor.id)}"]
    if finding.origins_total:
        facts.append(escape(origins_text(finding)))
    if finding.paths:
        facts.append("path " + " → ".join(code(s) for s in finding.paths[0]))
    lines.append("   " + "; ".join(facts) + "  ")
    text = escape(finding.message)
    if finding.mitigation:
        text += f" *Mitigation:* {escape(finding.mitigation)}"
    lines.append("   " + text)
    return lines


def render_markdown(report: "Report", *, show_all: bool = False, top: int = TOP) -> str:
    """The report as a Markdown section: summary, established findings by rank (the first
    ``top`` unless ``show_all``), questions by the system that can answer them, acceptances
    that match nothing or have lapsed.

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
        established = report.established
        questions = report.questions
        open_count = sum(1 for f in report.findings if f.status == "open")
        lines += [f"{total} finding{'s' if total != 1 else ''}, {open_count} open: {len(established)} established, "
                  f"{asked_text(questions)} to answer.", ""]
        lines += ["| Severity | Findings | Established | Open |", "|---|---:|---:|---:|"]
        for name, count in summary["by_severity"].items():
            sure = sum(1 for f in established if f.severity.name == name)
            opened = sum(1 for f in report.findings if f.severity.name == name and f.status == "open")
            lines.append(f"| {name} | {count} | {sure} | {opened} |")
        lines += ["", "| Kind | Findings |", "|---|---:|"]
        lines += [f"| {kind.replace('_', ' ')} | {count} |" for kind, count in summary["by_kind"].items()]
        most = report.most_findings()
        if most:
            lines += ["", "Systems with most findings: " + ", ".join(f"{code(s)} ({n})" for s, n in most) + "."]
        lines.append("")
        if established:
            shown = established if show_all else established[:top]
            lines += [f"### Established findings ({len(established)}, by rank)", ""]
            for finding in shown:
                lines += finding_markdown(finding)
            if len(shown) < len(established):
                lines += ["", f"{len(established) - len(shown)} more: `--all`."]
            lines.append("")
        groups = questions_by_system(questions)
        if groups:
            lines += [f"### Questions to answer ({asked_text(questions)}, by the system that can answer them)", ""]
            shown_groups = groups if show_all else groups[:top]
            lines += [f"- {code(g.system)}: {escape(g.text())}" for g in shown_groups]
            if len(shown_groups) < len(groups):
                lines += ["", f"{len(groups) - len(shown_groups)} more systems with questions: `--all`."]
            lines.append("")
    for title, acceptances in (("Acceptances that match no finding", report.unmatched_acceptances),
                               ("Expired acceptances (no longer counted)", report.expired_acceptances)):
        if acceptances:
            lines += [f"### {title}", ""]
            for a in acceptances:
                until = f" until {a.until.isoformat()}" if a.until else ""
                by = f" by {escape(a.by)}" if a.by else ""
                now = report.replacements.get(a.finding)
                covered = f" (now: {code(now)})" if now else ""
                lines.append(f"- {code(a.finding)}: {a.status.value}{by}{until}: {escape(a.reason)}{covered}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
