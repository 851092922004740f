"""The static figure the HTML report prints where its interactive map is.

:func:`print_figure` draws the map's data with :mod:`flowmap.figure` (the drawing ``flowmap map
MODEL -o fig.svg`` writes) and :func:`inline_svg` turns matplotlib's SVG into markup and a
stylesheet that the report can hold inline:

- **Inert.** The SVG is parsed and written again from an allowlist: SVG drawing elements and
  their geometry only. No script, ``foreignObject``, event attribute or link leaves it but a
  reference to an ``#id`` inside the figure; text is escaped on the way out. (matplotlib already
  writes model text as escaped text; this holds whatever a later matplotlib writes.)
- **Allowed by the report's Content-Security-Policy.** The report allows styles only by hash,
  which blocks ``style`` attributes; each distinct ``style`` becomes a class of one stylesheet
  that the report hashes like its others. Declarations are checked too: known properties, and
  values without ``(``, ``;``, braces or ``<``.
- **Its own ids.** Ids are prefixed (``fmfig-``) so they cannot clash with the report's.
- **Bounded.** Above :data:`FIGURE_LIMIT` characters (many flows between up to
  :data:`~flowmap.maps.clusters.CLUSTER_LIMIT` systems) the printed figure shows the clusters
  by sector that a larger map opens with, which stay small at any size.
- **Deterministic.** Classes are numbered in document order; the figure itself is
  byte-identical run to run.

>>> svg = b'''<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
...   width="10pt" height="5pt" viewBox="0 0 10 5" onload="alert(1)"><script>alert(2)</script>
...   <defs><clipPath id="c"><rect x="0" y="0" width="9" height="4"/></clipPath></defs>
...   <path d="M 0 0 L 9 4" clip-path="url(#c)" style="fill: none; stroke: #882255; behavior: url(x)"/>
...   <text style="font-size: 7px; fill: #222222" x="1" y="4">&lt;b onclick=x&gt;</text>
...   <use xlink:href="https://example.org/x.svg#a"/></svg>'''
>>> markup, css = inline_svg(svg)
>>> print(markup.replace("><", ">\\n<"))
<svg class="fm-figure" viewBox="0 0 10 5" role="img">
<defs>
<clipPath id="fmfig-c">
<rect x="0" y="0" width="9" height="4"/>
</clipPath>
</defs>
<path d="M 0 0 L 9 4" clip-path="url(#fmfig-c)" class="fmf-0"/>
<text x="1" y="4" class="fmf-1">&lt;b onclick=x&gt;</text>
<use/>
</svg>
>>> print(css.splitlines()[-2])
svg.fm-figure .fmf-0 { fill: none; stroke: #882255 }
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Sequence

__all__ = ["FIGURE_LIMIT", "PrintFigure", "inline_svg", "print_figure"]

FIGURE_LIMIT = 3_000_000  # characters of inline SVG in a report; above it the figure shows clusters
PREFIX = "fmfig-"

_SVG = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}"
_ELEMENTS = {"svg", "g", "defs", "clipPath", "path", "use", "rect", "circle", "ellipse", "line", "polyline",
             "polygon", "text", "tspan"}
_TEXT = {"text", "tspan"}
_NUMBER = re.compile(r"-?[\d.]+(?:e[-+]?\d+)?(?:pt|px|%)?", re.I)
_NUMBERS = re.compile(r"[-\d.eE+ ,]*")
# attribute -> the values it may take (fullmatch)
_ATTRIBUTES = {
    "id": re.compile(r"[\w-]+"),
    "d": re.compile(r"[MLHVCSQTAZmlhvcsqtaz\d.eE+\-\s,]*"),
    "transform": re.compile(r"(?:\s*(?:matrix|translate|scale|rotate|skewX|skewY)\([-\d.eE+ ,]*\)\s*)*"),
    "clip-path": re.compile(r"url\(#[\w-]+\)"),
    "viewBox": _NUMBERS, "points": _NUMBERS,
    **{name: _NUMBER for name in ("x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry")},
}
_PROPERTIES = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
               "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity", "font",
               "font-size", "font-family", "font-weight", "font-style", "font-stretch", "text-anchor",
               "dominant-baseline", "white-space"}
_VALUE = re.compile(r"[#\w .,'%+-]+")
_REFERENCE = re.compile(r"#[\w-]+")


@dataclass(frozen=True)
class PrintFigure:
    """Inline SVG ``markup`` and its ``css``; ``clustered`` when it shows clusters of systems."""

    markup: str
    css: str
    clustered: bool


def _declarations(style: str) -> str:
    """The declarations of a ``style`` attribute that are known and plain, in order, normalised."""
    kept = []
    for part in style.split(";"):
        name, colon, value = part.partition(":")
        name, value = name.strip().lower(), value.strip()
        if colon and name in _PROPERTIES and _VALUE.fullmatch(value):
            kept.append(f"{name}: {value}")
    return "; ".join(kept)


def inline_svg(svg: bytes, *, prefix: str = PREFIX, scope: str = "fm-figure") -> tuple[str, str]:
    """(markup, css) of a matplotlib SVG for inlining in an HTML page; see the module docstring.

    ``scope`` is the class of the ``<svg>`` element, and every CSS rule is scoped by it.
    """
    root = ET.fromstring(svg)  # noqa: S314  (our own matplotlib output, parsed to be rewritten)
    classes: dict[str, str] = {}
    out: list[str] = []

    def attributes(element: ET.Element, name: str) -> list[str]:
        kept = []
        for key, value in element.attrib.items():
            if key == f"{_XLINK}href" or key == "href":
                if _REFERENCE.fullmatch(value):
                    kept.append(f'xlink:href="#{prefix}{html.escape(value[1:])}"')
                continue
            check = _ATTRIBUTES.get(key)
            if check is None or not check.fullmatch(value):
                continue
            if name == "svg" and key in ("width", "height", "id"):
                continue  # the page sizes the figure
            if key == "d":
                value = " ".join(value.split())
            elif key == "id":
                value = prefix + value
            elif key == "clip-path":
                value = f"url(#{prefix}{value[5:]}"
            kept.append(f'{key}="{html.escape(value)}"')
        style = _declarations(element.attrib.get("style", ""))
        if name == "svg":
            kept.insert(0, f'class="{scope}"')
            kept.append('role="img"')
        elif style:
            kept.append(f'class="{classes.setdefault(style, f"fmf-{len(classes)}")}"')
        return kept

    def write(element: ET.Element) -> None:
        if not element.tag.startswith(_SVG):
            return
        name = element.tag[len(_SVG):]
        if name not in _ELEMENTS:
            return
        out.append("<" + " ".join([name, *attributes(element, name)]))
        children = list(element)
        text = element.text if name in _TEXT else None
        if not children and not text:
            out.append("/>")
            return
        out.append(">")
        if text:
            out.append(html.escape(text, quote=False))
        for child in children:
            write(child)
            if name in _TEXT and child.tail:
                out.append(html.escape(child.tail, quote=False))
        out.append(f"</{name}>")

    write(root)
    css = [f"svg.{scope} {{ display: block; width: 100%; height: auto; }}",
           f"svg.{scope} * {{ stroke-linejoin: round; stroke-linecap: butt; }}"]  # matplotlib's own sheet, scoped
    css += [f"svg.{scope} .{name} {{ {style} }}" for style, name in classes.items()]
    return "".join(out), "\n".join(css) + "\n"


def print_figure(model, data, findings: Sequence | None, *, limit: int = FIGURE_LIMIT) -> PrintFigure | None:
    """The figure of ``data`` (the report's :class:`~flowmap.maps.MapData`) for print, or None
    when matplotlib cannot be imported.

    Above ``limit`` characters of markup the figure is drawn again as clusters by sector
    (``findings`` style their links, as on the map).

    Notes
    -----
    One matplotlib drawing (up to about 4 s at the cluster limit of 400 systems and 2,000
    flows, each drawn with its arrow head); with the fallback, a second one of the clusters.
    """
    try:
        from flowmap.figure import render_figure
    except ImportError:
        return None
    markup, css = inline_svg(render_figure(data, "svg"))
    clustered = data.lod is not None
    if len(markup) > limit and not clustered:
        from flowmap.maps import build_map_data

        clusters = build_map_data(model, style_findings=list(findings or ()) or None, title=data.title,
                                  cluster_limit=0)
        markup, css = inline_svg(render_figure(clusters, "svg"))
        clustered = True
    return PrintFigure(markup, css, clustered)
