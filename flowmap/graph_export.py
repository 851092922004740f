"""Graph exports for Gephi, Cytoscape and notebooks: GraphML, GEXF and networkx node-link JSON.

A model becomes a networkx ``MultiDiGraph``: one node per system (keyed by
id), one edge per flow (keyed by flow id; a bidirectional flow also gets its
reverse edge keyed ``<id> (reverse)``). Attributes are flattened to scalars
those formats accept: nested fields as ``controls.redress``, lists joined with
``;`` (as in the spreadsheet shape), tri-states as ``"true"``/``"false"``/
``"unknown"``, an absent text as ``""``. Each node also carries what reaches it, as the
model's :class:`~flowmap.graph.Graph` propagates data (honouring what each flow
``forwards``): ``received_categories`` (categories reaching it from other systems) and
``received_origins`` (how many other systems they come from). Each node and edge carries
the findings anchored at it: ``findings`` (how many), ``worst_severity`` (``""`` when none)
and ``finding_kinds`` (their kinds, ``;``-joined). Output is deterministic: nodes and edges
in id order.

GEXF also carries the map's look, in Gephi's ``viz`` namespace (the one networkx writes and
reads for GEXF 1.2draft, ``http://www.gexf.net/1.2draft/viz``): per system its position in the
layout of ``flowmap map`` and ``flowmap map -o fig.svg`` (:mod:`flowmap.maps.layout`; y is
negated, as Gephi's y axis points up and the map's down), its sector's colour and its size on
the map (from the most sensitive data it holds or receives); per flow the colour of the worst
finding anchored at it (grey when none) and its width on the map. networkx reads the systems'
``viz`` back as a node attribute; it drops the flows' (Gephi reads both).

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> g = model_graph(m)
>>> g.nodes["police"]["received_categories"], g.nodes["police"]["received_origins"]
('special.health', 1)
>>> edge = g.edges["clinic", "police", "clinic->police"]
>>> edge["worst_severity"] in ("high", "critical"), "exposure" in edge["finding_kinds"].split("; ")
(True, True)
>>> g.nodes["clinic"]["controls.redress"], list(g.edges(keys=True))
('unknown', [('clinic', 'police', 'clinic->police')])
>>> look = model_graph(m, viz=True).nodes["clinic"]["viz"]
>>> look["color"], look["size"]
({'r': 221, 'g': 204, 'b': 119, 'a': 1.0}, 28.0)
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Sequence

import networkx as nx

from flowmap.findings import Finding
from flowmap.graph import graph_of
from flowmap.maps import style
from flowmap.maps.layout import layout_positions
from flowmap.model import Flow, Model, System
from flowmap.spreadsheet.columns import FLOWS, SYSTEMS, Column, join_list

__all__ = ["GRAPH_FORMATS", "model_graph", "graph_bytes"]

GRAPH_FORMATS = ("graphml", "gexf", "json")


def _scalar(value: Any, column: Column) -> Any:
    if column.kind == "tristate":
        return "unknown" if value is None else ("true" if value else "false")
    if column.kind == "bool":
        return bool(value)
    if column.kind == "list":
        return join_list([str(v) for v in value or []])
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _attributes(element: System | Flow, columns: tuple[Column, ...], skip: tuple[str, ...]) -> dict[str, Any]:
    data = element.model_dump(by_alias=True)
    out: dict[str, Any] = {}
    for column in columns:
        if column.name in skip:
            continue
        head, dot, sub = column.name.partition(".")
        value = data[head][sub] if dot else data[column.name]
        out[column.name] = _scalar(value, column)
    out["incidents"] = len(element.incidents)
    return out


def _anchored(findings: Sequence[Finding]) -> dict[tuple[str, str], dict[str, Any]]:
    """(anchor type, anchor id) -> ``findings``, ``worst_severity``, ``finding_kinds``."""
    out: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        out.setdefault((finding.anchor.type, finding.anchor.id), []).append(finding)
    return {
        key: {
            "findings": len(found),
            "worst_severity": max(f.severity for f in found).name,
            "finding_kinds": join_list(sorted({f.kind.value for f in found})),
        }
        for key, found in out.items()
    }


_NO_FINDINGS = {"findings": 0, "worst_severity": "", "finding_kinds": ""}


def _received(graph) -> dict[str, tuple[list[str], int]]:
    """System id -> (categories reaching it from other systems, how many other systems they
    come from). Origin bits are the same in every category (:meth:`Graph.origin_bit`), so the
    count is one ``bit_count`` of their union: no origin is ever listed."""
    ids = [s.id for s in graph.systems]  # Graph.reach numbers system nodes in id order
    categories: dict[str, list[str]] = {}
    union: dict[str, int] = {}
    for category in graph.categories:
        for node, bits in graph.reach(category).items():
            if node >= len(ids):
                continue
            sid = ids[node]
            bits &= ~graph.origin_bit(sid)
            if bits:
                categories.setdefault(sid, []).append(category)
                union[sid] = union.get(sid, 0) | bits
    return {sid: (found, union[sid].bit_count()) for sid, found in categories.items()}


def _rgb(colour: str) -> dict[str, Any]:
    """A ``#RRGGBB`` colour as GEXF's ``viz:color``.

    >>> _rgb("#882255")
    {'r': 136, 'g': 34, 'b': 85, 'a': 1.0}
    """
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16), "a": 1.0}


_NO_FINDING_COLOUR = "#9E9E9E"  # a flow with no finding, as on the clustered map


def _system_looks(model: Model, graph, received: dict[str, tuple[list[str], int]]) -> dict[str, dict[str, Any]]:
    """System id -> ``viz`` (position, colour, size) as the map draws it."""
    tax = model.effective_taxonomy
    sectors = list(tax.sectors)
    positions = layout_positions(graph.systems, graph.flows, sectors)
    looks = {}
    for system in graph.systems:
        categories = [*received.get(system.id, ([], 0))[0], *system.holds]
        top = max([0, *(int(tax.sensitivity(c)) for c in categories)]) or None
        x, y = positions[system.id]
        looks[system.id] = {"position": {"x": float(x), "y": float(-y), "z": 0.0},
                            "color": _rgb(style.sector_colour(system.sector, sectors)),
                            "size": float(style.node_size(top))}
    return looks


def _flow_look(flow: Flow, found: dict[str, Any], tax) -> dict[str, Any]:
    """A flow's ``viz``: the colour of its worst finding and its width on the map."""
    top = max((int(tax.sensitivity(d)) for d in flow.data), default=None)
    colour = style.SEVERITY_COLOURS.get(found["worst_severity"], _NO_FINDING_COLOUR)
    return {"color": _rgb(colour), "thickness": style.edge_width(top)}


def model_graph(model: Model, findings: Sequence[Finding] | None = None, *, viz: bool = False) -> nx.MultiDiGraph:
    """The model as a MultiDiGraph with flat attributes, what reaches each system, and the
    findings anchored at each system and flow (``findings``: the model's analysis when None).
    With ``viz``, systems and flows also get a ``viz`` attribute: the map's look, for GEXF.

    Notes
    -----
    O(systems + flows + received (origin, category) pairs + findings), plus the model's graph
    (built once, kept on the model) and, without ``findings``, one analysis.
    """
    if findings is None:
        from flowmap.analysis import analyze

        findings = analyze(model).findings
    anchored = _anchored(findings)
    graph = graph_of(model)
    received = _received(graph)
    looks = _system_looks(model, graph, received) if viz else {}
    out = nx.MultiDiGraph(name=model.name, as_of=model.as_of or "")
    for system in graph.systems:
        categories, origins = received.get(system.id, ([], 0))
        out.add_node(
            system.id,
            label=system.display_name,
            **_attributes(system, SYSTEMS.columns, skip=("id",)),
            received_categories=join_list(sorted(categories)),
            received_origins=origins,
            **anchored.get(("system", system.id), _NO_FINDINGS),
            **({"viz": looks[system.id]} if viz else {}),
        )
    tax = model.effective_taxonomy
    for flow in graph.flows:
        attributes = _attributes(flow, FLOWS.columns, skip=("id", "from", "to"))
        attributes.update(anchored.get(("flow", flow.id), _NO_FINDINGS))
        if viz:
            attributes["viz"] = _flow_look(flow, attributes, tax)
        out.add_edge(flow.source, flow.target, key=flow.id, label=flow.id, flow=flow.id, reverse=False, **attributes)
        if flow.bidirectional:
            out.add_edge(flow.target, flow.source, key=f"{flow.id} (reverse)", label=flow.id, flow=flow.id,
                         reverse=True, **attributes)
    return out


def graph_bytes(model: Model, fmt: str, findings: Sequence[Finding] | None = None) -> bytes:
    """The model graph as GraphML, GEXF (1.2draft, with the map's ``viz``) or node-link JSON bytes;
    same model, same bytes."""
    graph = model_graph(model, findings, viz=fmt == "gexf")
    if fmt == "json":
        data = nx.node_link_data(graph, edges="links")
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
        return buffer.getvalue()
    if fmt == "gexf":
        for _, _, key, data in graph.edges(keys=True, data=True):
            data["id"] = key  # the GEXF writer takes an edge's id from this attribute
        nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
        # networkx stamps today's date: use the model's own date (or none) so output is reproducible
        stamp = f' lastmodifieddate="{model.as_of}"'.encode() if _is_date(model.as_of) else b""
        return re.sub(rb' lastmodifieddate="[^"]*"', stamp, buffer.getvalue(), count=1)
    raise ValueError(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")


def _is_date(text: str | None) -> bool:
    return bool(text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
