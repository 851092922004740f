"""Table output: findings for a person at a terminal, grouped by severity, with a summary line.

Colour (``click.style``) only when asked, which the CLI does when standard
output is a terminal; otherwise plain text, byte-identical run after run.

>>> from flowmap.analysis import Report
>>> from flowmap.findings import Finding, Severity
>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
>>> f = Finding(id="exposure:a:b", rule="exposure", kind="exposure", severity=Severity.high,
...             title="A data reaches B", message="m", path=["a", "b"])
>>> print(render_table(Report(m, [f])), end="")
HIGH (1)
  exposure:a:b  A data reaches B
      path: a -> b
<BLANKLINE>
1 finding: 1 high; 1 open
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from flowmap.findings import Severity
from flowmap.render import status_text

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report

__all__ = ["render_table", "summary_line"]

COLOURS = {
    Severity.critical: {"fg": "red", "bold": True},
    Severity.high: {"fg": "red"},
    Severity.medium: {"fg": "yellow"},
    Severity.low: {"fg": "cyan"},
    Severity.info: {"fg": "white"},
}


def summary_line(report: "Report") -> str:
    """One line: how many findings, by severity, and how many are still open.

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
    open_count = sum(1 for f in report.findings if f.status == "open")
    line = f"{total} finding{'s' if total != 1 else ''}: {parts}; {open_count} open"
    settled = total - open_count
    if settled:
        line += f", {settled} accepted or otherwise settled"
    return line


def render_table(report: "Report", *, color: bool = False) -> str:
    """The findings grouped by severity (most severe first), each with its id, title,
    witness path and status, then :func:`summary_line`.

    Notes
    -----
    Linear in the size of the findings.
    """

    def style(text: str, **how) -> str:
        return click.style(text, **how) if color else text

    lines: list[str] = []
    current: Severity | None = None
    by_severity = report.summary()["by_severity"]
    for finding in report.findings:  # already sorted: severity, then id
        if finding.severity != current:
            if current is not None:
                lines.append("")
            current = finding.severity
            heading = f"{current.name.upper()} ({by_severity[current.name]})"
            lines.append(style(heading, **COLOURS[current]))
        notes = []
        if finding.confidence.value == "low":
            notes.append("low confidence")
        if finding.status != "open":
            notes.append(finding.status)
        suffix = style(f"  [{', '.join(notes)}]", dim=True) if notes else ""
        lines.append(f"  {style(finding.id, bold=True)}  {finding.title}{suffix}")
        if finding.path:
            lines.append(style(f"      path: {' -> '.join(finding.path)}", dim=True))
        elif finding.flows:
            lines.append(style(f"      flows: {', '.join(finding.flows)}", dim=True))
        if finding.status != "open":
            lines.append(style(f"      status: {status_text(finding.acceptance, finding.status)}", dim=True))
    if lines:
        lines.append("")
    lines.append(style(summary_line(report), bold=True))
    return "\n".join(lines) + "\n"
