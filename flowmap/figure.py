"""Static figures of a map for papers and reports: SVG, PNG or PDF from one matplotlib drawing.

``flowmap map MODEL -o fig.svg`` (or ``.png``, ``.pdf``) draws what the HTML map draws, in the
same places (:mod:`flowmap.maps.layout`): systems coloured by sector from the colour-blind-safe
palette and shaped by kind (so a greyscale print still tells kinds apart), actors of concern
with a thick black outline, flows styled by a dash pattern as well as a colour (insecure: long
dashes; function creep: dash-dot; security unknown: dots; secured: solid), a legend and a
title. Above :data:`~flowmap.maps.clusters.CLUSTER_LIMIT` systems it draws the clusters the
HTML map opens with (by sector), flows between them aggregated: width by number of flows,
colour by the worst finding on them.

- **Deterministic.** The same model gives the same bytes: a fixed SVG hash salt, no dates in
  SVG or PDF metadata, no software or time stamp in the PNG.
- **Inert.** Model text is drawn as text (matplotlib escapes it in the SVG, and reading ``$``
  as mathematics is off), bidirectional controls are shown, not applied; the SVG holds no
  script, no event attribute, and no link but matplotlib's own ``#id`` references.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "demo", "systems": [
...     {"id": "a", "sector": "health"}, {"id": "b", "sector": "police", "kind": "authority"}],
...   "flows": [{"from": "a", "to": "b", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> figure_bytes(m, "svg")[:5], figure_bytes(m, "png")[:4], figure_bytes(m, "pdf")[:5]
(b'<?xml', b'\\x89PNG', b'%PDF-')
>>> figure_bytes(m, "svg") == figure_bytes(m, "svg")
True
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

from flowmap.maps.clusters import SEVERITY_ORDER, aggregate
from flowmap.maps.data import MapData, build_map_data
from flowmap.maps.html import neutralise_bidi
from flowmap.maps import style

__all__ = ["FORMATS", "figure_bytes", "render_figure", "MARKERS", "LINESTYLES"]

FORMATS = ("svg", "png", "pdf")

# matplotlib markers for the kinds (the HTML map's shapes)
MARKERS = {"dot": "o", "square": "s", "diamond": "D", "hexagon": "h", "triangle": "^", "triangleDown": "v",
           "star": "*"}
# dash patterns carry the flow style in greyscale; colours are the HTML map's
LINESTYLES = {"insecure": (0, (6, 3)), "creep": (0, (5, 2, 1, 2)), "unknown": (0, (1, 2)), "normal": "solid"}
LABEL_LIMIT = 150  # systems named on the figure up to this many
ARROW_LIMIT = 2000  # flows drawn with arrow heads up to this many
_NO_FINDING = "#9E9E9E"
_METADATA = {
    "svg": {"Date": None, "Creator": "flowmap", "Format": None, "Type": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "flowmap", "Producer": "flowmap"},
    "png": {"Software": None},
}


def figure_bytes(model, fmt: str, *, with_findings: bool = True, findings=None, focus: str | None = None,
                 category: str | None = None, title: str | None = None, **options: Any) -> bytes:
    """The figure of ``model`` as ``fmt`` (``svg``, ``png`` or ``pdf``) bytes.

    ``findings``: the findings that style the flows (default: ``analyze(model)``'s, unless
    ``with_findings`` is false). ``focus``, ``category``, ``title`` and further ``options``
    (e.g. ``cluster_limit``) are those of :func:`flowmap.maps.build_map_data`. For a report or a
    DOCX, ``figure_bytes(model, "png")``.
    """
    if findings is None and with_findings:
        from flowmap.analysis import analyze

        findings = analyze(model).findings
    data = build_map_data(model, style_findings=findings or None, focus=focus, category=category, title=title,
                          **options)
    return render_figure(data, fmt)


def _text(value: str) -> str:
    return neutralise_bidi(value)


def render_figure(data: MapData, fmt: str, *, width: float = 12.0, height: float = 9.0, dpi: int = 200) -> bytes:
    """Draw ``data`` (see :func:`flowmap.maps.build_map_data`) as ``fmt`` bytes."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"a figure is svg, png or pdf, not {fmt!r}")
    import matplotlib

    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": "flowmap", "svg.fonttype": "none", "pdf.fonttype": 42,
                                "font.family": "DejaVu Sans", "path.simplify": True, "text.usetex": False}):
        fig = Figure(figsize=(width, height), dpi=dpi)
        ax = fig.add_axes((0.01, 0.02, 0.66, 0.88))
        ax.set_axis_off()
        ax.set_aspect("equal")
        if data.lod:
            handles = _draw_clusters(ax, data)
        else:
            handles = _draw_systems(ax, data)
        ax.invert_yaxis()  # canvas y grows downwards, as on the HTML map
        fig.text(0.01, 0.965, _text(data.title), fontsize=15, fontweight="bold", va="top", parse_math=False)
        fig.text(0.01, 0.925, _text(data.subtitle), fontsize=9, color="#555555", va="top", parse_math=False)
        legend = fig.legend(*zip(*handles), loc="upper left", bbox_to_anchor=(0.68, 0.9), fontsize=7.5,
                            frameon=False, handlelength=3.2, borderaxespad=0)
        for text in legend.get_texts():
            text.set_parse_math(False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt], dpi=dpi)
    return buffer.getvalue()


def _draw_systems(ax, data: MapData) -> list[tuple[Any, str]]:
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    pos = {n["id"]: (n["x"], n["y"]) for n in data.nodes}
    looks = {e[0]: {"colour": e[1], "label": e[2]} for e in data.legend["edges"]}
    status = {s[0]: {"colour": s[1], "opacity": s[2]} for s in data.legend["statuses"]}
    xs = [n["x"] for n in data.nodes]
    ys = [n["y"] for n in data.nodes]
    span = max(max(xs, default=0) - min(xs, default=0), max(ys, default=0) - min(ys, default=0))
    margin = max(60, 0.12 * span) if len(data.nodes) <= LABEL_LIMIT else 60  # room for names
    scale = _marker_scale(xs, ys, len(data.nodes))
    per_point = (span + 2 * margin) / _AXES_POINTS  # data units per point, once the limits are set
    radius = {n["id"]: n["size"] * scale / 2 * per_point for n in data.nodes}  # a marker's radius, in data units
    arrows = len(data.edges) <= ARROW_LIMIT
    for name in ("normal", "unknown", "creep", "insecure"):  # the worst on top
        mine = [e for e in data.edges if e["style"] == name]
        if not mine:
            continue
        colours = [status[e["status"]]["colour"] if e.get("status") else looks[name]["colour"] for e in mine]
        alphas = [status[e["status"]]["opacity"] if e.get("status") else 0.85 for e in mine]
        segments = [_between(pos[e["from"]], pos[e["to"]], radius[e["from"]], radius[e["to"]]) for e in mine]
        if arrows:
            ax.add_collection(LineCollection(segments, colors=colours, alpha=alphas,
                                             linewidths=[e["width"] * 0.6 for e in mine], linestyles=LINESTYLES[name],
                                             zorder=1))
            heads = [_head(a, b, per_point) for (a, b) in segments]
            heads += [_head(b, a, per_point) for (a, b), e in zip(segments, mine) if e.get("both")]
            head_colours = colours + [c for c, e in zip(colours, mine) if e.get("both")]
            head_alphas = alphas + [a for a, e in zip(alphas, mine) if e.get("both")]
            ax.add_collection(PolyCollection(heads, facecolors=head_colours, edgecolors="none", alpha=head_alphas,
                                             zorder=1))
        else:
            lines = LineCollection(segments, colors=colours, linewidths=[e["width"] * 0.4 for e in mine],
                                   linestyles=LINESTYLES[name], alpha=0.5, zorder=1)
            ax.add_collection(lines)
    sectors = dict(map(tuple, data.legend["sectors"]))
    kinds = {k[0]: k[1] for k in data.legend["kinds"]}
    ordered = sorted(data.nodes, key=lambda n: (n["kind"], n["id"]))  # one collection per kind, fixed order
    groups: dict[str, list] = {}
    for n in ordered:
        groups.setdefault(n["kind"], []).append(n)
    for kind, mine in groups.items():
        edge = ["#000000" if n.get("actor") else (status[n["status"]]["colour"] if n.get("status") else "#333333")
                for n in mine]
        widths = [2.2 if n.get("actor") or n.get("status") else 0.5 for n in mine]
        points = ax.scatter([n["x"] for n in mine], [n["y"] for n in mine], s=[(n["size"] * scale) ** 2 for n in mine],
                            marker=MARKERS[kinds[kind]], c=[sectors[n["sector"]] for n in mine], edgecolors=edge,
                            linewidths=widths, zorder=3)
        points.set_gid(f"fm-systems-{kind}")
    if len(data.nodes) <= LABEL_LIMIT:
        for n in data.nodes:
            ax.annotate(_label(n["label"]), (n["x"], n["y"]), xytext=(0, -(n["size"] * scale) / 1.6 - 3),
                        textcoords="offset points", ha="center", va="top", fontsize=6.5, color="#222222",
                        parse_math=False, zorder=4, annotation_clip=False)
    _fit(ax, xs, ys, margin=margin)
    handles: list[tuple[Any, str]] = [(Patch(color="none"), "Sectors")]
    handles += [(Patch(facecolor=c, edgecolor="#333333"), _text(s.replace("_", " "))) for s, c in sectors.items()]
    handles.append((Patch(color="none"), "Kinds"))
    handles += [(Line2D([], [], marker=MARKERS[m], linestyle="", color="#888888", markeredgecolor="#333333",
                        markersize=7), k) for k, m in kinds.items()]
    if data.legend["actor"]:
        handles.append((Line2D([], [], marker="o", linestyle="", color="#FFFFFF", markeredgecolor="#000000",
                               markeredgewidth=2.2, markersize=7), "actor of concern (\u2691, thick outline)"))
    handles.append((Patch(color="none"), "Flows (width: most sensitive data)"))
    for key, look in looks.items():
        handles.append((Line2D([], [], color=look["colour"], linestyle=LINESTYLES[key], linewidth=2), look["label"]))
    for key, look in status.items():
        handles.append((Patch(facecolor="none", edgecolor=look["colour"], linewidth=2), key))
    return handles


def _draw_clusters(ax, data: MapData) -> list[tuple[Any, str]]:
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Patch

    lod = data.lod
    grouping = lod["groupings"][lod["by"]]
    clusters = grouping["clusters"]
    index = {n["id"]: i for i, n in enumerate(data.nodes)}
    links = aggregate(data.edges, grouping["of"], index)
    colours = style.SEVERITY_COLOURS
    segments, widths, tints = [], [], []
    for link in sorted(links, key=lambda x: (-SEVERITY_ORDER.index(x["severity"]) if x["severity"] else 1,
                                             x["from"], x["to"])):
        a, b = clusters[link["from"]], clusters[link["to"]]
        dx, dy = b["x"] - a["x"], b["y"] - a["y"]
        length = math.hypot(dx, dy) or 1.0
        off = (-dy / length * a["r"] * 0.08, dx / length * a["r"] * 0.08)  # the two directions side by side
        segments.append(((a["x"] + off[0], a["y"] + off[1]), (b["x"] + off[0], b["y"] + off[1])))
        widths.append(link["width"])
        tints.append(colours[link["severity"]] if link["severity"] else _NO_FINDING)
    ax.add_collection(LineCollection(segments, linewidths=widths, colors=tints, alpha=0.7, zorder=1))
    circles = PatchCollection([Circle((c["x"], c["y"]), c["r"]) for c in clusters],
                              facecolors=[c["colour"] for c in clusters], alpha=0.9, zorder=2,
                              edgecolors=[colours[c["severity"]] if c["severity"] else "#333333" for c in clusters],
                              linewidths=[2.5 if c["severity"] else 0.8 for c in clusters])
    circles.set_gid("fm-clusters")
    ax.add_collection(circles)
    for c in clusters:
        ax.text(c["x"], c["y"], f"{_text(c['label'])}\n{c['count']:,} systems", ha="center", va="center",
                fontsize=7, zorder=4, parse_math=False,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "#FFFFFF", "edgecolor": "none", "alpha": 0.8})
    xs = [c["x"] + s * c["r"] for c in clusters for s in (-1, 1)]
    ys = [c["y"] + s * c["r"] for c in clusters for s in (-1, 1)]
    _fit(ax, xs, ys, margin=20)
    handles: list[tuple[Any, str]] = [
        (Patch(color="none"), f"Clusters by {lod['by']} (above {lod['limit']:,} systems)"),
        (Patch(facecolor="#DDDDDD", edgecolor="#333333"), "a cluster: its systems, counted"),
        (Patch(color="none"), "Flows between clusters"),
        (Line2D([], [], color=_NO_FINDING, linewidth=1), "width: number of flows (log)"),
    ]
    used = {link["severity"] for link in links} | {c["severity"] for c in clusters}
    for severity in SEVERITY_ORDER:
        if severity in used:
            handles.append((Line2D([], [], color=colours[severity], linewidth=3), f"worst finding: {severity}"))
    if None in used:
        handles.append((Line2D([], [], color=_NO_FINDING, linewidth=3), "no finding"))
    return handles


_AXES_POINTS = 0.66 * 12.0 * 72  # the map's axes are 0.66 of a 12-inch-wide figure, square (equal aspect)
_HEAD_LENGTH, _HEAD_HALF_WIDTH = 5.0, 2.2  # arrow heads, in points
_LABEL_WIDTH = 24  # characters per line of a system's name


def _between(a: tuple[float, float], b: tuple[float, float], shrink_a: float, shrink_b: float):
    """The segment from ``a`` to ``b`` cut back by the two markers' radii (the flow meets their edges).

    >>> _between((0, 0), (10, 0), 1, 2)
    ((1.0, 0.0), (8.0, 0.0))
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length <= shrink_a + shrink_b:
        return (a, b)
    ux, uy = dx / length, dy / length
    return ((a[0] + ux * shrink_a, a[1] + uy * shrink_a), (b[0] - ux * shrink_b, b[1] - uy * shrink_b))


def _head(a: tuple[float, float], b: tuple[float, float], per_point: float) -> list[tuple[float, float]]:
    """The arrow head at ``b`` of the segment from ``a``: a triangle, in data units.

    Drawn as one polygon collection rather than one arrow patch per flow: matplotlib's arrow
    patches cost about 10 ms a flow (20 s for 2,000 flows); the collection, milliseconds.

    >>> _head((0, 0), (10, 0), 1.0)
    [(10.0, 0.0), (5.0, 2.2), (5.0, -2.2)]
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    back = min(_HEAD_LENGTH * per_point, length / 2)
    half = _HEAD_HALF_WIDTH * per_point
    bx, by = b[0] - ux * back, b[1] - uy * back
    return [(float(b[0]), float(b[1])), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]


def _label(name: str) -> str:
    """A system's name as drawn under its marker: a long name loses its bracketed part, then
    wraps at :data:`_LABEL_WIDTH` characters (at most three lines).

    >>> print(_label("Countries of origin receiving Eurodac data for return"))
    Countries of origin
    receiving Eurodac data
    for return
    >>> _label("Visa Information System (VIS)")
    'Visa Information System\\n(VIS)'
    """
    name = _text(name)
    if len(name) > 2 * _LABEL_WIDTH and "(" in name:
        name = name[: name.index("(")].rstrip() or name
    lines = textwrap.wrap(name, _LABEL_WIDTH, break_long_words=True) or [""]
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][: _LABEL_WIDTH - 1] + "\u2026"
    return "\n".join(lines)


def _marker_scale(xs: list[int], ys: list[int], count: int) -> float:
    """Marker diameter (points) per unit of node size, so markers shrink as the map grows."""
    span = max(max(xs, default=0) - min(xs, default=0), max(ys, default=0) - min(ys, default=0), 1)
    return max(0.08, min(0.9, 1000.0 / span))


def _fit(ax, xs: list[float], ys: list[float], margin: float) -> None:
    if not xs:
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        return
    ax.set_xlim(min(xs) - margin, max(xs) + margin)
    ax.set_ylim(min(ys) - margin, max(ys) + margin)
