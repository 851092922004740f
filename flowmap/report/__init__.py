"""Assessment reports in the shape of a DPIA (GDPR Art. 35(7)): HTML (self-contained, with the map),
Markdown, or an editable Word document.

:func:`build_content` decides what the report says (pure data, with the DPIA parts of
:mod:`flowmap.report.dpia`); :mod:`flowmap.report.html`, :mod:`flowmap.report.markdown` and
:mod:`flowmap.report.docx` lay it out, so the three never disagree. The record of processing
(GDPR Art. 30) is :mod:`flowmap.report.ropa`.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from flowmap.model import Acceptance, Model
from flowmap.report.content import MAX_FINDINGS, ReportContent, build_content

__all__ = ["REPORT_FORMATS", "ReportContent", "build_content", "figure_png", "render_report", "report_bytes",
           "report_format"]

REPORT_FORMATS = ("html", "markdown", "docx")


def report_format(filename: str) -> str:
    """The format a file name asks for: ``.md``/``.markdown`` -> markdown, ``.docx`` -> docx, anything else -> html.

    >>> report_format("dpia/eu.md"), report_format("eu-report.html"), report_format("DPIA.DOCX")
    ('markdown', 'html', 'docx')
    """
    lower = filename.lower()
    if lower.endswith(".docx"):
        return "docx"
    return "markdown" if lower.endswith((".md", ".markdown")) else "html"


def figure_png(content: ReportContent) -> bytes | None:
    """A static figure of the map as PNG bytes (:func:`flowmap.figure.figure_bytes`, matplotlib), the same
    drawing as ``flowmap map MODEL -o fig.png``; None when flowmap.figure or matplotlib cannot be imported."""
    try:
        from flowmap.figure import figure_bytes
    except ImportError:
        return None
    return figure_bytes(content.model, "png", findings=content.report.findings)


def report_bytes(
    model: Model,
    fmt: str = "html",
    *,
    accepted: Sequence[Acceptance] = (),
    today: dt.date | None = None,
    with_map: bool = True,
    max_findings: int = MAX_FINDINGS,
) -> bytes:
    """The report of ``model`` as file bytes: HTML or Markdown (UTF-8), or a Word document (``docx``).

    ``with_map`` embeds the interactive map in HTML and the static figure in Word."""
    if fmt != "docx":
        return render_report(model, fmt, accepted=accepted, today=today, with_map=with_map,
                             max_findings=max_findings).encode("utf-8")
    from flowmap.report.docx import render_report_docx

    content = build_content(model, accepted=accepted, today=today, max_findings=max_findings)
    return render_report_docx(content, figure=figure_png(content) if with_map else None)


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
    if fmt not in ("html", "markdown"):
        raise ValueError(f"render_report gives text (html, markdown), not {fmt}: use report_bytes")
    content = build_content(model, accepted=accepted, today=today, max_findings=max_findings)
    if fmt == "markdown":
        from flowmap.report.markdown import render_report_markdown

        return render_report_markdown(content)
    from flowmap.report.html import render_report_html

    return render_report_html(content, with_map=with_map)
