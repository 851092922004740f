"""Assessment reports a DPO can attach to a DPIA: HTML (self-contained, with the map) or Markdown.

:func:`build_content` decides what the report says (pure data);
:mod:`flowmap.report.html` and :mod:`flowmap.report.markdown` lay it out.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from flowmap.model import Acceptance, Model
from flowmap.report.content import MAX_FINDINGS, ReportContent, build_content

__all__ = ["REPORT_FORMATS", "ReportContent", "build_content", "render_report", "report_format"]

REPORT_FORMATS = ("html", "markdown")


def report_format(filename: str) -> str:
    """The format a file name asks for: ``.md``/``.markdown`` -> markdown, anything else -> html.

    >>> report_format("dpia/eu.md"), report_format("eu-report.html")
    ('markdown', 'html')
    """
    return "markdown" if filename.lower().endswith((".md", ".markdown")) else "html"


def render_report(
    model: Model,
    fmt: str = "html",
    *,
    accepted: Sequence[Acceptance] = (),
    today: dt.date | None = None,
    with_map: bool = True,
    max_findings: int = MAX_FINDINGS,
) -> str:
    """The report of ``model`` as HTML or Markdown text (deterministic for a given model and day)."""
    content = build_content(model, accepted=accepted, today=today, max_findings=max_findings)
    if fmt == "markdown":
        from flowmap.report.markdown import render_report_markdown

        return render_report_markdown(content)
    from flowmap.report.html import render_report_html

    return render_report_html(content, with_map=with_map)
