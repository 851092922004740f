"""Table output: what matters first, for a person at a terminal.

A summary (counts by severity and kind, established findings against questions, the systems
with most findings), then the **established** findings in rank order (the first
:data:`~flowmap.render.TOP`, or all with ``show_all``), each in three lines: rank, severity and
title; id, anchor and origins; the first witness path. Then the **questions**: the findings that
rest on unknowns, one line per system that can answer them. Then acceptances that match no
finding, and the summary line again. Colour (``click.style``) only when asked, which the CLI does when standard output is a
terminal; otherwise plain text, byte-identical run after run.

>>> from flowmap.analysis import Report
>>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
>>> f = Finding(id="exposure:a->b", rule="exposure", kind=Kind.exposure, severity=Severity.high,
...             confidence=Confidence.high, title="A data reaches B", message="m", anchor=Anchor("flow", "a->b"),
...             systems=["a", "b"], origins=["a"], origins_total=1, paths=[["a", "b"]], rank=1)
>>> print(render_table(Report(m, [f])), end="")
1 finding: 1 high; 1 established, no questions; 1 open
by kind: exposure 1
most findings: a (1), b (1)
<BLANKLINE>
ESTABLISHED FINDINGS (1, by rank)
   1 HIGH      A data reaches B
               exposure:a->b  at flow a->b  1 origin: a
               path: a -> b
<BLANKLINE>
1 finding: 1 high; 1 established, no questions; 1 open
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from flowmap.findings import Severity
from flowmap.render import TOP, asked_text, origins_text, questions_by_system, status_text, unmatched_text

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report
    from flowmap.findings import Finding

__all__ = ["render_table", "summary_line", "summary_lines"]

COLOURS = {
    Severity.critical: {"fg": "red", "bold": True},
    Severity.high: {"fg": "red"},
    Severity.medium: {"fg": "yellow"},
    Severity.low: {"fg": "cyan"},
    Severity.info: {"fg": "white"},
}
INDENT = " " * 15  # under the title: width of "  NNN SEVERITY  "


def summary_line(report: "Report") -> str:
    """One line: how many findings, by severity, established and questions, and how many are open.

    >>> from flowmap.analysis import Report
    >>> from flowmap.model import Model
    >>> summary_line(Report(Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "a", "sector": "health"}]}), []))
    'no findings'
    """
    summary = report.summary()
    total = summary["findings"]
    if not total:
        return "no findings"
    parts = ", ".join(f"{count} {name}" for name, count in summary["by_severity"].items())
    established = summary["by_confidence"].get("high", 0)
    open_count = sum(1 for f in report.findings if f.status == "open")
    line = (f"{total} finding{'s' if total != 1 else ''}: {parts}; {established} established, "
            f"{asked_text(report.questions)}; {open_count} open")
    settled = total - open_count
    if settled:
        line += f", {settled} accepted or otherwise settled"
    return line


def summary_lines(report: "Report") -> list[str]:
    """The summary: :func:`summary_line`, counts by kind, the systems with most findings."""
    lines = [summary_line(report)]
    if not report.findings:
        return lines
    kinds = report.summary()["by_kind"]
    lines.append("by kind: " + ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in kinds.items()))
    most = report.most_findings()
    if most:
        lines.append("most findings: " + ", ".join(f"{system} ({n})" for system, n in most))
    return lines


def finding_lines(finding: "Finding", style=lambda text, **how: text) -> list[str]:
    """One established finding in two or three lines (four when it is not open)."""
    notes = [] if finding.status == "open" else [finding.status]
    suffix = style(f"  [{', '.join(notes)}]", dim=True) if notes else ""
    head = f"{finding.rank:>4} {style(f'{finding.severity.name.upper():<9}', **COLOURS[finding.severity])} "
    lines = [f"{head}{finding.title}{suffix}"]
    facts = [style(finding.id, bold=True), f"at {finding.anchor.type} {finding.anchor.id}"]
    if finding.origins_total:
        facts.append(origins_text(finding))
    if finding.reached_total:
        facts.append(f"reaches {finding.reached_total} system{'s' if finding.reached_total != 1 else ''}")
    lines.append(INDENT + "  ".join(facts))
    if finding.paths:
        more = f" (+{len(finding.paths) - 1} more)" if len(finding.paths) > 1 else ""
        lines.append(style(f"{INDENT}path: {' -> '.join(finding.paths[0])}{more}", dim=True))
    if finding.status != "open":
        lines.append(style(f"{INDENT}status: {status_text(finding.acceptance, finding.status)}", dim=True))
    return lines


def render_table(report: "Report", *, color: bool = False, show_all: bool = False, top: int = TOP) -> str:
    """The summary, the established findings by rank, the questions by system, then acceptances
    that match no finding. Without ``show_all``, the first ``top`` established findings and the
    first ``top`` systems with questions are shown, and the rest counted.

    Notes
    -----
    Linear in the number of findings.
    """

    def style(text: str, **how) -> str:
        return click.style(text, **how) if color else text

    lines = [style(line, bold=True) if n == 0 else line for n, line in enumerate(summary_lines(report))]
    established = report.established
    if established:
        shown = established if show_all else established[:top]
        lines += ["", style(f"ESTABLISHED FINDINGS ({len(established)}, by rank)", bold=True)]
        for finding in shown:
            lines += finding_lines(finding, style)
        if len(shown) < len(established):
            lines.append(f"  {len(established) - len(shown)} more: --all")
    groups = questions_by_system(report.questions)
    if groups:
        lines += ["", style(f"QUESTIONS ({asked_text(report.questions)}, by the system that can answer them)", bold=True)]
        shown_groups = groups if show_all else groups[:top]
        for group in shown_groups:
            lines.append(f"  {style(group.system, bold=True)}: {group.text()}")
        if len(shown_groups) < len(groups):
            lines.append(f"  {len(groups) - len(shown_groups)} more systems with questions: --all")
    if report.unmatched_acceptances:
        lines += ["", style("ACCEPTANCES THAT MATCH NO FINDING", bold=True)]
        lines += [f"  {a.finding}: {unmatched_text(report, a)}" for a in report.unmatched_acceptances]
    if report.findings:  # the totals again at the end, where a long listing leaves the reader (and `tail -1`)
        lines += ["", style(summary_line(report), bold=True)]
    return "\n".join(lines) + "\n"
