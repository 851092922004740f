"""The assessment report as one self-contained, offline HTML file.

Jinja2 renders ``templates/report.html.j2`` with autoescaping on, so every
string from the model is escaped; only our own CSS and the map fragment's
assets (see :func:`flowmap.maps.map_fragment`) are inserted raw. The page loads
nothing: no ``src``/``href`` to any URL, and a Content-Security-Policy that
allows only its own inline styles and scripts, by sha256 hash. Nothing depends
on the clock: the same model gives the same bytes.

Printed (or saved as PDF from a browser), the report shows the static figure of the map
where the interactive map is: the drawing of ``flowmap map MODEL -o fig.svg``, inlined as
inert SVG by :mod:`flowmap.report.print_figure` and hidden on screen by the print stylesheet.

>>> severity_css()[:40]
'.sev-critical { background: #882255; col'
"""

from __future__ import annotations

import functools
from importlib import resources

import jinja2

from flowmap.findings import Severity
from flowmap.maps.html import csp_hash
from flowmap.maps.style import SEVERITY_COLOURS
from flowmap.report.content import ReportContent, principle_title
from flowmap.report.dpia import ACTION_COLUMNS, REGISTER_COLUMNS, RESIDUAL_COLUMNS, SIGN_OFF, SIGN_OFF_COLUMNS
from flowmap.report.parts import PARTS, SECTIONS

__all__ = ["render_report_html", "severity_css"]

_LIGHT = {"medium", "info"}  # background colours light enough for dark text


def severity_css() -> str:
    """Colour classes for severities, from the map's palette (``sev-*`` fills, ``bl-*`` left borders)."""
    rules = []
    for severity in reversed(Severity):
        colour = SEVERITY_COLOURS[severity.name]
        text = "#000" if severity.name in _LIGHT else "#fff"
        rules.append(f".sev-{severity.name} {{ background: {colour}; color: {text}; }}")
        rules.append(f".bl-{severity.name} {{ border-left-color: {colour}; }}")
    return "\n".join(rules) + "\n"


def _resource(name: str) -> str:
    return resources.files("flowmap").joinpath("templates", name).read_text("utf-8")


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_resource),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _anchor(finding_id: str) -> str:
    return "finding-" + finding_id


def render_report_html(content: ReportContent, *, with_map: bool = True) -> str:
    """The report page; ``with_map`` embeds the interactive map (flowmap.maps) and, for print,
    its static figure (:func:`flowmap.report.print_figure.print_figure`)."""
    fragment = figure = None
    if with_map:
        from flowmap.maps import build_map_data, map_fragment
        from flowmap.report.print_figure import print_figure

        data = build_map_data(content.model, findings=content.report.findings)
        fragment = map_fragment(data)
        figure = print_figure(content.model, data, content.report.findings)
    styles = [_resource("report.css") + severity_css(), *(fragment.styles if fragment else ()),
              *((figure.css,) if figure else ())]
    scripts = list(fragment.scripts) if fragment else []
    csp = (
        "default-src 'none'; "
        f"script-src {' '.join(csp_hash(s) for s in scripts) or chr(39) + 'none' + chr(39)}; "
        f"style-src {' '.join(csp_hash(s) for s in styles)}; "
        "img-src data:; font-src 'none'; connect-src 'none'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    return _environment().get_template("report.html.j2").render(
        c=content,
        csp=csp,
        styles=styles,
        scripts=scripts,
        map=fragment,
        figure=figure,
        anchor=_anchor,
        title=principle_title,
        severities=[s.name for s in reversed(Severity)],
        open_count=sum(1 for f in content.report.findings if f.status == "open"),
        has_actors=any(s.actor for s in content.model.systems),
        parts=PARTS,
        sections=SECTIONS,
        register_columns=REGISTER_COLUMNS,
        action_columns=ACTION_COLUMNS,
        residual_columns=RESIDUAL_COLUMNS,
        sign_off=SIGN_OFF,
        sign_off_columns=SIGN_OFF_COLUMNS,
    )
